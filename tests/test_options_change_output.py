"""Every user-facing build option changes what a build writes (so none can be silently ignored).

The corpus is the bundled samples plus planted exact and near duplicates, French filed as English
and PII (``tests/engine/corpus.py``); each case builds it once with the option and compares the
report with the default build's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.cli import main
from tests.engine.corpus import write_planted_sources

Report = dict[str, Any]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_planted_sources(tmp_path_factory.mktemp("planted") / "sources")


def _build(sources: Path, out: Path, *flags: str) -> Report:
    args = ["build", "--all", "--sources", str(sources), "--out", str(out), "--no-progress", "-q", *flags]
    assert main(args) == 0
    report: Report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    return report


@pytest.fixture(scope="module")
def default(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _build(sources, tmp_path_factory.mktemp("default") / "out")


def rejected(report: Report, reason: str) -> int:
    return sum(info["rejected_by_reason"].get(reason, 0) for info in report["sources"].values())


def rows(report: Report) -> int:
    return sum(sum(per_lang.values()) for per_lang in report["languages"].values())


def near(report: Report, key: str) -> Any:
    return report["filters"]["near_dedup"]["details"][key]


def pii_replaced(report: Report) -> int:
    return sum(report["filters"]["pii"]["details"]["replaced"].values()) if "pii" in report["filters"] else 0


def quality(report: Report, key: str) -> Any:
    return report["filters"]["quality"]["details"][key]


Check = Callable[[Report, Report], bool]
CASES: dict[str, tuple[list[str], Check]] = {
    "max_field_chars": (
        ["--max-field-chars", "300"],
        lambda d, r: rejected(r, "read:field_too_long") > 0 == rejected(d, "read:field_too_long"),
    ),
    "no_pii": (["--no-pii"], lambda d, r: pii_replaced(d) > 0 == pii_replaced(r)),
    "no_langid": (
        ["--no-langid"],
        lambda d, r: rejected(d, "langid:wrong_language") > 0 == rejected(r, "langid:wrong_language"),
    ),
    "langid_backend": (
        ["--langid-backend", "langdetect"],
        lambda d, r: r["filters"]["langid"]["details"]["backend"] == "langdetect",
    ),
    "no_dedup": (
        ["--no-dedup"],
        lambda d, r: rejected(d, "near_dedup:near_duplicate") > 0 and rows(r) > rows(d),
    ),
    "dedup_threshold": (
        ["--dedup-threshold", "0.6"],
        lambda d, r: rejected(r, "near_dedup:near_duplicate") > rejected(d, "near_dedup:near_duplicate") > 0,
    ),
    "num_perm": (["--num-perm", "64"], lambda d, r: near(r, "num_perm") == 64 != near(d, "num_perm")),
    "bands_rows": (
        ["--bands", "2", "--rows", "32"],
        lambda d, r: (
            (near(r, "bands"), near(r, "rows")) == (2, 32) and near(r, "candidate_pairs") < near(d, "candidate_pairs")
        ),
    ),
    "no_decontam": (
        ["--no-decontam"],
        lambda d, r: rejected(d, "decontam:contaminated") > 0 == rejected(r, "decontam:contaminated"),
    ),
    "decontam_threshold": (
        ["--decontam-threshold", "0.15"],
        lambda d, r: rejected(r, "decontam:contaminated") > rejected(d, "decontam:contaminated"),
    ),
    "license_allow": (
        ["--license-allow", "MIT"],
        lambda d, r: rejected(r, "license:license_not_allowed") > 0 and rows(r) < rows(d),
    ),
    "no_quality": (
        ["--no-quality"],
        lambda d, r: all(
            rejected(d, f"quality:{why}") > 0 == rejected(r, f"quality:{why}")
            for why in ("link_list", "boilerplate_answer")
        ),
    ),
    "table_min_cells": (
        ["--table-min-cells", "3"],
        lambda d, r: rejected(r, "quality:flattened_table") > rejected(d, "quality:flattened_table"),
    ),
    "no_question_rewrite": (
        ["--no-question-rewrite"],
        lambda d, r: quality(d, "rewritten").get("what_is_are", 0) > 0 and quality(r, "rewritten") == {},
    ),
    "keep_conflicting": (
        ["--keep-conflicting"],
        lambda d, r: rejected(d, "conflicts:conflicting_prompt") > 0 == rejected(r, "conflicts:conflicting_prompt"),
    ),
    "source": (["--source", "medqa"], lambda d, r: set(r["sources"]) == {"medqa"} and len(d["sources"]) > 1),
    "domain_threshold": (
        ["--domain-threshold", "0.99"],
        lambda d, r: rejected(r, "read:not_medical") > rejected(d, "read:not_medical") > 0 and rows(r) < rows(d),
    ),
    "section_max_chars": (
        ["--section-max-chars", "200"],
        lambda d, r: task_rows(r, "section_question") > task_rows(d, "section_question") > 0,
    ),
}


def task_rows(report: Report, task: str) -> int:
    return sum(row["samples"] for row in report["tasks"] if row["task"] == task)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_option_changes_the_output(name: str, sources: Path, default: Report, tmp_path: Path) -> None:
    flags, changed = CASES[name]
    report = _build(sources, tmp_path / "out", *flags)
    assert changed(default, report), name


def test_strict_fails_a_build_with_rejects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--lang", "ja", "--out", str(tmp_path / "out"), "--no-progress", "--strict"]) == 2
    assert "--strict" in capsys.readouterr().err
