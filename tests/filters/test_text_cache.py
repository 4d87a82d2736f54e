"""Inside ``texts_once`` every filter reads one text per item, normalised once, the same as outside."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
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


def _entries() -> dict[int, list[object]]:
    """The cache as id -> [held item, text or None, normalised text or None]; checks on the way
    that each entry is one text or the other and that exactly the items with an entry are held
    (no id of an entry can be reused while it lasts)."""
    cache = base._TEXTS.get()
    assert cache is not None
    assert not set(cache.raw) & set(cache.normal)
    held = {id(item): item for item in cache.held}
    assert len(held) == len(cache.held) and set(held) == set(cache.raw) | set(cache.normal)
    return {key: [item, cache.raw.get(key), cache.normal.get(key)] for key, item in held.items()}


@given(_TEXT, _TEXT)
def test_normalised_text_replaces_the_text_and_stays_out_of_the_memo(stem: str, option: str) -> None:
    """Once normalised, an item's entry keeps the normal form only (its text is rebuilt when
    asked, equal), and the normalisation memo holds no copy keyed by the text."""
    item = _question(stem, option)
    outside = (item_text(item), normalized_item_text(item))
    with texts_once():
        assert item_text(item) == outside[0]  # cached first
        assert normalized_item_text(item) == outside[1]
        assert _entries()[id(item)][1:] == [None, outside[1]]
        memo = normalize._MEMO.get()
        assert memo is not None and outside[0] not in memo
        assert (item_text(item), normalized_item_text(item)) == outside
        assert _entries()[id(item)][1] is None  # the rebuilt text is not kept


def test_retain_texts_forgets_rejected_items() -> None:
    items = [_question("Kept stem?", "a"), _question("Rejected stem?", "b"), _question("Third stem?", "c")]
    with texts_once():
        for item in items:
            normalized_item_text(item)
        base.retain_texts([items[0], items[2]])
        assert set(_entries()) == {id(items[0]), id(items[2])}
        base.retain_texts([])
        assert _entries() == {}
    base.retain_texts(items)  # outside a block: nothing to do


def test_retain_texts_given_the_steps_items_forgets_what_it_did_not_keep() -> None:
    items = [_question("Kept stem?", "a"), _question("Rewritten stem?", "b"), _question("Third stem?", "c")]
    with texts_once():
        for item in items:
            normalized_item_text(item)
        base.retain_texts(list(items), items)  # every item kept, the same objects: all entries stay
        assert set(_entries()) == {id(item) for item in items}
        # as many items, one of them a new object (a step that rewrote it): the old one's entry goes
        rewritten = [items[0], _question("Rewritten stem!", "b"), items[2]]
        base.retain_texts(rewritten, items)
        assert set(_entries()) == {id(items[0]), id(items[2])}
        base.retain_texts([items[2]], [items[0], items[2]])  # one rejected
        assert set(_entries()) == {id(items[2])}


def test_run_filters_drops_the_entries_of_rejected_items() -> None:
    """The local chain forgets a rejected item's texts after the step that rejected it."""
    from mmed_ift.filters.exact_dedup import ExactDedup
    from mmed_ift.pipeline import stages
    from mmed_ift.pipeline.report import BuildReport

    items = [_question("Same stem?", "a"), _question("Same stem?", "a"), _question("Other stem?", "b")]
    items[1] = items[1].model_copy(update={"source_id": "dup"})
    seen: list[set[int]] = []

    class Probe(ExactDedup):
        def process(self, batch: list[base.Item]) -> base.StepResult:
            seen.append(set(_entries()))
            return super().process(batch)

    kept, rejects = stages.run_filters([ExactDedup(), Probe()], items, BuildReport(), progress=False)
    assert len(kept) == 2 and len(rejects) == 1
    assert seen == [{id(item) for item in kept}]


def test_primed_texts_are_not_normalised_again_and_leave_the_memo() -> None:
    items = [_question("Primed stem, one?", "x"), _question("Primed stem, two!", "y")]
    with texts_once():
        expected = [normalized_item_text(item) for item in items]
        with mock.patch.object(normalize, "_normalize", wraps=normalize._normalize) as normalise:
            with base.normalized_item_texts(items) as texts:
                assert texts == expected
                assert [normalize_text(text) for text in texts] == expected
            assert normalise.call_count == 0
        assert normalize._MEMO.get() == {}
    with base.normalized_item_texts(items) as texts:  # no block at all: a memo for the call only
        assert texts == [normalize_text(base._item_text(item)) for item in items]
    assert normalize._MEMO.get() is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=6))
def test_near_dedup_reads_what_the_raw_texts_give(pairs: list[tuple[str, str]]) -> None:
    """Near dedup hands its shingler the primed normal forms: the bucket keys and node payloads
    equal those the shingler computes from the raw item texts (the old path)."""
    from mmed_ift.filters import near_dedup
    from mmed_ift.filters.near_dedup import NearDedup, shingle_sets

    items = [_question(stem, option) for stem, option in pairs]
    dedup = NearDedup()
    config = dedup.config
    langs = [item.lang for item in items]
    raw = [base._item_text(item) for item in items]  # the old path: the shingler normalises these
    signature = near_dedup.signatures(config.shingler().shingle(raw, langs), config.num_perm, config.seed)
    expected_keys = [keys.tolist() for keys in near_dedup.band_keys(signature, config.lsh_params())]
    expected_sets = [values.tolist() for values in shingle_sets(config.shingler(), raw, langs)]
    for scope in (texts_once, normalize.normalized_once):
        with scope():
            keys = dedup.bucket_keys(items)
            nodes = dedup.nodes(list(range(len(items))), items)
        assert [band.tolist() for band in keys.keys] == expected_keys
        assert keys.usable.tolist() == signature.usable().tolist()
        sets = [near_dedup.unpack(node.shingles)[0].tolist() for node in nodes]
        assert sets == expected_sets


def test_primed_keeps_entries_that_were_there_before() -> None:
    with normalize.normalized_once():
        normalize_text("Before, already.")
        with normalize.primed(["Before, already.", "New one!"], ["before already", "new one"]):
            pass
        memo = normalize._MEMO.get()
        assert memo is not None and set(memo) == {"Before, already."}


def test_primed_puts_back_what_it_replaced() -> None:
    """A text primed with a value other than the memo's own (a normal form handed to a shingler
    that equals another item's raw text) gets its old memo value back when the block ends."""
    with normalize.normalized_once():
        assert normalize_text("Odd, Text.") == "odd text"
        with normalize.primed(["Odd, Text."], ["Odd, Text."]):
            assert normalize_text("Odd, Text.") == "Odd, Text."
        assert normalize_text("Odd, Text.") == "odd text"
        memo = normalize._MEMO.get()
        assert memo == {"Odd, Text.": "odd text"}


def test_entries_hold_their_items_until_retain_texts_forgets_them() -> None:
    """A cached item stays referenced by the cache (its id cannot name another object while its
    entry lasts), through the move from text to normal form, and is let go of with its entry."""
    import gc
    import weakref

    class Probe(dict):  # type: ignore[type-arg]
        """A stand-in whose death is observable (the models take no weak references)."""

    with texts_once():
        item = _question("Held stem?", "z")
        watch = Probe()
        object.__setattr__(item, "__pydantic_private__", watch)  # dies with the item
        gone = weakref.ref(watch)
        del watch
        item_text(item)
        normalized_item_text(item)
        item_text(item)
        key = id(item)
        del item
        gc.collect()
        assert gone() is not None and key in _entries()
        base.retain_texts([])
        gc.collect()
        assert gone() is None and _entries() == {}
