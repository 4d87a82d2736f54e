"""Precision and recall of near-dedup on labelled pairs of MedQuAD-like templated pages.

The set (``tests/filters/near_dedup_pairs.jsonl``, written by the project) holds true
near-duplicates - the same page re-crawled, re-indented, re-punctuated, with a sentence added,
typos, an edited phrase, a focus spelt differently - and hard negatives: the same template about
different diseases (symptom tables, treatment resources, genetic changes, inheritance, cancer key
points), with and without a focus.  Each pair goes through :class:`NearDedup` as a two-record
corpus, the real path; ``bench/bench_near_dedup_eval.py`` prints the table and the test suite
holds the targets.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mmed_ift.filters.base import item_text
from mmed_ift.filters.near_dedup import NearDedup, NearDedupConfig
from mmed_ift.schemas import QAPair
from mmed_ift.text.distinct import DistinctRules, distinct, question_focus, tokens
from mmed_ift.text.minhash import jaccard
from mmed_ift.text.shingles import Shingler


@dataclass(frozen=True)
class LabelledPair:
    name: str
    kind: str
    duplicate: bool
    left: QAPair
    right: QAPair
    note: str


def _record(name: str, side: str, fields: dict[str, str | None]) -> QAPair:
    return QAPair(
        source="medquad",
        source_id=f"{name}/{side}",
        lang="en",
        split="train",
        question=fields["question"] or "",
        answer=fields["answer"] or "",
        title=fields.get("title"),
    )


def load_pairs(path: Path) -> list[LabelledPair]:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            name = row["id"]
            left, right = _record(name, "a", row["left"]), _record(name, "b", row["right"])
            pairs.append(LabelledPair(name, row["kind"], bool(row["duplicate"]), left, right, row.get("note", "")))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}:{number}: not a labelled pair ({error})") from None
    return pairs


@dataclass
class PairReport:
    """Confusion counts of one configuration, and the pairs it got wrong."""

    label: str
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    wrong: list[tuple[LabelledPair, float, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        called = self.true_positive + self.false_positive
        return self.true_positive / called if called else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 1.0

    def line(self) -> str:
        return (
            f"{self.label:<28} precision {self.precision:.3f}  recall {self.recall:.3f}"
            f"  (TP {self.true_positive}, FP {self.false_positive}, FN {self.false_negative}, TN {self.true_negative})"
        )


def evaluate_pairs(pairs: list[LabelledPair], config: NearDedupConfig, label: str) -> PairReport:
    """Each pair as a two-record corpus through :class:`NearDedup`: merged or not."""
    report = PairReport(label)
    shingler = Shingler(config.word_n, config.char_n)
    for pair in pairs:
        merged = len(NearDedup(config).process([pair.left, pair.right]).rejections) == 1
        if merged and pair.duplicate:
            report.true_positive += 1
        elif merged:
            report.false_positive += 1
        elif pair.duplicate:
            report.false_negative += 1
        else:
            report.true_negative += 1
        if merged != pair.duplicate:
            texts = [item_text(pair.left), item_text(pair.right)]
            batch = shingler.shingle(texts, ["en", "en"])
            score = jaccard(np.unique(batch.of(0)), np.unique(batch.of(1)))
            rules = config.distinct
            why = ""
            if rules is not None:
                found = [
                    tokens(text, item.title or question_focus(item.question), "en")
                    for text, item in zip(texts, (pair.left, pair.right), strict=True)
                ]
                why = distinct(found[0], found[1], rules) or "nothing tells them apart"
            report.wrong.append((pair, score, why))
    return report


def deciding_rules(pairs: list[LabelledPair], config: NearDedupConfig) -> Counter[str]:
    """For the pairs whose Jaccard passes ``config.threshold``: which distinct-record rule, if
    any, tells the two records apart (``"none"`` when nothing does)."""
    shingler = Shingler(config.word_n, config.char_n)
    rules = config.distinct or DistinctRules()
    found: Counter[str] = Counter()
    for pair in pairs:
        texts = [item_text(pair.left), item_text(pair.right)]
        batch = shingler.shingle(texts, ["en", "en"])
        if jaccard(np.unique(batch.of(0)), np.unique(batch.of(1))) < config.threshold:
            continue
        both = [tokens(text, item.title or question_focus(item.question), "en")
                for text, item in zip(texts, (pair.left, pair.right), strict=True)]  # fmt: skip
        found[f"{'dup' if pair.duplicate else 'neg'}:{distinct(both[0], both[1], rules) or 'none'}"] += 1
    return found
