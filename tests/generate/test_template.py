from __future__ import annotations

from mmed_ift.generate.phrasings import PHRASINGS
from mmed_ift.generate.template import PROMPT_VERSION, generate
from mmed_ift.languages import LANGUAGES
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair


def _license(item: Item) -> Item:
    """The item as its adapter stamps it (the license travels with the item)."""
    return item.model_copy(update={"license": "MIT"})


def _mc(lang: str = "ja", answer: list[str] | None = None, rationale: str | None = None) -> MCQuestion:
    return MCQuestion(
        source="igakuqa",
        source_id="113A1",
        lang=lang,
        split="train",
        question="2型糖尿病の第一選択薬はどれか。",
        options={"A": "メトホルミン", "B": "インスリン", "C": "SU薬", "D": "α-GI", "E": "DPP-4阻害薬"},
        answer=answer or ["A"],
        rationale=rationale,
    )


def test_mc_item_without_rationale_gives_one_answer_text_sample() -> None:
    samples = generate(_license(_mc()))
    assert [sample.task for sample in samples] == ["mc_answer_text"]
    assert samples[0].messages[-1].content == "答え：A\nA. メトホルミン"
    assert samples[0].dataset == "mc" and samples[0].lang == "ja"


def test_mc_item_with_rationale_gives_one_rationale_sample_without_space_after_full_width_colon() -> None:
    samples = generate(_license(_mc(rationale="ビグアナイド薬は体重を増やさない。")))
    assert [sample.task for sample in samples] == ["mc_rationale"]
    assert samples[0].messages[-1].content == "答え：A\n\n解説：ビグアナイド薬は体重を増やさない。"
    assert samples[0].provenance.prompt_version == PROMPT_VERSION


def test_multi_answer_uses_multi_instruction_and_parseable_answer() -> None:
    samples = generate(_license(_mc(answer=["C", "A"])))
    user = samples[0].messages[0].content
    assert user.split("\n")[0] in PHRASINGS["ja"]["mc_multi"]
    assert samples[0].provenance.template_id.startswith("mc_multi/ja/")  # type: ignore[union-attr]
    match = LANGUAGES["ja"].answer_pattern.search(samples[0].messages[-1].content)
    assert match is not None and match.group("keys") == "A、C"


def test_options_are_listed_in_key_order_in_prompt() -> None:
    user = generate(_license(_mc()))[0].messages[0].content
    positions = [user.index(f"{key}. ") for key in "ABCDE"]
    assert positions == sorted(positions)


def test_qa_and_passage_samples() -> None:
    qa = QAPair(source="medquad", source_id="1", lang="en", split="train", question="What is asthma?", answer="A")
    with_context = qa.model_copy(update={"context": "Context."})
    passage = Passage(source="wikipedia", source_id="fr/1", lang="fr", split="train", title="Asthme", text="L'asthme.")
    assert [s.task for s in generate(_license(qa))] == ["qa"]
    contextual = generate(_license(with_context))[0]
    instruction, rest = contextual.messages[0].content.split("\n\n", 1)
    assert instruction in PHRASINGS["en"]["qa_context"] and rest == "Context.\n\nWhat is asthma?"
    explain = generate(_license(passage))[0]
    assert explain.task == "explain" and explain.dataset == "ift"
    assert "Asthme" in explain.messages[0].content
    assert explain.messages[1].content == "L'asthme."


def test_generation_is_deterministic() -> None:
    first = [sample.model_dump_json() for sample in generate(_license(_mc()))]
    second = [sample.model_dump_json() for sample in generate(_license(_mc()))]
    assert first == second


def test_license_comes_from_the_item() -> None:
    assert {sample.provenance.license for sample in generate(_license(_mc()))} == {"MIT"}
    other = _mc().model_copy(update={"license": "CC-BY-NC-4.0"})
    assert {sample.provenance.license for sample in generate(other)} == {"CC-BY-NC-4.0"}
