"""The C fast path of ``clean_text`` decides exactly as the removal pattern does."""

from __future__ import annotations

import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.text.clean import (
    FieldProblem,
    _clean_each,
    _plainly_clean,
    _special_pattern,
    all_untouched,
    clean_fields,
    clean_text,
)

_SPECIAL = "\r\n\t\x00\x85\u00ad\u200b\u200e\u2028\u2029\u2066\ufeff\U000e0041\u00a0 é文"


def test_every_code_point_alone() -> None:
    pattern = _special_pattern()
    disagree = [
        code
        for code in range(sys.maxunicode + 1)
        if code < 0xD800 or code > 0xDFFF
        if _plainly_clean(chr(code)) != (pattern.search(chr(code)) is None)
    ]
    assert disagree == []


@given(st.text(alphabet=st.sampled_from(_SPECIAL) | st.characters(), max_size=60))
def test_texts_with_invisible_characters(text: str) -> None:
    assert _plainly_clean(text) == (_special_pattern().search(text) is None)


def test_fast_path_keeps_clean_text_and_still_cleans() -> None:
    assert clean_text("Quel est\tle diagnostic ?\nA. x") == ("Quel est\tle diagnostic ?\nA. x", 0)
    assert clean_text("a\u200bb\r\nc") == ("ab\nc", 1)
    assert clean_text("\u00a0x") == ("\u00a0x", 0)  # not printable, but nothing to remove


_FIELD_TEXT = st.text(alphabet=st.sampled_from(_SPECIAL + "e\u0301\u0316\u1100\u1161A") | st.characters(), max_size=12)
_RECORD = st.fixed_dictionaries(
    {
        "source": st.just("medqa"),
        "question": _FIELD_TEXT,
        "options": st.dictionaries(st.sampled_from("ABCD") | _FIELD_TEXT, _FIELD_TEXT, max_size=4),
        "answer": st.lists(_FIELD_TEXT, max_size=3),
        "rationale": st.none() | _FIELD_TEXT,
        "patient_dialogue": st.booleans(),
    }
)


def _outcome(clean: Any, data: dict[str, Any], max_chars: int) -> Any:
    try:
        return clean(data, max_chars)
    except FieldProblem as problem:
        return (problem.reason, problem.detail)


@settings(max_examples=500)
@given(_RECORD, st.integers(1, 14))
def test_whole_record_check_gives_what_the_per_field_cleaning_gives(data: dict[str, Any], max_chars: int) -> None:
    # strings that end in a base letter and start with a combining mark, Hangul jamo, controls:
    # joined, they must still be judged as separate fields
    assert _outcome(clean_fields, data, max_chars) == _outcome(_clean_each, data, max_chars)


def test_a_clean_record_comes_back_as_it_is_and_a_dirty_one_cleaned() -> None:
    clean = {
        "source": "x",
        "question": "Quel est le diagnostic ?",
        "options": {"A": "e", "B": "\u0301"},
        "answer": ["A"],
    }
    assert clean_fields(clean, 100) is clean  # "e" then a lone combining acute: two fields, both in NFC
    dirty = {"question": "a\u200bb", "options": {"A": "x"}}
    assert clean_fields(dirty, 100) == {"question": "ab", "options": {"A": "x"}}


@settings(max_examples=300)
@given(_RECORD)
def test_whole_record_check_under_a_cap_no_record_reaches(data: dict[str, Any]) -> None:
    # under the default cap the joined check decides alone (no field passes it)
    assert _outcome(clean_fields, data, 100_000) == _outcome(_clean_each, data, 100_000)
    if all_untouched(data, 100_000):
        assert _clean_each(data, 100_000) == data


def test_the_joined_check_refuses_what_it_cannot_join() -> None:
    assert all_untouched({"question": "x", "options": {"A": ["nested"]}}, 100) is False
    assert all_untouched({"question": "x", "answer": ["A", 1]}, 100) is False
    assert all_untouched({"question": "x", "options": {1: "a"}}, 100) is False
    assert all_untouched({"question": "x", "patient_dialogue": True, "rationale": None}, 100) is True
    assert all_untouched({"question": "ab", "title": "cd"}, 4) is False  # together past the cap: each is checked
    assert clean_fields({"question": "ab", "title": "cd"}, 4) == {"question": "ab", "title": "cd"}


@settings(max_examples=200)
@given(
    _FIELD_TEXT.filter(str.strip), _FIELD_TEXT, st.lists(st.sampled_from("ABCD"), min_size=1, max_size=2, unique=True)
)
def test_an_items_own_fields_are_what_its_dump_holds(text: str, other: str, answer: list[str]) -> None:
    # SourceAdapter.clean checks ``item.__dict__`` instead of a copy made by ``model_dump``
    from mmed_ift.schemas import MCQuestion, Passage, QAPair

    common = {"source": "medqa", "source_id": "1", "lang": "en", "split": "train", "location": "f:1"}
    items = [
        MCQuestion(**common, question=text, options={"A": text, "B": text, "C": text, "D": text}, answer=answer,
                   rationale=other or None, exam=other),
        QAPair(**common, question=text, answer=text, context=other, title=other),
        Passage(**common, title=text, text=text, section=other),
    ]  # fmt: skip
    for item in items:
        assert item.__dict__ == item.model_dump()
        assert list(item.__dict__) == list(item.model_dump())


def test_no_latin1_character_changes_or_composes_under_nfc() -> None:
    # _printable_in_nfc calls every one-byte (Latin-1) text NFC without looking: each character
    # is its own NFC, a starter, and never the second of a canonical pair (so nothing composes)
    import unicodedata

    latin1 = [chr(code) for code in range(256)]
    assert all(unicodedata.normalize("NFC", char) == char and unicodedata.combining(char) == 0 for char in latin1)
    seconds = set()
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    assert not seconds & set(range(256))


def _reference_printable_in_nfc(text: str) -> bool:
    import unicodedata

    text = text.replace("\n", " ").replace("\t", " ")
    return text.isprintable() and unicodedata.is_normalized("NFC", text)


def test_the_byte_check_decides_every_latin1_character_as_the_unicode_checks() -> None:
    from mmed_ift.text.clean import _printable_in_nfc

    for code in range(256):
        for text in (chr(code), "é" + chr(code), "a" + chr(code), chr(code) + "\u0301", chr(code) + "文"):
            assert _printable_in_nfc(text) == _reference_printable_in_nfc(text), (code, text)


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=0xFF) | st.sampled_from(_SPECIAL + "\u0301\u1100"), max_size=40))
def test_the_byte_check_on_texts_of_every_width(text: str) -> None:
    from mmed_ift.text.clean import _printable_in_nfc

    assert _printable_in_nfc(text) == _reference_printable_in_nfc(text)


def test_a_value_of_a_container_subclass_is_refused_whatever_its_position() -> None:
    class Text(str):
        pass

    class Mapping(dict[str, str]):
        pass

    assert all_untouched({"question": Text("x"), "answer": ["A"]}, 100) is False
    assert all_untouched({"answer": ["A"], "options": Mapping(A="x")}, 100) is False
    assert all_untouched({"year": 2020, "question": "x", "rationale": None, "answer": []}, 100) is True
    assert all_untouched({"question": "x", "answer": ["A"], "options": {"A": "é"}}, 100) is True
    assert all_untouched({"question": "x", "answer": ["A"], "options": {"A": "\x85"}}, 100) is False
    assert all_untouched({"question": "a\u0301", "options": {"A": "x"}}, 100) is False  # not NFC
