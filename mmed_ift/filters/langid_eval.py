"""How the language detector and the language-ID filter do on labelled text.

Two labelled sets, both written by the project (``tests/filters/``):

* ``langid_eval/<lang>.jsonl``: short, long, code-switched and kanji-only medical sentences
  (``text``, ``lang``, ``kind``), for the detector's precision and recall per language;
* ``langid_hard/<lang>.jsonl``: the texts the filter used to get wrong - disease-name-dense
  English, term lists, kanji-only and kana-sparse Japanese lines long enough to be judged,
  Han-only Chinese, mixed-script text - plus texts filed under the wrong language (``declared``)
  and garbled ones, each with what the filter must do (``expect``: keep, reject, either) and why.

:func:`audit` runs the filter on either set and on real upstream text, and lists every rejection
with its justification, so ``bench/bench_langid.py`` can print it and the tests can require that
no well-formed text in its own language is rejected.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mmed_ift.filters.langid import Backend, LanguageIDFilter, Verdict, detect_language
from mmed_ift.languages import LANGUAGE_CODES

EXPECTATIONS = ("keep", "reject", "either")


@dataclass(frozen=True)
class LabelledText:
    text: str
    lang: str  # the language the text is written in
    kind: str
    declared: str = ""  # the language a source files it under (default: ``lang``)
    expect: str = "keep"  # what the filter must do: keep, reject or either (garbled text)
    why: str = ""  # for texts not kept: why a rejection is right

    @property
    def filed_as(self) -> str:
        return self.declared or self.lang


def load_eval_set(folder: Path) -> list[LabelledText]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            try:
                row = LabelledText(
                    record["text"],
                    record["lang"],
                    record["kind"],
                    record.get("declared", ""),
                    record.get("expect", "keep"),
                    record.get("why", ""),
                )
            except KeyError as error:
                raise ValueError(f"{path}:{number}: missing field {error}") from None
            if row.expect not in EXPECTATIONS:
                raise ValueError(f"{path}:{number}: expect must be one of {', '.join(EXPECTATIONS)}")
            rows.append(row)
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
    rows = list(rows)
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
    for row, verdict in zip(rows, step.verdicts([row.text for row in rows], [row.lang for row in rows]), strict=True):
        if not verdict.keep:
            report.false_rejections.append((row, verdict.why))
    return report


@dataclass(frozen=True)
class Judged:
    """One text the filter judged: its label (or real-data id) and the verdict."""

    name: str  # "<lang>/<kind>" for a labelled row, "source:source_id" for real text
    text: str
    declared: str
    verdict: Verdict
    expect: str = "keep"
    why: str = ""  # why a rejection is right (from the labelled set or the justification list)

    @property
    def wrong(self) -> bool:
        """A rejection nobody justified, or a text that should have been rejected but was kept."""
        if self.expect == "keep":
            return not self.verdict.keep
        if self.expect == "reject":
            return self.verdict.keep
        return False


@dataclass
class Audit:
    """Every verdict of a run, and the ones that count against the filter."""

    judged: list[Judged] = field(default_factory=list)

    @property
    def rejections(self) -> list[Judged]:
        return [entry for entry in self.judged if not entry.verdict.keep]

    @property
    def wrong(self) -> list[Judged]:
        return [entry for entry in self.judged if entry.wrong]

    def kept_by(self) -> Counter[str]:
        return Counter(entry.verdict.why for entry in self.judged if entry.verdict.keep)

    def lines(self) -> list[str]:
        """Every rejection and every wrong verdict, with why, for the bench to print."""
        out = []
        for entry in self.judged:
            if entry.verdict.keep and not entry.wrong:
                continue
            mark = "WRONG" if entry.wrong else "ok"
            decided = "kept" if entry.verdict.keep else f"rejected: {entry.verdict.why}"
            justified = entry.why or "NOT JUSTIFIED"
            snippet = " ".join(entry.text.split())[:90]
            out.append(f"  [{mark}] {entry.name} ({entry.declared}) {decided}; {justified} | {snippet}")
        return out


def audit(
    names: Sequence[str],
    texts: Sequence[str],
    declared: Sequence[str],
    step: LanguageIDFilter,
    expect: Sequence[str],
    whys: Sequence[str],
) -> Audit:
    """Judge ``texts`` in one batch, each against what it should get (``expect``) and why."""
    verdicts = step.verdicts(texts, declared)
    rows = zip(names, texts, declared, verdicts, expect, whys, strict=True)
    return Audit([Judged(*row) for row in rows])


def audit_rows(rows: Sequence[LabelledText], step: LanguageIDFilter) -> Audit:
    """The filter on a labelled set, each row filed under its ``declared`` language."""
    names = [f"{row.lang}/{row.kind}" for row in rows]
    texts = [row.text for row in rows]
    return audit(names, texts, [row.filed_as for row in rows], step, [r.expect for r in rows], [r.why for r in rows])


def audit_real(texts: dict[str, tuple[str, str]], step: LanguageIDFilter, justified: dict[str, str]) -> Audit:
    """The filter on real text (``name -> (text, declared)``): a rejection is justified only
    when ``justified`` names it with the reason (wrong language or garbled)."""
    names = list(texts)
    expect = ["reject" if name in justified else "keep" for name in names]
    whys = [justified.get(name, "") for name in names]
    return audit(names, [texts[n][0] for n in names], [texts[n][1] for n in names], step, expect, whys)
