from __future__ import annotations

import pytest

from mmed_ift.languages import LANGUAGE_CODES, LANGUAGES, get_language


@pytest.mark.parametrize("code", LANGUAGE_CODES)
@pytest.mark.parametrize("keys", [["B"], ["A", "C"], ["A", "B", "D", "E"]])
def test_answer_line_reads_back(code: str, keys: list[str]) -> None:
    language = LANGUAGES[code]
    text = language.format_answer(keys) + "\n\nmore text"
    match = language.answer_pattern.search(text)
    assert match is not None
    found = [key for key in match.group("keys") if key.isalpha()]
    assert found == keys


def test_every_language_has_all_knowledge_prompts() -> None:
    names = set(LANGUAGES["en"].knowledge_prompts)
    for language in LANGUAGES.values():
        assert set(language.knowledge_prompts) == names
        assert language.mc_instruction != language.mc_instruction_multi


def test_unknown_language_lists_valid_codes() -> None:
    with pytest.raises(ValueError, match="en, zh, ja, fr, ru, es"):
        get_language("de")
