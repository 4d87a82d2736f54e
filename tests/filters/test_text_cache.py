"""Inside ``texts_once`` every filter reads one text per item, normalised once, the same as outside."""

from __future__ import annotations

from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from mmed_ift.filters import base
from mmed_ift.filters.base import item_text, normalized_item_text, texts_once
from mmed_ift.schemas import MCQuestion
from mmed_ift.text import normalize
from mmed_ift.text.normalize import normalize_text


def _question(stem: str, option: str) -> MCQuestion:
    return MCQuestion(
        source="medqa", source_id=f"id-{abs(hash((stem, option)))}", lang="en", split="train", license="MIT",
        question=stem, options={"A": option, "B": "Insulin"}, answer=["A"],
    )  # fmt: skip


_TEXT = st.text(min_size=1, max_size=40).filter(lambda text: text.strip() != "")


@given(_TEXT, _TEXT)
def test_same_text_inside_and_outside(stem: str, option: str) -> None:
    item = _question(stem, option)
    outside = (item_text(item), normalized_item_text(item))
    with texts_once():
        assert (item_text(item), normalized_item_text(item)) == outside
        assert (item_text(item), normalized_item_text(item)) == outside  # from the caches
    assert (item_text(item), normalized_item_text(item)) == outside


def test_each_item_built_and_normalised_once_per_block() -> None:
    items = [_question("A 40-year-old man has fever.", "Metformin"), _question("Same, SAME!", "x")]
    with (
        mock.patch.object(base, "_item_text", wraps=base._item_text) as build,
        mock.patch.object(normalize, "_normalize", wraps=normalize._normalize) as normalise,
    ):
        with texts_once():
            for _ in range(5):  # five filters asking
                for item in items:
                    normalize_text(item_text(item))
        assert build.call_count == 2 and normalise.call_count == 2
        normalize_text(item_text(items[0]))  # after the block: no cache, computed again
        assert build.call_count == 3 and normalise.call_count == 3


@given(_TEXT, _TEXT)
def test_normalised_first_then_text(stem: str, option: str) -> None:
    """Asked for its normalised text first, an item's cache entry still gives the same text after."""
    item = _question(stem, option)
    outside = (item_text(item), normalized_item_text(item))
    with texts_once():
        normalised = normalized_item_text(item)
        assert (item_text(item), normalised, normalized_item_text(item)) == (outside[0], *outside[1:], outside[1])
