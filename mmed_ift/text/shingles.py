"""Language-aware shingling, vectorised: a batch of texts -> 64-bit shingle hashes per text.

Space-delimited languages (en fr ru es) are shingled as word n-grams; Chinese and Japanese,
which have no spaces, as character n-grams.  Hashing one Python string per shingle is what makes
the usual MinHash code slow (tens of millions of calls for a corpus), so words are hashed once
in polars' Rust kernels and n-grams are combined from the word hashes with numpy arithmetic;
characters need no hashing at all (their code points are mixed the same way).  A text shorter
than ``n`` units becomes one shingle of all its units, so short items still compare.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from mmed_ift.text.normalize import normalize_text
from mmed_ift.text.scripts import CHARACTER_LANGUAGES

U64 = npt.NDArray[np.uint64]
_WORD = re.compile(r"\w+")
#: odd 64-bit multipliers for combining the units of an n-gram (fixed: results are reproducible)
_MIX = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
        0x2545F4914F6CDD1D,
        0x9FB21C651E98DF25,
    ],
    dtype=np.uint64,
)


def mix64(values: U64) -> U64:
    """splitmix64 finaliser: spreads the combined n-gram value over all 64 bits."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(30))
        values = values * np.uint64(0xBF58476D1CE4E5B9)
        values = values ^ (values >> np.uint64(27))
        values = values * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


_NO_UNITS = np.zeros(0, dtype=np.uint64)
#: fixed seed of polars' string hash: the same words get the same hashes in every run
_WORD_HASH_SEED = 0x6D6D6564


def word_hashes_flat(normalized_texts: list[str]) -> tuple[U64, npt.NDArray[np.int64]]:
    """The word hashes of all texts in one array, and each text's word count.

    Splitting and hashing run in polars' Rust kernels: per-word Python calls (a dict lookup or
    an xxhash call per word) cost about as much as the whole MinHash step.  Normalised text is
    words separated by single spaces, so a split on " " finds exactly the words.
    """
    # handed over as UTF-8 bytes: given a ``str`` that is not ASCII, the conversion leaves a UTF-8
    # copy cached inside it for the string's lifetime, and these texts live in the chain's text
    # cache (``filters.base``, a normalised text per item still kept): ~250 bytes a French or
    # Spanish record, for ~0.1 s of CPU per 200k texts (measured); the hashes are the same
    words = pl.Series([text.encode() for text in normalized_texts], dtype=pl.Binary).cast(pl.String).str.split(" ")
    lengths = words.list.len().to_numpy().astype(np.int64, copy=False)
    hashes = words.explode().hash(seed=_WORD_HASH_SEED).to_numpy().astype(np.uint64, copy=False)
    return hashes, lengths


@dataclass
class ShingleBatch:
    """Concatenated shingle hashes of a batch: text ``i`` owns ``hashes[offsets[i]:offsets[i+1]]``."""

    hashes: U64
    offsets: npt.NDArray[np.int64]

    def of(self, index: int) -> U64:
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]

    def take(self, rows: npt.NDArray[np.int64]) -> ShingleBatch:
        """The batch of texts ``rows`` (in that order), without a Python loop over them."""
        sizes = self.offsets[1:][rows] - self.offsets[:-1][rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        source = np.repeat(self.offsets[:-1][rows] - offsets[:-1], sizes) + np.arange(offsets[-1])
        return ShingleBatch(self.hashes[source], offsets)

    @staticmethod
    def concatenate(batches: Sequence[ShingleBatch]) -> ShingleBatch:
        """One batch of the texts of ``batches``, in order."""
        if not batches:
            return ShingleBatch(np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64))
        sizes = np.concatenate([np.diff(batch.offsets) for batch in batches])
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return ShingleBatch(np.concatenate([batch.hashes for batch in batches]), offsets)


@dataclass
class Shingler:
    """Turns texts into shingle hashes; ``word_n`` / ``char_n`` are the n-gram sizes."""

    word_n: int = 3
    char_n: int = 3

    def units(self, text: str, lang: str) -> U64:
        """Hashes of the words (or characters) of one normalised text."""
        return self._flat_units([normalize_text(text)], [lang])[0]

    def shingle(self, texts: Sequence[str], langs: Sequence[str]) -> ShingleBatch:
        """Shingle hashes of every text; texts are grouped by n so the n-gram step is vectorised."""
        if len(texts) != len(langs):
            raise ValueError(f"{len(texts)} texts but {len(langs)} languages")
        return self.shingle_normalized([normalize_text(text) for text in texts], langs)

    def shingle_normalized(self, normalized: Sequence[str], langs: Sequence[str]) -> ShingleBatch:
        """:meth:`shingle` of texts whose normal forms (:func:`~mmed_ift.text.normalize.normalize_text`)
        are ``normalized``: for a caller that has them already (near dedup reads the chain's
        cache), so no text is looked up in the normalisation memo or normalised again."""
        if len(normalized) != len(langs):
            raise ValueError(f"{len(normalized)} texts but {len(langs)} languages")
        ns = np.array([self.char_n if lang in CHARACTER_LANGUAGES else self.word_n for lang in langs], dtype=np.int64)
        units, lengths = self._flat_units(normalized, langs)
        return self._ngrams(units, lengths, ns)

    @staticmethod
    def _flat_units(normalized: Sequence[str], langs: Sequence[str]) -> tuple[U64, npt.NDArray[np.int64]]:
        """The units of a batch (word hashes, or code points for zh/ja, spaces dropped) as one
        array in text order, and each text's count: the character texts' code points from one
        encoding of their joined text, the word texts' hashes from one polars call, each placed
        at its texts' offsets (no array per text: a mixed batch of 20k texts made 20k small
        arrays, split and joined again).  A batch of words only is polars' hashes as they come."""
        lengths = np.zeros(len(normalized), dtype=np.int64)
        characters = [at for at, lang in enumerate(langs) if lang in CHARACTER_LANGUAGES]
        words = [at for at, lang in enumerate(langs) if lang not in CHARACTER_LANGUAGES and normalized[at]]
        word_units, lengths[words] = word_hashes_flat([normalized[at] for at in words]) if words else (_NO_UNITS, 0)
        if not characters:  # an empty text has no units: the hashes are the batch's, in order
            return word_units, lengths
        compact = [normalized[at].replace(" ", "") for at in characters]
        lengths[characters] = [len(text) for text in compact]
        starts = np.zeros(len(normalized) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        units = np.empty(int(starts[-1]), dtype=np.uint64)
        code_points = np.frombuffer("".join(compact).encode("utf-32-le"), dtype=np.uint32)
        for texts, values in ((characters, code_points), (words, word_units)):
            sizes = lengths[texts]
            # each text's run of values goes to its own offset in the batch
            units[np.repeat(starts[texts] - (np.cumsum(sizes) - sizes), sizes) + np.arange(len(values))] = values
        return units, lengths

    def _ngrams(self, units: U64, lengths: npt.NDArray[np.int64], ns: npt.NDArray[np.int64]) -> ShingleBatch:
        """The shingles of a batch whose text ``i`` has the ``lengths[i]`` units after those of
        the texts before it in ``units``."""
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        # shingles per text: length-n+1, or 1 for a short (but non-empty) text, 0 for an empty one
        counts = np.where(lengths >= ns, lengths - ns + 1, np.minimum(lengths, 1))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        out = np.empty(int(offsets[-1]), dtype=np.uint64)
        for n in np.unique(ns):
            self._fill(units, starts, lengths, counts, offsets, ns == n, int(n), out)
        return ShingleBatch(out, offsets)

    @staticmethod
    def _fill(
        units: U64,
        starts: npt.NDArray[np.int64],
        lengths: npt.NDArray[np.int64],
        counts: npt.NDArray[np.int64],
        offsets: npt.NDArray[np.int64],
        selected: npt.NDArray[np.bool_],
        n: int,
        out: U64,
    ) -> None:
        full = selected & (lengths >= n)
        if full.any():
            # every window of n consecutive units of the whole batch, n contiguous passes; the
            # windows that start in a long-enough text of this n and end inside it are its shingles
            windows = len(units) - n + 1
            combined = units[:windows] * _MIX[0]
            with np.errstate(over="ignore"):
                for k in range(1, n):
                    combined += units[k : k + windows] * _MIX[k % len(_MIX)]
            inside = np.zeros(len(units) + 1, dtype=np.int64)
            np.add.at(inside, starts[:-1][full], 1)
            np.add.at(inside, starts[:-1][full] + counts[full], -1)
            valid = np.flatnonzero(np.cumsum(inside[:windows]) > 0)
            if bool((full | (counts == 0)).all()):
                out[:] = mix64(combined[valid])  # every shingle of the batch, already in order
            else:
                # a unit's shingle goes to the same place in ``out`` as the unit is in ``units``,
                # shifted by its text's offset difference
                shift = np.repeat(offsets[:-1] - starts[:-1], lengths)
                out[valid + shift[valid]] = mix64(combined[valid])
        short = selected & (lengths < n) & (lengths > 0)
        for index in np.flatnonzero(short):
            segment = units[starts[index] : starts[index + 1]]
            with np.errstate(over="ignore"):
                whole = (segment * np.resize(_MIX, len(segment))).sum(dtype=np.uint64)
            out[offsets[index]] = mix64(np.array([whole], dtype=np.uint64))[0]
