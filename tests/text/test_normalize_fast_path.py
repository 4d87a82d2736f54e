"""``normalize_text``'s fast paths give exactly the one definition: NFKC, casefold, punctuation
and symbols to spaces (the translate table), whitespace collapsed."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from mmed_ift.text.normalize import _TABLE, normalize_text

_MIXED = " \t\n\u00a0\u3000,.-_()[]%$+=<>/\\|'\"!?;:¿¡«»·•§°©®™€£¥^`~é文語аÉßİﬁ①²½Ⅻ\u0301\u200b"


def _reference(text: str) -> str:
    """The definition, written the slow and obvious way."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.translate(_TABLE).split())


def test_no_letter_and_no_whitespace_is_punctuation_or_symbol() -> None:
    """What the fast paths rest on, for every code point: a word of letters is left alone by the
    table, and the table never touches whitespace (so the text can be translated word by word)."""
    wrong = [
        code
        for code in range(sys.maxunicode + 1)
        if (chr(code).isalpha() or chr(code).isspace()) and unicodedata.category(chr(code))[0] in "PS"
    ]
    assert wrong == []


def test_every_non_ascii_punctuation_or_symbol_inside_a_word() -> None:
    codes = [code for code in range(0x80, sys.maxunicode + 1) if unicodedata.category(chr(code))[0] in "PS"]
    assert len(codes) > 5000
    disagree = [code for code in codes if normalize_text(f"é{chr(code)}x ab") != _reference(f"é{chr(code)}x ab")]
    assert disagree == []


@given(st.text(alphabet=st.sampled_from(_MIXED) | st.characters(), max_size=80))
def test_random_texts(text: str) -> None:
    assert normalize_text(text) == _reference(text)


_WORDS = ["Fièvre", "ÉTUDE", "文字", "Щи", "x", "42", "a,b", "–", "(é)", "straße"]


@given(st.lists(st.sampled_from(_WORDS), max_size=12))
def test_texts_of_letter_words_digits_and_punctuation(words: list[str]) -> None:
    text = " ".join(words)
    assert normalize_text(text) == _reference(text)


def test_examples() -> None:
    assert normalize_text("Fièvre  ÉLEVÉE, 40°C!") == "fièvre élevée 40 c"
    assert normalize_text("Straße\tno.1") == "strasse no 1"
    assert normalize_text("发烧，咳嗽。") == "发烧 咳嗽"
    assert normalize_text(" \n ") == ""
