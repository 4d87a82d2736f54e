"""``distinct.tokens`` (words classified once per corpus, the character before a token found
without copying the text) gives exactly what the per-character definition gives, and
``distinct`` (Python sets) decides as the numpy set functions did."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.text.distinct import (
    _LATIN_TOKEN,
    _STARTS,
    _TOKEN,
    REPEATED,
    DistinctRules,
    Tokens,
    _is_content,
    distinct,
    pack,
    stable_hash,
    tokens,
    unpack,
)
from mmed_ift.text.function_words import FUNCTION_WORDS
from mmed_ift.text.scripts import CHARACTER_LANGUAGES

_ENGLISH = FUNCTION_WORDS["en"]


def _is_name(token: str, before: str) -> bool:
    """The definition: a capitalised word inside a sentence, or capitals with digits or more capitals."""
    capitals = sum(char.isupper() for char in token)
    if not capitals:
        return False
    if capitals > 1 or any(char.isdigit() for char in token):
        return True
    return token[0].isupper() and before not in _STARTS


def _reference(text: str, title: str | None, lang: str) -> Tokens:
    """The tokens, written the slow and obvious way (the implementation before the fast path)."""
    stop = FUNCTION_WORDS.get(lang, _ENGLISH)
    pattern = _LATIN_TOKEN if lang in CHARACTER_LANGUAGES else _TOKEN
    content: dict[int, int] = {}
    names: set[int] = set()
    for match in pattern.finditer(text):
        token = match.group()
        folded = token.casefold()
        if folded in stop or not _is_content(token):
            continue
        value = stable_hash(folded)
        content[value] = content.get(value, 0) + 1
        before = text[: match.start()].rstrip(" \t")[-1:] or "\n"
        if _is_name(token, before):
            names.add(value)
    normal_title = " ".join(_TOKEN.findall(title.casefold())) if title else ""
    repeated = sorted(value for value, seen in content.items() if seen >= REPEATED)
    return Tokens(
        stable_hash(normal_title) if normal_title else 0,
        np.array(sorted(content), dtype=np.uint64),
        np.array(sorted(names), dtype=np.uint64),
        np.array(repeated, dtype=np.uint64),
    )


def _same(found: Tokens, expected: Tokens) -> bool:
    return (
        found.title == expected.title
        and found.content.dtype == np.uint64
        and np.array_equal(found.content, expected.content)
        and np.array_equal(found.names, expected.names)
        and np.array_equal(found.repeated, expected.repeated)
    )


_WORDS = [
    "Fructosuria", "fructosuria", "FGD1", "HbA1c", "II", "I", "type", "the", "The", "is", "De", "ǅemal",
    "Straße", "ÉTUDE", "été", "Lange-Nielsen", "O'Brien", "l’Hôpital", "x2", "42", "ab", "AB", "ﬁbrose",
    "İstanbul", "Щи", "Москва", "文字", "語Ab", "糖尿病", "Über", "ßB", "ǈ", "ᾈ", "aⅫ", "²", "snake_case",
]  # fmt: skip
_GAPS = [" ", "  ", "\t", " \t ", "\n", ". ", "? ", "! ", ": ", "; ", "- ", "• ", "* ", "(", '"', "“", ", ", "/", "_"]
_LANGS = ["en", "fr", "es", "ru", "zh", "ja", "xx"]


@settings(max_examples=300)
@given(
    st.lists(st.tuples(st.sampled_from(_GAPS), st.sampled_from(_WORDS)), max_size=30),
    st.sampled_from(_GAPS),
    st.none() | st.sampled_from(["", "Fructosuria", "What is (are) X", "文字 ?"]),
    st.sampled_from(_LANGS),
)
def test_texts_of_words_names_and_sentence_starts(
    parts: list[tuple[str, str]], end: str, title: str | None, lang: str
) -> None:
    text = "".join(gap + word for gap, word in parts) + end
    assert _same(tokens(text, title, lang), _reference(text, title, lang))


@settings(max_examples=300)
@given(
    st.text(alphabet=st.sampled_from("aAbBzZ19 \t\n.?!:;-•*([\"“'’_ÉéßǅİⅫ²文") | st.characters(), max_size=80),
    st.none() | st.text(max_size=10),
    st.sampled_from(_LANGS),
)
def test_random_texts(text: str, title: str | None, lang: str) -> None:
    assert _same(tokens(text, title, lang), _reference(text, title, lang))


def test_every_cased_or_digit_character_as_a_word() -> None:
    """Each code point that is upper, lower, title case or a digit, alone and inside words, after
    a sentence start and inside a sentence (what the cached classification keys on)."""
    import sys

    chars = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if chr(code).isupper() or chr(code).istitle() or chr(code).isdigit() or chr(code).islower()
    ]
    assert len(chars) > 3000
    for lang in ("en", "zh"):
        for start in range(0, len(chars), 200):
            chunk = chars[start : start + 200]
            text = " ".join(f"x. {char}ab go {char}ab {char}{char} ab{char} {char}" for char in chunk)
            assert _same(tokens(text, None, lang), _reference(text, None, lang)), chunk


def _reference_distinct(left: Tokens, right: Tokens, rules: DistinctRules) -> str | None:
    """The decision written with numpy's set functions (the implementation before the fast path)."""
    left_only = np.setdiff1d(left.content, right.content, assume_unique=True)
    right_only = np.setdiff1d(right.content, left.content, assume_unique=True)
    if rules.min_names:
        left_names = np.intersect1d(left_only, left.names, assume_unique=True)
        right_names = np.intersect1d(right_only, right.names, assume_unique=True)
        if min(len(left_names), len(right_names)) >= rules.min_names:
            return "names"
    if rules.slots:
        left_slots = np.intersect1d(left_only, left.repeated, assume_unique=True)
        right_slots = np.intersect1d(right_only, right.repeated, assume_unique=True)
        if len(left_slots) and len(right_slots):
            return "slots"
    titles_differ = rules.titles and left.title and right.title and left.title != right.title
    if titles_differ and len(left_only) and len(right_only):
        return "focus"
    if rules.max_extra and max(len(left_only), len(right_only)) >= rules.max_extra:
        return "content"
    return None


#: a small value range, so that two records share many tokens and differ in a few
_VALUES = st.sampled_from([1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 2**63, 2**64 - 1, *range(100, 130)])


@st.composite
def _tokens(draw: st.DrawFn) -> Tokens:
    content = sorted(draw(st.sets(_VALUES, max_size=30)))
    names = sorted(draw(st.sets(st.sampled_from(content), max_size=len(content)))) if content else []
    repeated = sorted(draw(st.sets(st.sampled_from(content), max_size=len(content)))) if content else []
    title = draw(st.sampled_from([0, 0, 7, 9]))
    arrays = (np.array(values, dtype=np.uint64) for values in (content, names, repeated))
    return Tokens(title, *arrays)


_RULES = st.builds(
    DistinctRules,
    min_names=st.integers(0, 3),
    max_extra=st.sampled_from([0, 1, 3, 10]),
    titles=st.booleans(),
    slots=st.booleans(),
)


@settings(max_examples=500)
@given(_tokens(), _tokens(), _RULES)
def test_distinct_equals_the_numpy_decision(left: Tokens, right: Tokens, rules: DistinctRules) -> None:
    assert distinct(left, right, rules) == _reference_distinct(left, right, rules)
    # as the graph filter calls it: on the tokens read back from a node's blob
    shingles = np.zeros(0, dtype=np.uint64)
    read_left, read_right = unpack(pack(shingles, left))[1], unpack(pack(shingles, right))[1]
    assert distinct(read_left, read_right, rules) == _reference_distinct(left, right, rules)
