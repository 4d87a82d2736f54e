"""Benchmark decontamination: no training item may repeat a held-out benchmark item.

The index is built from every held-out item of the build (test splits, MedMCQA's validation
split, evaluation-only sources such as XMedBench), grouped by benchmark (``source/split``).
Training items are compared *item with item* (:mod:`mmed_ift.filters.decontam_index`): an MC
question with its options (letters dropped, order ignored) against each benchmark question with
its options, by the IDF-weighted share of character shingles they have in common, so stock
phrasing weighs nothing and edited, reordered or re-lettered repeats still score high.  A
knowledge record (QA pair, passage) is removed when it contains a benchmark question (with or
without its options).  A record is removed when its best score reaches ``threshold`` and the
shared evidence reaches ``min_shared`` rare shingles (a short stock question never suffices).

Every removal names the benchmark item (benchmark, id, location), the score and the longest
shared span.  The same index audits a finished build (``python -m mmed_ift contamination``).
See docs/decontamination.md for the labelled evaluation and the measured precision and recall.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mmed_ift.filters.base import Evidence, ItemFilter, NoStats, Outcome, Rejection, describe
from mmed_ift.filters.decontam_index import Match, ShingleIndex
from mmed_ift.filters.decontam_shingles import (
    Segments,
    benchmark_segments,
    normalized_training_segments_of,
    training_segments,
)
from mmed_ift.filters.decontam_versions import VersionLinks, version_group
from mmed_ift.filters.decontam_xling import CrossConfig, CrossHit, CrossLingualIndex, cognate_words, family
from mmed_ift.filters.decontam_xling_lexicon import learn_lexicons
from mmed_ift.schemas import Item, MCQuestion, QAPair
from mmed_ift.text.normalize import normalize_text

#: the score from which a record repeats a benchmark item (calibrated on the labelled set)
DEFAULT_THRESHOLD = 0.5
#: shared evidence needed besides the score, in rare shingles (one held by a single benchmark
#: item weighs log(N+1)): a short stock question never suffices however high its score
DEFAULT_MIN_SHARED = 5.0
#: the score an MC record's question part (last stem sentence + options) must reach as well: the
#: same clinical case asked with another question is another item
DEFAULT_QUESTION_THRESHOLD = 0.3


def benchmark_name(item: Item) -> str:
    return f"{item.source}/{item.split}"


def question_text(item: Item) -> str:
    """The question (or passage) of a benchmark item, as shown in evidence."""
    if isinstance(item, MCQuestion | QAPair):
        return item.question
    return item.text


@dataclass
class DecontamConfig:
    threshold: float = DEFAULT_THRESHOLD
    min_shared: float = DEFAULT_MIN_SHARED
    question_threshold: float = DEFAULT_QUESTION_THRESHOLD
    #: shingles held by more benchmark items than this do not propose candidates (stock phrases)
    max_df: int = 16
    #: candidates scored exactly per record
    candidates: int = 3
    #: also look for other-language versions of benchmark items (en/es/fr, same exam family:
    #: :mod:`mmed_ift.filters.decontam_xling`); off by default, see docs/decontamination.md
    crosslingual: bool = False
    cross: CrossConfig = field(default_factory=CrossConfig)


@dataclass(frozen=True)
class Hit:
    benchmark: str
    benchmark_id: str
    location: str
    score: float
    shared_span: str

    @property
    def how(self) -> str:
        return f"score {self.score:.2f}, shares {self.shared_span[:80]!r}"


def longest_shared_span(left: str, right: str) -> str:
    """The longest common substring of the two normalised texts (evidence for a reader)."""
    a, b = normalize_text(left), normalize_text(right)
    start, size = longest_common_substring(a, b)
    return a[start : start + size].strip()


def longest_common_substring(a: str, b: str) -> tuple[int, int]:
    """``(start in a, length)`` of the longest substring of ``a`` that ``b`` contains, the one that
    starts earliest in ``a`` among equals: what ``SequenceMatcher(None, a, b, autojunk=False)
    .find_longest_match()`` finds, without its character-by-character loop in Python (tens of
    milliseconds on two exam questions over a small alphabet).  The length is found by
    bisection (a common substring of length k has one of every shorter length), each step a set
    of ``b``'s substrings of that length probed with ``a``'s, slices and hashing done in C."""
    low, high, start = 0, min(len(a), len(b)), 0
    while low < high:
        size = (low + high + 1) // 2
        found = _first_shared(a, b, size)
        if found is None:
            high = size - 1
        else:
            low, start = size, found
    return (start, low) if low else (0, 0)


def _first_shared(a: str, b: str, size: int) -> int | None:
    """The first position in ``a`` of a substring of length ``size`` that ``b`` contains."""
    pieces = {b[at : at + size] for at in range(len(b) - size + 1)}
    return next((at for at in range(len(a) - size + 1) if a[at : at + size] in pieces), None)


def joined(segments: Segments) -> str:
    return "\n".join(segments.all())


class BenchmarkIndex:
    """The held-out items' shingle index, queried with items (build) or plain texts (audit)."""

    def __init__(
        self,
        benchmark_items: Sequence[Item],
        config: DecontamConfig | None = None,
        parallel_items: Sequence[Item] = (),
    ) -> None:
        self.config = config or DecontamConfig()
        self.items = list(benchmark_items)
        self.sizes = Counter(benchmark_name(item) for item in self.items)
        self._segments = [benchmark_segments(item) for item in self.items]
        self._index = ShingleIndex(
            self._segments, [item.lang for item in self.items], self.config.max_df, self.config.candidates
        )
        self._cross: CrossLingualIndex | None = None
        self.lexicon_sizes: dict[str, int] = {}
        if self.config.crosslingual:
            cross = self.config.cross
            targets = CrossLingualIndex.groups_of(self.items)
            lexicons = learn_lexicons(parallel_items, targets, family)
            self.lexicon_sizes = {f"{a}->{b}": len(lexicon) for (a, b), lexicon in sorted(lexicons.items())}
            self._cross = CrossLingualIndex(self.items, cross.max_df, cross.candidates, lexicons)

        #: the training items of multilingual releases: another language's version of a training
        #: item that repeats a benchmark item repeats it too (checked when a version asks)
        self._versions: VersionLinks[Hit] = VersionLinks(parallel_items)
        #: (family, release key) -> language -> benchmark item: a training item whose other-language
        #: version *is* a benchmark item is that item, translated by the release itself
        self._benchmark_versions: dict[tuple[str, str], dict[str, int]] = {}
        for at, item in enumerate(self.items):
            group = version_group(item)
            if group is not None:
                self._benchmark_versions.setdefault(group, {}).setdefault(item.lang, at)

    def _versions_repeating(self, versions: list[Item]) -> list[Hit | None]:
        """What each version of a multilingual release repeats by its own text (an MC check).
        Another language's version of the same item (HEAD-QA's English release translates the
        Spanish one item by item) is then contaminated too: it is the same question, and the
        monolingual evidence of its sibling is far stronger than a cross-lingual match
        (docs/decontamination.md, "Versions of one item")."""
        segments = normalized_training_segments_of(versions)
        return self._hits(segments, [item.lang for item in versions], [True] * len(versions))

    def _benchmark_version_hit(self, item: Item, group: tuple[str, str] | None) -> Hit | None:
        """``item``'s other-language version is a benchmark item (``group``: its
        :func:`version_group`); None when not."""
        if group is None:
            return None
        for lang, at in sorted(self._benchmark_versions.get(group, {}).items()):
            if lang != item.lang:
                bench = self.items[at]
                span = f"its {lang} version is this benchmark item (same release id)"
                return Hit(benchmark_name(bench), bench.source_id, bench.location, 1.0, span)
        return None

    def _version_hit(self, item: Item, group: tuple[str, str] | None) -> Hit | None:
        """``item``'s other-language version repeats a benchmark item (asked for with
        ``self._versions.resolve`` first; ``group``: its :func:`version_group`); None when none does."""
        found = self._versions.sibling(item, group) if group is not None else None
        if found is None:
            return None
        lang, sibling, hit = found
        span = f"its {lang} version {sibling.source_id} repeats it: {hit.shared_span}"
        return Hit(hit.benchmark, hit.benchmark_id, hit.location, hit.score, span[:300])

    def __len__(self) -> int:
        return len(self.items)

    def check_items(self, items: Sequence[Item]) -> list[Hit | None]:
        """For each training item, the benchmark item it repeats, or None."""
        mc = [isinstance(item, MCQuestion) for item in items]
        # each item's release group, found once for the version checks below (most items have
        # none: every one of those checks is then skipped, the answer being None)
        groups = [version_group(item) for item in items] if self._versions or self._benchmark_versions else None
        hits = self._own_hits(items, mc, groups)
        if groups is not None:
            for at, hit in enumerate(hits):
                if hit is None and groups[at] is not None:
                    hits[at] = self._benchmark_version_hit(items[at], groups[at])
            missing = [at for at, hit in enumerate(hits) if hit is None and groups[at] is not None]
            if self._versions and missing:
                self._versions.resolve(
                    [items[at] for at in missing], self._versions_repeating, [groups[at] for at in missing]
                )
                for at in missing:
                    hits[at] = self._version_hit(items[at], groups[at])
        if self._cross is not None:
            missing = [at for at, hit in enumerate(hits) if hit is None]
            found = self._cross.best([items[at] for at in missing], self.config.cross)
            for at, cross in zip(missing, found, strict=True):
                if cross is not None and cross.repeats(self.config.cross):
                    hits[at] = self._cross_hit(cross, items[at])
        return hits

    def _own_hits(
        self, items: Sequence[Item], mc: list[bool], groups: list[tuple[str, str] | None] | None
    ) -> list[Hit | None]:
        """What each item's own text repeats; a version of a multilingual release checked already
        for a sibling (:meth:`_versions_repeating`, the same check) is not checked again
        (``groups``: each item's :func:`version_group`, None without version links)."""
        if not self._versions or groups is None:
            segments = normalized_training_segments_of(items)
            return self._hits(segments, [item.lang for item in items], mc)
        # an item of no release group was never checked as a version
        known = [
            self._versions.checked(item) if group is not None else (False, None)
            for item, group in zip(items, groups, strict=True)
        ]
        hits = [hit for _, hit in known]
        todo = [at for at, (done, _) in enumerate(known) if not done]
        segments = normalized_training_segments_of([items[at] for at in todo])
        fresh = self._hits(segments, [items[at].lang for at in todo], [mc[at] for at in todo])
        for at, hit in zip(todo, fresh, strict=True):
            hits[at] = hit
        self._versions.remember([items[at] for at in todo], fresh, [groups[at] for at in todo])
        return hits

    def _cross_hit(self, cross: CrossHit, item: Item) -> Hit:
        """A translated repeat: the evidence names the cognate words both items contain."""
        bench = self.items[cross.bench]
        common = set(cognate_words(joined(training_segments(item)))) & set(
            cognate_words(joined(self._segments[cross.bench]))
        )
        span = "cognates: " + " ".join(sorted(common, key=lambda word: (-len(word), word))[:12])
        return Hit(benchmark_name(bench), bench.source_id, bench.location, round(cross.score, 4), span)

    def check(self, texts: Sequence[str], langs: Sequence[str]) -> list[Hit | None]:
        """For each free text (a published row), the benchmark item it contains, or None."""
        return self._hits([Segments(text) for text in texts], list(langs), [False] * len(texts))

    def _hits(self, segments: list[Segments], langs: list[str], mc: list[bool]) -> list[Hit | None]:
        matches = self._index.best(segments, langs, mc, self.config.threshold, self.config.question_threshold)
        return [
            self._hit(match, parts) if self.removes(match) else None
            for match, parts in zip(matches, segments, strict=True)
        ]

    def removes(self, match: Match | None) -> bool:
        minimum = self.config.min_shared * self._index.max_weight
        return (
            match is not None
            and match.score >= self.config.threshold
            and match.shared >= minimum
            and match.question >= self.config.question_threshold
        )

    def _hit(self, match: Match | None, segments: Segments) -> Hit:
        assert match is not None
        bench = self.items[match.bench]
        span = longest_shared_span(joined(segments), joined(self._segments[match.bench]))
        return Hit(benchmark_name(bench), bench.source_id, bench.location, round(match.score, 4), span)


@dataclass(frozen=True)
class ContaminationEvidence(Evidence):
    benchmark: str  # source/split of the benchmark
    benchmark_id: str
    benchmark_location: str
    score: float
    shared_span: str  # the longest normalised text both items contain
    item: str  # the training item (source:source_id)


@dataclass
class Decontaminate(ItemFilter[NoStats]):
    """Reject training items that repeat (or contain) a held-out benchmark item."""

    evidence_type: ClassVar[type[Evidence]] = ContaminationEvidence

    benchmark_items: Sequence[Item] = ()
    config: DecontamConfig = field(default_factory=DecontamConfig)
    name: str = "decontam"
    #: training items of the multilingual exam families (HEAD-QA es + en train/dev): the
    #: cross-lingual check learns its word lexicons from their aligned versions
    parallel_items: Sequence[Item] = ()

    #: the benchmark index, built at first use (:attr:`index`)
    _index: BenchmarkIndex | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def index(self) -> BenchmarkIndex:
        """The held-out items' index, built when first asked for (the first :meth:`judge` of a
        build) rather than when the chain is set up: it is then not alive during the earlier
        steps (near dedup's peak of memory).  An error of the build (an item that is no source
        item) surfaces from the first use, and again from the next: nothing is kept."""
        if self._index is None:
            self._index = BenchmarkIndex(self.benchmark_items, self.config, self.parallel_items)
        return self._index

    def new_stats(self) -> NoStats:
        return NoStats()

    def judge(self, items: Sequence[Item], stats: NoStats) -> list[Outcome]:
        hits = self.index.check_items(items)
        outcomes: list[Outcome] = []
        for item, hit in zip(items, hits, strict=True):
            if hit is None:
                outcomes.append(item)
                continue
            evidence = ContaminationEvidence(
                hit.benchmark, hit.benchmark_id, hit.location, hit.score, hit.shared_span, describe(item)
            )
            detail = f"repeats {hit.benchmark} item {hit.benchmark_id} ({hit.how})"
            outcomes.append(self.reject(item, "contaminated", evidence, detail))
        return outcomes

    def details(self, stats: NoStats, rejections: Sequence[Rejection]) -> dict[str, Any]:
        """Removed per benchmark, and every removal with its evidence (``examples``)."""
        removed: Counter[str] = Counter()
        examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rejection in rejections:
            evidence = rejection.evidence
            assert isinstance(evidence, ContaminationEvidence)
            removed[evidence.benchmark] += 1
            examples[evidence.benchmark].append(evidence.to_dict())
        details: dict[str, Any] = {
            "benchmarks": {
                name: {"items": size, "removed": removed[name]} for name, size in sorted(self.index.sizes.items())
            },
            "examples": dict(examples),
            "threshold": self.config.threshold,
            "min_shared": self.config.min_shared,
            "question_threshold": self.config.question_threshold,
            "crosslingual": self.config.crosslingual,
        }
        if self.config.crosslingual:  # words per learned lexicon ("es->en"); none: cognates only
            details["crosslingual_lexicons"] = self.index.lexicon_sizes
        return details
