"""``non_latin_letters`` (a batch's code points in numpy, each distinct one asked of the regex
once) equals ``NON_LATIN_LETTER.search`` of each text, which it replaces in language ID."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.text.scripts import NON_LATIN_LETTER, non_latin_letters

#: Latin letters of every block, the letter-like signs just outside them (ª µ º ² ½: \w but not
#: Latin), other scripts, punctuation above ASCII, Latin Extended Additional and its neighbours
_PIECES = st.sampled_from(
    ["plain", "été", "œdème", "Straße", "ª", "µg", "º", "m²", "½", "×", "÷", "β", "Ω", "中文", "カナ", "кровь",
     "’", "—", "…", "€", "\u00a0", "ạ", "\u1dff", "\u1f00", "ɏ", "ɐ", "ʰ", "\x85", "_", "3", " ", "\n", ""]
)  # fmt: skip


def _reference(texts: list[str]) -> list[bool]:
    return [NON_LATIN_LETTER.search(text) is not None for text in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=8))
def test_batch_equals_the_regex(texts: list[str]) -> None:
    assert non_latin_letters(texts) == _reference(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=6))
def test_batch_of_any_text_equals_the_regex(texts: list[str]) -> None:
    assert non_latin_letters(texts) == _reference(texts)


def test_known_batch_with_a_lone_surrogate() -> None:
    texts = ["plain ascii", "dose in µg", "x\ud800y", "caf\u00e9", "a β b", "", "\ud800β"]
    assert non_latin_letters(texts) == [False, True, False, False, True, False, True] == _reference(texts)
