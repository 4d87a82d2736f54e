"""The decontamination's batch-at-once forms give what the item-by-item forms they replaced gave.

* ``item_shingles`` reaches each shingle with its text's values by ``np.repeat`` and prepares a
  batch's texts with no per-item lists: checked against the per-item form it replaced (kept here
  as the reference, with the shingling of ``prepared_shingles``' own pieces), on mixed languages,
  short texts, empty options and a given ``n``.
* ``normalized_training_segments_of`` normalises a batch's distinct option texts once: the same
  segments as ``normalized_training_segments`` item by item, inside a build's caches or not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters.base import normalized_item_text, texts_once
from mmed_ift.filters.decontam_shingles import (
    _BOUNDARY_CODES,
    _IS_BOUNDARY,
    _SALT,
    CHARACTER_SCRIPT_N,
    WORD_SCRIPT_N,
    Segments,
    _prepare_stem,
    _prepared_stems,
    item_shingles,
    masked_hashes,
    normalized_training_segments,
    normalized_training_segments_of,
    prepared_shingles,
    window_hashes,
)
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair
from mmed_ift.text.normalize import normalize_text, normalized_once
from mmed_ift.text.scripts import CHARACTER_LANGUAGES
from mmed_ift.text.shingles import mix64

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def _old_prepared_shingles(
    prepared: Sequence[str], langs: Sequence[str], tail_from: Sequence[int], n: int | None
) -> tuple[U64, I64, npt.NDArray[np.bool_]]:
    """``prepared_shingles`` as it was (a gather per shingle of its text's values)."""
    default = [CHARACTER_SCRIPT_N if lang in CHARACTER_LANGUAGES else WORD_SCRIPT_N for lang in langs]
    ns = np.array([n] * len(prepared) if n is not None else default, dtype=np.int64)
    lengths = np.array([len(text) for text in prepared], dtype=np.int64)
    if not prepared or lengths.sum() == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    codes = np.frombuffer("".join(prepared).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.r_[0, np.cumsum(lengths)]
    counts = np.where(lengths >= ns, lengths - ns + 1, np.minimum(lengths, 1))
    owner = np.repeat(np.arange(len(prepared), dtype=np.int64), counts)
    local = np.arange(len(owner), dtype=np.int64) - (np.cumsum(counts) - counts)[owner]
    begin = starts[owner] + local
    longest = int(ns.max())
    text_size = np.minimum(ns, lengths)
    codes = np.concatenate([codes, np.zeros(longest, dtype=np.uint64)])
    combined = window_hashes(codes, longest)[begin]
    short = np.flatnonzero((text_size < longest)[owner])
    combined[short] = masked_hashes(codes, begin[short], text_size[owner[short]], longest)
    return mix64(combined ^ _SALT), owner, local >= np.asarray(tail_from, dtype=np.int64)[owner]


def _old_item_shingles(
    segments: Sequence[Segments], langs: Sequence[str], n: int | None
) -> tuple[list[int], list[int], list[bool], list[bool]]:
    """``item_shingles`` as it was, item by item, its (item, hash) pairs merged in a dictionary."""
    texts: list[str] = []
    text_langs: list[str] = []
    tail_from: list[int] = []
    text_item: list[int] = []
    is_stem: list[bool] = []
    for at, (parts, lang) in enumerate(zip(segments, langs, strict=True)):
        stem, rest = parts.normalized or (normalize_text(parts.stem), tuple(normalize_text(t) for t in parts.rest))
        prepared, start = _prepare_stem(parts.stem, stem, lang)
        texts += [prepared, *([text.replace(" ", "") for text in rest] if lang in CHARACTER_LANGUAGES else rest)]
        tail_from += [start] + [0] * len(rest)
        text_langs += [lang] * (1 + len(rest))
        text_item += [at] * (1 + len(rest))
        is_stem += [True] + [False] * len(rest)
    hashes, owner, tail = _old_prepared_shingles(texts, text_langs, tail_from, n)
    merged: dict[tuple[int, int], tuple[bool, bool]] = {}
    for value, text, in_tail in zip(hashes.tolist(), owner.tolist(), tail.tolist(), strict=True):
        key = (text_item[text], value)
        was_stem, was_tail = merged.get(key, (False, False))
        merged[key] = (was_stem or is_stem[text], was_tail or in_tail)
    keys = sorted(merged)
    return [h for _, h in keys], [i for i, _ in keys], [merged[k][0] for k in keys], [merged[k][1] for k in keys]


WORDS = ["fiebre", "tos", "dolor", "ab", "x", "患者", "男性", "岁", "。", "？", "Todas.", "c;", "\n", "drug"]
phrases = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)


@settings(max_examples=250, deadline=None)
@given(
    st.lists(
        st.tuples(phrases, st.lists(phrases, max_size=5), st.sampled_from(["es", "en", "zh", "ja", "fr"])),
        max_size=8,
    ),
    st.sampled_from([None, None, 3, 4, 5]),
    st.booleans(),
)
def test_item_shingles_are_the_item_by_item_ones(
    records: list[tuple[str, list[str], str]], n: int | None, given_normal: bool
) -> None:
    segments = [Segments(stem, tuple(rest)) for stem, rest, _ in records]
    if given_normal:  # as the build hands them: normalised already
        segments = [
            Segments(p.stem, p.rest, (normalize_text(p.stem), tuple(normalize_text(t) for t in p.rest)))
            for p in segments
        ]
    langs = [lang for _, _, lang in records]
    hashes, items, stem, tail = item_shingles(segments, langs, n)
    assert (hashes.tolist(), items.tolist(), stem.tolist(), tail.tolist()) == _old_item_shingles(segments, langs, n)
    assert (hashes.dtype, items.dtype, stem.dtype, tail.dtype) == (np.uint64, np.int64, np.bool_, np.bool_)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(phrases, st.sampled_from(["en", "ja"])), min_size=1, max_size=6), st.booleans())
def test_prepared_shingles_are_the_gathered_ones(texts: list[tuple[str, str]], tails: bool) -> None:
    prepared = [text for text, _ in texts]
    langs = [lang for _, lang in texts]
    tail_from = [len(text) // 2 for text in prepared]
    got = prepared_shingles(prepared, langs, tail_from if tails else None)
    expected = _old_prepared_shingles(prepared, langs, tail_from if tails else [0] * len(prepared), None)
    assert [part.tolist() for part in got] == [part.tolist() for part in expected]


STEM_CHARS = "ab .:;?!\n。？！；，, \t\u3000\u2028é患者"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.sampled_from(STEM_CHARS) | st.characters(codec="utf-8"), max_size=30),
            st.sampled_from(["en", "es", "zh", "ja"]),
        ),
        max_size=8,
    )
)
def test_batch_stems_are_prepared_as_one_by_one(stems: list[tuple[str, str]]) -> None:
    # one-sentence stems found for the batch at once; the others (and zh/ja) split one by one
    texts = [text for text, _ in stems]
    langs = [lang for _, lang in stems]
    normalized = [normalize_text(text) for text in texts]
    expected = [_prepare_stem(text, normal, lang) for text, normal, lang in zip(texts, normalized, langs, strict=True)]
    assert _prepared_stems(texts, normalized, langs) == expected


def test_the_boundary_table_answers_isin_for_every_code_point() -> None:
    # the table covers the Basic Multilingual Plane; a code point above it reads its last entry
    every = np.arange(0x110000, dtype=np.uint32)
    assert np.array_equal(_IS_BOUNDARY.take(every, mode="clip"), np.isin(every, _BOUNDARY_CODES))


OPTIONS = ["Todas son correctas.", "ASPIRINA", "aspirina", "¿?", "１２ mg", "ninguna", "Σίσυφος", "x"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["mc", "mc", "qa", "passage"]),
            phrases.map(lambda text: f"Pregunta {text}"),
            st.lists(st.sampled_from(OPTIONS), min_size=2, max_size=5),
            st.booleans(),
        ),
        max_size=8,
    ),
    st.booleans(),
    st.booleans(),
)
def test_batch_segments_are_the_item_by_item_ones(
    records: list[tuple[str, str, list[str], bool]], in_build: bool, memo: bool
) -> None:
    items: list[Item] = []
    for at, (kind, question, options, in_order) in enumerate(records):
        if kind == "mc":
            keys = ("ABCDE" if in_order else "CAEBD")[: len(options)]
            opts = dict(zip(keys, options, strict=False))
            items.append(
                MCQuestion(
                    source="headqa",
                    source_id=f"{at}",
                    lang="es",
                    split="train",
                    question=question,
                    options=opts,
                    answer=[keys[0]],
                )
            )
        elif kind == "qa":
            items.append(
                QAPair(
                    source="medquad", source_id=f"{at}", lang="en", split="train", question=question, answer=options[0]
                )
            )
        else:
            items.append(
                Passage(source="wiki", source_id=f"{at}", lang="fr", split="train", title=options[0], text=question)
            )

    def both() -> tuple[list[Segments], list[Segments]]:
        if in_build:  # as in a build: an earlier filter normalised the item texts
            for item in items:
                normalized_item_text(item)
        return normalized_training_segments_of(items), [normalized_training_segments(item) for item in items]

    with texts_once():
        if memo:
            with normalized_once():
                batch, single = both()
        else:
            batch, single = both()
    assert [(s.stem, s.rest, s.normalized) for s in batch] == [(s.stem, s.rest, s.normalized) for s in single]
