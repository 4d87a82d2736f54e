"""Language-aware shingling, vectorised: a batch of texts -> 64-bit shingle hashes per text.

Space-delimited languages (en fr ru es) are shingled as word n-grams; Chinese and Japanese,
which have no spaces, as character n-grams.  Hashing one Python string per shingle is what makes
the usual MinHash code slow (tens of millions of calls for a corpus), so words are hashed once
each (a vocabulary cache) and n-grams are combined from the word hashes with numpy arithmetic;
characters need no hashing at all (their code points are mixed the same way).  A text shorter
than ``n`` units becomes one shingle of all its units, so short items still compare.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import xxhash

from mmed_ift.filters.normalize import normalize_text
from mmed_ift.filters.scripts import CHARACTER_LANGUAGES

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


def _finalize(values: U64) -> U64:
    """splitmix64 finaliser: spreads the combined n-gram value over all 64 bits."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(30))
        values = values * np.uint64(0xBF58476D1CE4E5B9)
        values = values ^ (values >> np.uint64(27))
        values = values * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


@dataclass
class ShingleBatch:
    """Concatenated shingle hashes of a batch: text ``i`` owns ``hashes[offsets[i]:offsets[i+1]]``."""

    hashes: U64
    offsets: npt.NDArray[np.int64]

    def of(self, index: int) -> U64:
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]


@dataclass
class Shingler:
    """Turns texts into shingle hashes; ``word_n`` / ``char_n`` are the n-gram sizes."""

    word_n: int = 3
    char_n: int = 3
    _vocabulary: dict[str, int] = field(default_factory=dict, repr=False)

    def units(self, text: str, lang: str) -> U64:
        """Hashes of the words (or characters) of one normalised text."""
        normalized = normalize_text(text)
        if lang in CHARACTER_LANGUAGES:
            compact = normalized.replace(" ", "")
            return np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        vocabulary = self._vocabulary
        ids = []
        for word in _WORD.findall(normalized):
            value = vocabulary.get(word)
            if value is None:
                value = xxhash.xxh3_64_intdigest(word.encode("utf-8"))
                vocabulary[word] = value
            ids.append(value)
        return np.array(ids, dtype=np.uint64)

    def shingle(self, texts: Sequence[str], langs: Sequence[str]) -> ShingleBatch:
        """Shingle hashes of every text; texts are grouped by n so the n-gram step is vectorised."""
        per_text: list[U64] = []
        for text, lang in zip(texts, langs, strict=True):
            per_text.append(self.units(text, lang))
        ns = np.array([self.char_n if lang in CHARACTER_LANGUAGES else self.word_n for lang in langs], dtype=np.int64)
        return self._ngrams(per_text, ns)

    def _ngrams(self, per_text: list[U64], ns: npt.NDArray[np.int64]) -> ShingleBatch:
        lengths = np.array([len(units) for units in per_text], dtype=np.int64)
        units = np.concatenate(per_text) if per_text else np.zeros(0, dtype=np.uint64)
        starts = np.zeros(len(per_text) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        # shingles per text: length-n+1, or 1 for a short (but non-empty) text, 0 for an empty one
        counts = np.where(lengths >= ns, lengths - ns + 1, np.minimum(lengths, 1))
        offsets = np.zeros(len(per_text) + 1, dtype=np.int64)
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
            # position of every shingle start in `units`, for the texts long enough for n-grams
            text_index = np.repeat(np.flatnonzero(full), counts[full])
            local = np.arange(len(text_index)) - np.repeat(np.cumsum(counts[full]) - counts[full], counts[full])
            begin = starts[:-1][text_index] + local
            combined = np.zeros(len(text_index), dtype=np.uint64)
            with np.errstate(over="ignore"):
                for k in range(n):
                    combined += units[begin + k] * _MIX[k % len(_MIX)]
            out[offsets[:-1][text_index] + local] = _finalize(combined)
        short = selected & (lengths < n) & (lengths > 0)
        for index in np.flatnonzero(short):
            segment = units[starts[index] : starts[index + 1]]
            with np.errstate(over="ignore"):
                whole = (segment * np.resize(_MIX, len(segment))).sum(dtype=np.uint64)
            out[offsets[index]] = _finalize(np.array([whole], dtype=np.uint64))[0]
