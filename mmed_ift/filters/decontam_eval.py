"""A labelled set of (training item, benchmark item) pairs for decontamination, and its scoring.

Pairs come from three places:

* **real repeats across exam years** (HEAD-QA es and en, FrenchMedMCQA): every training/dev
  item is paired with the test items that share a rare *word* of the stem (an index of its own,
  independent of the filter's character shingles), and labelled by rules that do not use the
  filter's score: same question = stems at least 85% alike (``difflib``) **and** the same correct
  answer text **and** at least half of the options alike (kind ``other_year``); a different
  question = a different correct answer (kind ``shared_stem`` when the stems are 85% alike,
  ``same_topic`` otherwise) or stems under 50% alike.  Pairs in between are left out;
* **the other-language version** of a HEAD-QA repeat (es training item, en test item: the
  release's English is a machine translation of the Spanish; kind ``other_language``);
* **transforms of real test items** (edited letters, options reordered and re-lettered, one
  option replaced: positives) and **stock-stem pairs** (two real questions with the same stem,
  e.g. "Parmi les propositions suivantes, une seule est fausse, laquelle ?", and different
  answers: negatives); RuMedTest only has a test file, so it contributes these;
* the project's own **crafted pairs** (``tests/data/decontam_eval/crafted.jsonl``: Japanese
  vignette boilerplate, Chinese, short items), vendored because the project wrote them.

Calibration files are not vendored (HEAD-QA's terms forbid altering its text), so the set is
generated from ``../shared/realdata-full`` at run time (``bench/make_decontam_eval.py``).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise
from pathlib import Path
from typing import Any

from mmed_ift.filters.decontam_index import ShingleIndex
from mmed_ift.filters.decontam_shingles import Segments
from mmed_ift.schemas import MCQuestion
from mmed_ift.text.normalize import normalize_text


@dataclass(frozen=True)
class Side:
    question: str
    options: tuple[str, ...]
    lang: str
    ref: str = ""  # source/split/id of a real item, for reading the set


@dataclass(frozen=True)
class Pair:
    train: Side
    bench: Side
    label: bool  # True: the training item repeats the benchmark item
    kind: str

    @property
    def lang(self) -> str:
        return self.bench.lang

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pair:
        def side(raw: dict[str, Any]) -> Side:
            return Side(raw["question"], tuple(raw["options"]), raw["lang"], raw.get("ref", ""))

        return cls(side(data["train"]), side(data["bench"]), bool(data["label"]), str(data["kind"]))


def side_of(item: MCQuestion) -> Side:
    return Side(item.question, tuple(item.options.values()), item.lang, f"{item.source}/{item.split}/{item.source_id}")


def answer_text(item: MCQuestion) -> str:
    return normalize_text(" ".join(item.options[key] for key in item.answer))


def ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def option_overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """Share of the larger option list with an 80%-alike option in the other list."""
    left, right = [normalize_text(x) for x in a], [normalize_text(x) for x in b]
    matched = sum(1 for x in left if any(ratio(x, y) >= 0.8 for y in right))
    return matched / max(len(left), len(right), 1)


def label_pair(train: MCQuestion, bench: MCQuestion) -> tuple[bool, str] | None:
    """The gold label of a real pair (see the module docstring), or None when ambiguous."""
    same_answer = ratio(answer_text(train), answer_text(bench))
    left, right = normalize_text(train.question), normalize_text(bench.question)
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    if same_answer < 0.5:
        if matcher.real_quick_ratio() < 0.85 or matcher.quick_ratio() < 0.85:
            return False, "same_topic"
        return False, "shared_stem" if matcher.ratio() >= 0.85 else "same_topic"
    stem = matcher.ratio()
    if stem >= 0.85 and same_answer >= 0.8 and option_overlap(train.options.values(), bench.options.values()) >= 0.5:
        return True, "other_year"
    if stem < 0.5:
        return False, "same_topic"
    return None


_WORD = re.compile(r"\w{5,}")


def word_candidates(train: Sequence[MCQuestion], bench: Sequence[MCQuestion], max_df: int = 8) -> list[tuple[int, int]]:
    """(train, bench) index pairs sharing at least two stem words (of 5+ letters) that each
    occur in at most ``max_df`` benchmark stems."""
    postings: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(bench):
        for word in set(_WORD.findall(normalize_text(item.question))):
            postings[word].append(index)
    pairs: Counter[tuple[int, int]] = Counter()
    for index, item in enumerate(train):
        for word in set(_WORD.findall(normalize_text(item.question))):
            owners = postings.get(word, ())
            if len(owners) <= max_df:
                pairs.update((index, owner) for owner in owners)
    return sorted(pair for pair, shared in pairs.items() if shared >= 2)


def real_pairs(
    train: Sequence[MCQuestion], bench: Sequence[MCQuestion], rng: random.Random, max_negatives: int
) -> list[Pair]:
    """Labelled pairs of real items of one language: repeats across exam years and negatives
    (at most ``max_negatives`` of each negative kind, sampled)."""
    found: dict[tuple[bool, str], list[Pair]] = defaultdict(list)
    for t, b in word_candidates(train, bench):
        labelled = label_pair(train[t], bench[b])
        if labelled is not None:
            found[labelled].append(Pair(side_of(train[t]), side_of(bench[b]), *labelled))
    pairs = []
    for (label, _), group in sorted(found.items()):
        if not label and len(group) > max_negatives:
            group = rng.sample(group, max_negatives)
        pairs += group
    return pairs


def stock_stem_pairs(items: Sequence[MCQuestion], rng: random.Random, limit: int) -> list[Pair]:
    """Two questions with the same stem (used by at least 3 questions) and different answers."""
    groups: dict[str, list[MCQuestion]] = defaultdict(list)
    for item in items:
        groups[normalize_text(item.question)].append(item)
    pairs = []
    for stem in sorted(groups):
        group = groups[stem]
        if len(group) < 3:
            continue
        for first, second in pairwise(group):
            if (
                ratio(answer_text(first), answer_text(second)) < 0.5
                and option_overlap(first.options.values(), second.options.values()) < 0.5
            ):
                pairs.append(Pair(side_of(first), side_of(second), False, "stock_stem"))
    rng.shuffle(pairs)
    return pairs[:limit]


def edit_letters(text: str, rng: random.Random, edits: int = 2) -> str:
    """``edits`` one-letter typos inside words longer than 5 letters (drop, double or swap)."""
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) > 5 and word.isalpha()]
    for index in rng.sample(long_words, min(edits, len(long_words))):
        word, at = words[index], rng.randrange(1, len(words[index]) - 2)
        how = rng.randrange(3)
        words[index] = (
            word[:at] + word[at + 1 :] if how == 0 else word[:at] + word[at] + word[at:] if how == 1
            else word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        )  # fmt: skip
    return " ".join(words)


def transformed_pairs(bench: Sequence[MCQuestion], rng: random.Random, per_kind: int) -> list[Pair]:
    """Repeats made from real test items: letters edited, options reordered, one option changed."""
    chosen = rng.sample(list(bench), min(per_kind, len(bench)))
    pairs = []
    for item in chosen:
        options = list(item.options.values())
        edited = Side(edit_letters(item.question, rng), tuple(edit_letters(o, rng, 1) for o in options), item.lang)
        pairs.append(Pair(edited, side_of(item), True, "edited"))
        shuffled = options[:]
        rng.shuffle(shuffled)
        pairs.append(Pair(Side(item.question, tuple(shuffled), item.lang), side_of(item), True, "reordered"))
        if len(options) >= 4:
            other = rng.choice(bench)
            changed = options[:]
            wrong = [i for i, key in enumerate(item.options) if key not in item.answer]
            changed[rng.choice(wrong or list(range(len(options))))] = rng.choice(list(other.options.values()))
            pairs.append(Pair(Side(item.question, tuple(changed), item.lang), side_of(item), True, "changed_option"))
    return pairs


def other_language_pairs(pairs: Sequence[Pair], english: dict[str, MCQuestion]) -> list[Pair]:
    """For each HEAD-QA es repeat, the es training item against the en version of the test item."""
    found = []
    for pair in pairs:
        if pair.label and pair.kind == "other_year" and pair.bench.lang == "es":
            twin = english.get(pair.bench.ref.replace("/es/", "/en/", 1))
            if twin is not None:
                found.append(Pair(pair.train, side_of(twin), True, "other_language"))
    return found


def load_pairs(path: Path) -> list[Pair]:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                pairs.append(Pair.from_dict(json.loads(line)))
            except (KeyError, ValueError, TypeError) as error:
                raise ValueError(f"{path}:{number}: not a labelled pair ({error})") from None
    return pairs


def write_pairs(pairs: Iterable[Pair], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [pair.to_json() for pair in pairs]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


@dataclass
class EvalReport:
    """Counts per language (and per kind) of the filter's decisions on the labelled pairs."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[tuple[Pair, float]] = field(default_factory=list)

    def add(self, key: str, table: dict[str, dict[str, int]], outcome: str) -> None:
        table.setdefault(key, {"tp": 0, "fp": 0, "fn": 0, "tn": 0})[outcome] += 1

    @staticmethod
    def precision(c: dict[str, int]) -> float:
        return c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0

    @staticmethod
    def recall(c: dict[str, int]) -> float:
        return c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0

    def table(self) -> str:
        lines = [f"{'lang':<8}{'pos':>6}{'neg':>6}{'precision':>11}{'recall':>8}"]
        for lang, c in sorted(self.counts.items()):
            lines.append(
                f"{lang:<8}{c['tp'] + c['fn']:>6}{c['fp'] + c['tn']:>6}{self.precision(c):>11.3f}{self.recall(c):>8.3f}"
            )
        lines.append("per kind (positives: recall; negatives: false removals):")
        for kind, c in sorted(self.by_kind.items()):
            pos, neg = c["tp"] + c["fn"], c["fp"] + c["tn"]
            shown = f"recall {self.recall(c):.3f} of {pos}" if pos else f"{c['fp']} removed of {neg}"
            lines.append(f"  {kind:<26}{shown}")
        return "\n".join(lines)


def evaluate(
    pairs: Sequence[Pair],
    background: Sequence[MCQuestion],
    threshold: float,
    min_shared: float,
    max_df: int = 16,
    question_threshold: float = 0.0,
) -> EvalReport:
    """Score every pair with one index per language (its benchmark sides plus ``background``:
    the real test items, so IDF is that of a real benchmark).  ``other_language`` pairs are
    counted under ``xx-yy`` (training language - benchmark language)."""
    report = EvalReport()
    by_lang: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_lang[pair.bench.lang].append(pair)
    for lang, group in sorted(by_lang.items()):
        bench_sides = list(dict.fromkeys(pair.bench for pair in group))
        extra = [side_of(item) for item in background if item.lang == lang]
        sides = list(dict.fromkeys([*bench_sides, *extra]))
        position = {side: at for at, side in enumerate(sides)}
        index = ShingleIndex([Segments(s.question, s.options) for s in sides], [lang] * len(sides), max_df, 3)
        for pair in group:
            match = index.score(
                Segments(pair.train.question, pair.train.options), pair.train.lang, True, position[pair.bench]
            )
            removed = (
                match.score >= threshold
                and match.shared >= min_shared * index.max_weight
                and match.question >= question_threshold
            )
            outcome = ("tp" if removed else "fn") if pair.label else ("fp" if removed else "tn")
            key = lang if pair.train.lang == lang else f"{pair.train.lang}-{lang}"
            report.add(key, report.counts, outcome)
            report.add(pair.kind, report.by_kind, outcome)
            if outcome in ("fp", "fn"):
                report.errors.append((pair, match.score))
    return report
