"""Instruction variety: several wordings per task and language, chosen by a hash, recorded in the
row; knowledge passages by section without the title echo; per-language typography; the optional
system message."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from mmed_ift.generate.passages import split_sections
from mmed_ift.generate.phrasings import PHRASINGS, SYSTEM_MESSAGES, choose
from mmed_ift.generate.template import TemplateOptions, generate
from mmed_ift.generate.typography import apply, join_label
from mmed_ift.languages import LANGUAGE_CODES, LANGUAGES
from mmed_ift.schemas import MCQuestion, Passage

TASKS = ("mc", "mc_multi", "explain", "explain_section", "qa_context")


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_every_task_has_several_distinct_wordings_in_every_language(lang: str) -> None:
    assert set(PHRASINGS[lang]) == set(TASKS)
    for task in TASKS:
        wordings = PHRASINGS[lang][task]
        assert len(wordings) >= 3 and len(set(wordings)) == len(wordings), (lang, task)
    assert PHRASINGS[lang]["mc"][0] == LANGUAGES[lang].mc_instruction, "wording 0 is the evaluator's"
    assert lang in SYSTEM_MESSAGES


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_full_width_punctuation_is_never_followed_by_a_space(lang: str) -> None:
    for wordings in PHRASINGS[lang].values():
        for text in wordings:
            assert not re.search("[：；，。！？] ", text), text
    assert apply("解析： 答案是A。 因为", lang) == "解析：答案是A。因为"
    assert join_label("解析：", "因为") == "解析：因为"
    assert join_label("Explanation:", "Because") == "Explanation: Because"


def test_french_uses_a_plain_space_before_double_punctuation_everywhere() -> None:
    for wordings in PHRASINGS["fr"].values():
        for text in wordings:
            assert "\u00a0" not in text and "\u202f" not in text
            assert not re.search(r"\S[:;?!](?:\s|$)", text.replace("{title}", "X").replace("{section}", "Y")), text
    assert apply("Réponse\u00a0: B\u202f? «\u00a0oui\u00a0»", "fr") == "Réponse : B ? « oui »"


def _mc(number: int, lang: str = "en") -> MCQuestion:
    return MCQuestion(
        source="medqa", source_id=str(number), lang=lang, split="train", question=f"Question {number}?",
        options={"A": "a", "B": "b"}, answer=["A"], license="MIT",
    )  # fmt: skip


def test_choice_is_deterministic_spread_and_recorded_in_the_row() -> None:
    samples = [generate(_mc(number))[0] for number in range(60)]
    ids = Counter(sample.provenance.template_id for sample in samples)
    assert set(ids) == {f"mc/en/{index}" for index in range(len(PHRASINGS["en"]["mc"]))}
    for sample in samples:
        template_id = sample.provenance.template_id
        assert template_id is not None
        index = int(template_id.rsplit("/", 1)[1])
        assert sample.messages[0].content.startswith(PHRASINGS["en"]["mc"][index])
    assert [generate(_mc(number))[0] for number in range(60)] == samples
    assert choose("en", "mc", "medqa", "1", shift=1).template_id != choose("en", "mc", "medqa", "1").template_id


def test_passage_sections_give_section_prompts_and_the_title_is_not_echoed() -> None:
    text = (
        "Migraine\n\nMigraine is a primary headache disorder with recurrent attacks.\n"
        "Treatment\nAcute attacks are treated with NSAIDs or triptans taken early.\n"
        "Prevention.\nBeta-blockers, topiramate or CGRP antibodies reduce attack frequency."
    )
    lead, sections = split_sections(text, "Migraine")
    assert lead == "Migraine is a primary headache disorder with recurrent attacks."
    assert [heading for heading, _ in sections] == ["Treatment", "Prevention"]
    passage = Passage(source="wikipedia", source_id="en/1", lang="en", split="train", title="Migraine", text=text,
                      license="CC-BY-SA-4.0")  # fmt: skip
    samples = generate(passage)
    assert [sample.task for sample in samples] == ["explain", "explain_section", "explain_section"]
    assert all(not sample.messages[-1].content.startswith("Migraine\n") for sample in samples)
    assert "Treatment" in samples[1].messages[0].content and "Migraine" in samples[1].messages[0].content
    assert samples[1].messages[-1].content.startswith("Acute attacks")
    assert len({sample.id for sample in samples}) == 3


def test_system_message_option_changes_the_output() -> None:
    plain = generate(_mc(1, "ja"))[0]
    with_system = generate(_mc(1, "ja"), TemplateOptions(system_message=True))[0]
    assert [message.role for message in plain.messages] == ["user", "assistant"]
    assert [message.role for message in with_system.messages] == ["system", "user", "assistant"]
    assert with_system.messages[0].content == SYSTEM_MESSAGES["ja"]
    assert with_system.messages[1:] == plain.messages


def test_choose_shares_one_phrasing_per_wording_and_follows_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """``choose`` hands out one frozen :class:`Phrasing` per wording, equal to a fresh one, and a
    swapped wording table is not answered from the cache."""
    from mmed_ift.generate.phrasings import Phrasing

    first = choose("en", "mc", "medqa", "q-1")
    again = choose("en", "mc", "medqa", "q-1")
    assert again is first
    index = int(first.template_id.rsplit("/", 1)[1])
    assert first == Phrasing(template_id=f"mc/en/{index}", text=PHRASINGS["en"]["mc"][index])
    swapped = {**PHRASINGS, "en": {**PHRASINGS["en"], "mc": tuple(f"wording {n}" for n in range(4))}}
    monkeypatch.setattr("mmed_ift.generate.phrasings.PHRASINGS", swapped)
    assert choose("en", "mc", "medqa", "q-1").text == f"wording {index}"
