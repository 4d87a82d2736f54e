"""``distinct.tokens`` (words classified once per corpus, the character before a token found
without copying the text) gives exactly what the per-character definition gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.text.distinct import _LATIN_TOKEN, _STARTS, _TOKEN, REPEATED, Tokens, _is_content, stable_hash, tokens
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
