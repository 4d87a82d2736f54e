from __future__ import annotations

from mmed_ift.generate.template import PROMPT_VERSION, generate
from mmed_ift.languages import LANGUAGES
from mmed_ift.schemas import MCQuestion, Passage, QAPair


def _license(_: str) -> str:
    return "MIT"


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


def test_mc_item_without_rationale_gives_answer_and_answer_text_samples() -> None:
    samples = generate(_mc(), _license)
    assert [sample.task for sample in samples] == ["mc_answer", "mc_answer_text"]
    assert samples[0].messages[1].content == "答え：A"
    assert samples[1].messages[1].content == "答え：A\nA. メトホルミン"
    assert all(sample.dataset == "mc" and sample.lang == "ja" for sample in samples)
    assert samples[0].id != samples[1].id


def test_mc_item_with_rationale_explains() -> None:
    samples = generate(_mc(rationale="ビグアナイド薬は体重を増やさない。"), _license)
    assert samples[1].task == "mc_rationale"
    assert samples[1].messages[1].content == "答え：A\n\n解説： ビグアナイド薬は体重を増やさない。"
    assert samples[1].provenance.prompt_version == PROMPT_VERSION


def test_multi_answer_uses_multi_instruction_and_parseable_answer() -> None:
    samples = generate(_mc(answer=["C", "A"]), _license)
    user = samples[0].messages[0].content
    assert user.startswith(LANGUAGES["ja"].mc_instruction_multi)
    match = LANGUAGES["ja"].answer_pattern.search(samples[0].messages[1].content)
    assert match is not None and match.group("keys") == "A、C"


def test_options_are_listed_in_key_order_in_prompt() -> None:
    user = generate(_mc(), _license)[0].messages[0].content
    positions = [user.index(f"{key}. ") for key in "ABCDE"]
    assert positions == sorted(positions)


def test_qa_and_passage_samples() -> None:
    qa = QAPair(source="medquad", source_id="1", lang="en", split="train", question="What is asthma?", answer="A")
    with_context = qa.model_copy(update={"context": "Context."})
    passage = Passage(source="wikipedia", source_id="fr/1", lang="fr", split="train", title="Asthme", text="L'asthme.")
    assert [s.task for s in generate(qa, _license)] == ["qa"]
    assert generate(with_context, _license)[0].messages[0].content == "Context.\n\nWhat is asthma?"
    explain = generate(passage, _license)[0]
    assert explain.task == "explain" and explain.dataset == "ift"
    assert "Asthme" in explain.messages[0].content
    assert explain.messages[1].content == "L'asthme."


def test_generation_is_deterministic() -> None:
    first = [sample.model_dump_json() for sample in generate(_mc(), _license)]
    second = [sample.model_dump_json() for sample in generate(_mc(), _license)]
    assert first == second
