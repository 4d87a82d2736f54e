"""Benchmark decontamination: no training item may contain a test question.

The index is built from every held-out item of the build (test splits, MedMCQA's validation
split, evaluation-only sources such as XMedBench), grouped by benchmark (``source/split``).
A training item is contaminated when

* it shares a long n-gram with a benchmark question: ``word_n`` words for space-delimited
  languages (13, as in the GPT-3 contamination study), ``char_n`` characters for zh/ja; a
  question shorter than that (but of at least 6 words / 12 characters) is matched whole,
  anywhere in the training text; or
* it is a near-duplicate of one (MinHash LSH candidates confirmed by exact Jaccard >=
  ``near_threshold`` on question + options), which catches re-worded copies.

The report lists what was removed per benchmark.  The same index audits a finished build
(``python -m mmed_ift contamination --out DIR``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from mmed_ift.filters.base import Evidence, ItemFilter, NoStats, Outcome, Rejection, describe, item_text
from mmed_ift.schemas import Item, MCQuestion, QAPair
from mmed_ift.text.minhash import LSHParams, band_keys, jaccard, signatures
from mmed_ift.text.scripts import CHARACTER_LANGUAGES
from mmed_ift.text.shingles import Shingler


def benchmark_name(item: Item) -> str:
    return f"{item.source}/{item.split}"


def question_text(item: Item) -> str:
    """What a benchmark item contributes to the n-gram index: the question (or passage) itself."""
    if isinstance(item, MCQuestion | QAPair):
        return item.question
    return item.text


#: a benchmark question shorter than the n-gram is matched whole, if it has at least this many
#: units: below that ("Which is correct?") a match says nothing about contamination
MIN_SHORT_WORDS = 6
MIN_SHORT_CHARS = 12


@dataclass
class DecontamConfig:
    word_n: int = 13
    char_n: int = 30
    near_threshold: float = 0.8
    lsh_threshold: float = 0.6
    num_perm: int = 128
    #: shingle size for the near-duplicate check (same as the dedup step)
    near_word_n: int = 3
    near_char_n: int = 3


@dataclass(frozen=True)
class Hit:
    benchmark: str
    benchmark_id: str
    how: str


class BenchmarkIndex:
    """Long n-grams and MinHash bands of the held-out questions, queried in batches."""

    def __init__(self, benchmark_items: Sequence[Item], config: DecontamConfig | None = None) -> None:
        self.config = config or DecontamConfig()
        self.items = list(benchmark_items)
        self.sizes = Counter(benchmark_name(item) for item in self.items)
        self._ngrams = Shingler(self.config.word_n, self.config.char_n)
        self._near = Shingler(self.config.near_word_n, self.config.near_char_n)
        self._params = LSHParams.for_threshold(self.config.lsh_threshold, self.config.num_perm)
        langs = [item.lang for item in self.items]
        questions = [question_text(item) for item in self.items]
        long_items = []
        #: (character script?, unit count) -> hashes and owners of questions shorter than n units
        self._short: dict[tuple[bool, int], tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]] = {}
        short_found: dict[tuple[bool, int], list[tuple[int, int]]] = defaultdict(list)
        for index, (question, lang) in enumerate(zip(questions, langs, strict=True)):
            units = len(self._ngrams.units(question, lang))
            is_char = lang in CHARACTER_LANGUAGES
            n, minimum = (self.config.char_n, MIN_SHORT_CHARS) if is_char else (self.config.word_n, MIN_SHORT_WORDS)
            if units >= n:
                long_items.append(index)
            elif units >= minimum:
                short_found[(is_char, units)].append((int(self._ngrams.shingle([question], [lang]).hashes[0]), index))
        for key, found in short_found.items():
            found.sort()
            self._short[key] = (
                np.array([value for value, _ in found], dtype=np.uint64),
                np.array([owner for _, owner in found], dtype=np.int64),
            )
        grams = self._ngrams.shingle([questions[index] for index in long_items], [langs[index] for index in long_items])
        owners = np.repeat(np.array(long_items, dtype=np.int64), np.diff(grams.offsets))
        order = np.argsort(grams.hashes, kind="stable")
        self._gram_hashes = grams.hashes[order]
        self._gram_owner = owners[order]
        near = self._near.shingle([item_text(item) for item in self.items], langs)
        self._near_sets = [np.unique(near.of(index)) for index in range(len(self.items))]
        signature = signatures(near, self.config.num_perm)
        self._signature_params = (signature.num_perm, signature.seed)
        usable = signature.usable()
        self._buckets: list[dict[int, list[int]]] = []
        for keys in band_keys(signature, self._params):
            bucket: dict[int, list[int]] = defaultdict(list)
            for index in np.flatnonzero(usable).tolist():
                bucket[int(keys[index])].append(index)
            self._buckets.append(bucket)

    def __len__(self) -> int:
        return len(self.items)

    def check(self, texts: Sequence[str], langs: Sequence[str]) -> list[Hit | None]:
        """For each text, the first benchmark item it is contaminated by, or None."""
        hits: list[Hit | None] = [None] * len(texts)
        if not self.items or not texts:
            return hits
        how = f"shares a {self.config.word_n}-word / {self.config.char_n}-character sequence"
        self._lookup(self._ngrams, range(len(texts)), texts, langs, self._gram_hashes, self._gram_owner, how, hits)
        for (is_char, units), (hashes, owners) in sorted(self._short.items()):
            pending = [
                index
                for index, hit in enumerate(hits)
                if hit is None and (langs[index] in CHARACTER_LANGUAGES) == is_char
            ]
            if pending:
                shingler = Shingler(units, units)
                self._lookup(shingler, pending, texts, langs, hashes, owners, "contains the whole question", hits)
        self._check_near(texts, langs, hits)
        return hits

    def _lookup(
        self,
        shingler: Shingler,
        indices: Sequence[int],
        texts: Sequence[str],
        langs: Sequence[str],
        hashes: npt.NDArray[np.uint64],
        owners: npt.NDArray[np.int64],
        how: str,
        hits: list[Hit | None],
    ) -> None:
        """Mark the texts (of ``indices``) having an n-gram among the sorted ``hashes``."""
        if len(hashes) == 0:
            return
        chosen = list(indices)
        grams = shingler.shingle([texts[index] for index in chosen], [langs[index] for index in chosen])
        position = np.minimum(np.searchsorted(hashes, grams.hashes), len(hashes) - 1)
        found = hashes[position] == grams.hashes
        owner_of_text = np.repeat(np.arange(len(chosen)), np.diff(grams.offsets))
        for shingle in np.flatnonzero(found).tolist():
            text_index = chosen[int(owner_of_text[shingle])]
            if hits[text_index] is None:
                bench = self.items[int(owners[position[shingle]])]
                hits[text_index] = Hit(benchmark_name(bench), bench.source_id, how)

    def _check_near(self, texts: Sequence[str], langs: Sequence[str], hits: list[Hit | None]) -> None:
        pending = [index for index, hit in enumerate(hits) if hit is None]
        if not pending:
            return
        near = self._near.shingle([texts[index] for index in pending], [langs[index] for index in pending])
        signature = signatures(near, self.config.num_perm)
        signature.require_compatible(*self._signature_params)
        per_band = list(band_keys(signature, self._params))
        usable = signature.usable()
        for row, text_index in enumerate(pending):
            if not usable[row]:
                continue
            candidates: set[int] = set()
            for band, keys in enumerate(per_band):
                candidates.update(self._buckets[band].get(int(keys[row]), ()))
            if not candidates:
                continue
            own = np.unique(near.of(row))
            for bench_index in sorted(candidates):
                similarity = jaccard(own, self._near_sets[bench_index])
                if similarity >= self.config.near_threshold:
                    bench = self.items[bench_index]
                    hits[text_index] = Hit(
                        benchmark_name(bench), bench.source_id, f"near-duplicate (Jaccard {similarity:.2f})"
                    )
                    break


@dataclass(frozen=True)
class ContaminationEvidence(Evidence):
    benchmark: str  # source/split of the benchmark
    benchmark_id: str
    how: str
    item: str  # the training item (source:source_id)


@dataclass
class Decontaminate(ItemFilter[NoStats]):
    """Reject training items that contain or paraphrase a held-out benchmark question."""

    evidence_type: ClassVar[type[Evidence]] = ContaminationEvidence

    benchmark_items: Sequence[Item] = ()
    config: DecontamConfig = field(default_factory=DecontamConfig)
    name: str = "decontam"

    def __post_init__(self) -> None:
        self.index = BenchmarkIndex(self.benchmark_items, self.config)

    def new_stats(self) -> NoStats:
        return NoStats()

    def judge(self, items: Sequence[Item], stats: NoStats) -> list[Outcome]:
        hits = self.index.check([item_text(item) for item in items], [item.lang for item in items])
        outcomes: list[Outcome] = []
        for item, hit in zip(items, hits, strict=True):
            if hit is None:
                outcomes.append(item)
                continue
            evidence = ContaminationEvidence(hit.benchmark, hit.benchmark_id, hit.how, describe(item))
            detail = f"{hit.how} with {hit.benchmark} item {hit.benchmark_id}"
            outcomes.append(self.reject(item, "contaminated", evidence, detail))
        return outcomes

    def details(self, stats: NoStats, rejections: Sequence[Rejection]) -> dict[str, Any]:
        removed: Counter[str] = Counter()
        examples: dict[str, list[str]] = defaultdict(list)
        for rejection in rejections:
            evidence = rejection.evidence
            assert isinstance(evidence, ContaminationEvidence)
            removed[evidence.benchmark] += 1
            if len(examples[evidence.benchmark]) < 5:
                examples[evidence.benchmark].append(f"{evidence.item} ~ {evidence.benchmark_id}")
        return {
            "benchmarks": {
                name: {"items": size, "removed": removed[name]} for name, size in sorted(self.index.sizes.items())
            },
            "examples": dict(examples),
            "word_n": self.config.word_n,
            "char_n": self.config.char_n,
            "near_threshold": self.config.near_threshold,
        }
