"""``function_word_matrix`` (a batch counted at once in numpy on its cp1252 bytes) equals
``function_word_counts`` of each text, which it replaces on the language-ID filter's hot path;
and the filter's batch keep rule equals the per-text rule it replaced."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters.langid import LanguageIDFilter
from mmed_ift.text.function_words import FUNCTION_WORDS, LANGUAGES, function_word_counts, function_word_matrix

_WORDS = sorted({word for words in FUNCTION_WORDS.values() for word in words})
#: function words (also capitalised, upper-cased and glued to letters), accented capitals that
#: lower inside cp1252, characters outside it (some of which lower into it: the Kelvin sign),
#: C1 controls (latin-1 writes U+0092 as cp1252's ’), apostrophes, digits and long words
_PIECES = st.sampled_from(
    [*_WORDS, *(word.capitalize() for word in _WORDS[:60]), *(word.upper() for word in _WORDS[-40:]),
     "theof", "dela", "laaaaaaaaa", "Élevé", "ÉTÉ", "ŒIL", "ŠŽŸ", "Ÿ", "β", "\u212a", "İ", "\x92", "\x85", "\x81",
     "'", "’", "l'homme", "3", "de3", "_la", "µ", "ª", "²", "«", "\u00a0", "—", "Straße", "und", "ёлка", "їжа", ""]
)  # fmt: skip


def _reference(text: str) -> list[int]:
    counts = function_word_counts(text)
    return [counts[lang] for lang in LANGUAGES]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=30), max_size=8), st.sampled_from([" ", "", ", ", "\n"]))
def test_matrix_rows_equal_the_counts(texts_pieces: list[list[str]], glue: str) -> None:
    texts = [glue.join(pieces) for pieces in texts_pieces]
    assert function_word_matrix(texts).tolist() == [_reference(text) for text in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(codec="cp1252"), max_size=60), max_size=6))
def test_matrix_of_any_cp1252_text(texts: list[str]) -> None:
    assert function_word_matrix(texts).tolist() == [_reference(text) for text in texts]


def test_a_known_batch() -> None:
    texts = ["The patient and the doctor", "Le patient est dans la salle", "l'homme", "", "β de la"]
    rows = function_word_matrix(texts)
    assert rows.shape == (5, len(LANGUAGES))
    assert rows[0][LANGUAGES.index("en")] == 3 and rows[1][LANGUAGES.index("fr")] == 4
    assert rows.tolist() == [_reference(text) for text in texts]


def test_c1_controls_are_not_read_as_cp1252() -> None:
    """U+0080 to U+009F are C1 controls (not letters), which latin-1 writes as the bytes cp1252
    uses for letters and apostrophes (0x9A is š, 0x92 is ’): such a text takes the slow path."""
    texts = ["the\x9a of", "de\x92la", "\x8athe and", "plain the"]
    assert function_word_matrix(texts).tolist() == [_reference(text) for text in texts]
    assert function_word_matrix(texts)[0][LANGUAGES.index("en")] == 2


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.lists(_PIECES, max_size=20), st.sampled_from(["en", "fr", "es", "it", "vi"])), max_size=8),
    st.integers(0, 3),
)
def test_batch_keep_rule_equals_the_per_text_rule(rows: list[tuple[list[str], str]], min_words: int) -> None:
    step = LanguageIDFilter(min_function_words=min_words)
    views = [" ".join(pieces) for pieces, _ in rows]
    declared = [lang for _, lang in rows]
    expected = []
    for view, lang in zip(views, declared, strict=True):
        hits = function_word_counts(view)
        own = hits.pop(lang, 0)
        expected.append(max(hits.values()) < max(min_words, own + 1))
    assert step._function_words_keep(views, declared, list(range(len(views)))) == expected
