"""The C fast path of ``clean_text`` decides exactly as the removal pattern does."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from mmed_ift.text.clean import _plainly_clean, _special_pattern, clean_text

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
