"""Precision / recall of the language detector on a labelled set, per language.

The project's evaluation set lives in ``tests/filters/langid_eval/<lang>.jsonl`` (``text``,
``lang``, ``kind``: short | long | code_switched | kanji_only).  Both the test suite (which
enforces the accuracy target) and ``bench/bench_langid.py`` (which prints the table) use this.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mmed_ift.filters.langid import Backend, LanguageIDFilter, detect_language
from mmed_ift.languages import LANGUAGE_CODES


@dataclass(frozen=True)
class LabelledText:
    text: str
    lang: str
    kind: str


def load_eval_set(folder: Path) -> list[LabelledText]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                record = json.loads(line)
                try:
                    rows.append(LabelledText(record["text"], record["lang"], record["kind"]))
                except KeyError as error:
                    raise ValueError(f"{path}:{number}: missing field {error}") from None
    return rows


@dataclass
class LangIdReport:
    """Counts behind per-language precision and recall, plus the filter's false rejections."""

    min_chars: int
    true_positive: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    actual: Counter[str] = field(default_factory=Counter)
    long_total: int = 0
    long_correct: int = 0
    misses: list[tuple[LabelledText, str, float]] = field(default_factory=list)
    false_rejections: list[tuple[LabelledText, str]] = field(default_factory=list)

    def precision(self, lang: str) -> float:
        return self.true_positive[lang] / self.predicted[lang] if self.predicted[lang] else 1.0

    def recall(self, lang: str) -> float:
        return self.true_positive[lang] / self.actual[lang] if self.actual[lang] else 1.0

    @property
    def long_accuracy(self) -> float:
        return self.long_correct / self.long_total if self.long_total else 1.0

    def table(self) -> str:
        lines = [f"{'lang':<6}{'n':>6}{'precision':>11}{'recall':>8}"]
        for lang in LANGUAGE_CODES:
            lines.append(f"{lang:<6}{self.actual[lang]:>6}{self.precision(lang):>11.3f}{self.recall(lang):>8.3f}")
        lines.append(
            f"accuracy on texts over {self.min_chars} characters: {self.long_accuracy:.4f}"
            f" ({self.long_correct}/{self.long_total}); filter rejections of correct texts:"
            f" {len(self.false_rejections)}"
        )
        return "\n".join(lines)


def evaluate(rows: Iterable[LabelledText], backend: Backend = "fasttext", min_chars: int = 20) -> LangIdReport:
    """Detect every text (no language hint), and run the filter with the true label as declared."""
    report = LangIdReport(min_chars=min_chars)
    step = LanguageIDFilter(backend=backend)
    for row in rows:
        detected, score = detect_language(row.text, backend=backend)
        report.actual[row.lang] += 1
        report.predicted[detected] += 1
        if detected == row.lang:
            report.true_positive[row.lang] += 1
        else:
            report.misses.append((row, detected, score))
        if len(row.text) > min_chars:
            report.long_total += 1
            report.long_correct += detected == row.lang
        keep, why = step.verdict(row.text, row.lang)
        if not keep:
            report.false_rejections.append((row, why))
    return report
