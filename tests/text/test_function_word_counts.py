"""``function_word_counts`` (every language at once, per distinct token) equals
``function_word_hits`` (a lookup per token and language), which it replaces on the language-ID
filter's hot path."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.text.function_words import _TOKEN, FUNCTION_WORDS, _tokens, function_word_counts, function_word_hits

_WORDS = sorted({word for words in FUNCTION_WORDS.values() for word in words})
#: function words of every list, their capitalised forms, elisions, the letters only Russian or
#: Ukrainian has, apostrophes and content words
_PIECES = st.sampled_from(
    [*_WORDS, *(word.capitalize() for word in _WORDS[:40]), "l'homme", "D'abord", "qu’il", "n'est", "s'",
     "ёлка", "їжа", "ґанок", "объём", "Эхо", "patient", "fièvre", "dolor", "боль", "'", "’", "-", "3", "  ",
     "œdème", "l’œil", "ŒIL", "«", "»", "…", "²", "ª", "µ", "\u00a0", "\x85", "İ", "Straße", "a'b'c", "x''y", "_"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.sampled_from([" ", "", ", "]))
def test_counts_equal_the_per_language_hits(pieces: list[str], glue: str) -> None:
    text = glue.join(pieces)
    counts = function_word_counts(text)
    assert set(counts) == set(FUNCTION_WORDS)
    for lang in FUNCTION_WORDS:
        assert counts[lang] == function_word_hits(text, (lang,))[lang], (lang, text)
    assert counts["fr"] == function_word_hits(text, ("en", "fr"))["fr"]


def test_a_known_text() -> None:
    counts = function_word_counts("L'homme est dans la salle; il a de la fièvre et une toux.")
    assert counts["fr"] == 9  # l' (elision), est, dans, la, il, de, la, et, une
    assert counts["en"] == 1  # a


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(st.characters(codec="cp1252")), st.text()))
def test_the_byte_tokeniser_equals_the_regex(text: str) -> None:
    lowered = text.lower()
    tokens, cyrillic_possible = _tokens(lowered)
    assert tokens == _TOKEN.findall(lowered)
    assert cyrillic_possible or not any(char in lowered for char in "іїєґыэъё")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(_WORDS), st.text(st.characters(codec="cp1252"), max_size=8)), max_size=30),
    st.sampled_from([" ", "\u00a0", "\x85", ",", "’"]),
)
def test_counts_of_cp1252_text_equal_the_per_language_hits(pieces: list[str], glue: str) -> None:
    # cp1252 text without an apostrophe is counted on its bytes, never decoded
    text = glue.join(pieces)
    counts = function_word_counts(text)
    assert counts == {lang: function_word_hits(text, (lang,))[lang] for lang in FUNCTION_WORDS}
