"""The filter chain inside a real build: what it removes, how the report and rejects show it,
the command-line flags, and the ``contamination`` audit of a finished build."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.cli import main
from mmed_ift.hub.publish import publish_blockers

VIGNETTES = [
    "A 63-year-old man with crushing substernal chest pain for forty minutes has ST elevation in leads II,"
    " III and aVF. Which coronary artery is most likely occluded?",
    "A 24-year-old woman has heat intolerance, weight loss, a diffuse goiter and exophthalmos."
    " Which antibody is most likely responsible for her condition?",
    "A 7-year-old boy has periorbital edema and cola-colored urine two weeks after a sore throat."
    " Which serum finding is most likely?",
    "A 58-year-old smoker has hyponatremia with concentrated urine and a central lung mass."
    " Which tumor type is most likely?",
]
TEST_QUESTION = (
    "A 45-year-old woman on lithium for bipolar disorder develops polyuria and nocturia with a low urine"
    " osmolality that does not rise after desmopressin. What is the most likely diagnosis?"
)
OPTIONS = {"A": "Option one", "B": "Option two", "C": "Option three", "D": "Option four"}


def _line(question: str) -> str:
    record = {
        "question": question,
        "answer": OPTIONS["A"],
        "options": OPTIONS,
        "meta_info": "step1",
        "answer_idx": "A",
        "metamap_phrases": [],
    }
    return json.dumps(record, ensure_ascii=False)


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources" / "medqa" / "US" / "4_options"
    folder.mkdir(parents=True)
    train = [
        *VIGNETTES,
        VIGNETTES[0].upper().replace(",", " ,"),  # exact duplicate after normalisation
        VIGNETTES[1].replace("weight loss", "a weight loss"),  # near duplicate
        "Background: " + TEST_QUESTION,  # contains the benchmark question
    ]
    (folder / "phrases_no_exclude_train.jsonl").write_text("\n".join(map(_line, train)) + "\n", encoding="utf-8")
    (folder / "phrases_no_exclude_test.jsonl").write_text(_line(TEST_QUESTION) + "\n", encoding="utf-8")
    return tmp_path / "sources"


def _build(sources: Path, out: Path, *flags: str) -> dict[str, Any]:
    assert main(["build", "--lang", "en", "--sources", str(sources), "--out", str(out), "--no-progress", *flags]) == 0
    report: dict[str, Any] = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    return report


def test_each_filter_removes_its_record_and_says_why(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = _build(sources, out)
    steps = report["filters"]
    assert list(steps) == ["pii", "langid", "quality", "exact_dedup", "conflicts", "near_dedup", "decontam"]
    assert steps["exact_dedup"]["rejected_by_reason"] == {"exact_duplicate": 1}
    assert steps["near_dedup"]["rejected_by_reason"] == {"near_duplicate": 1}
    assert steps["decontam"]["rejected_by_reason"] == {"contaminated": 1}
    assert steps["decontam"]["details"]["benchmarks"] == {"medqa/test": {"items": 1, "removed": 1}}
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    by_reason = {reject["reason"]: reject for reject in rejects}
    assert by_reason["contaminated"]["source_id"] == "US/train/7"
    assert "medqa/test item US/test/1" in by_reason["contaminated"]["detail"]
    assert by_reason["exact_duplicate"]["detail"] == "same normalised text as medqa:US/train/1"
    assert by_reason["near_duplicate"]["source_id"] in {"US/train/2", "US/train/6"}
    medqa = report["sources"]["medqa"]
    assert medqa["read"] == medqa["kept"] + medqa["rejected"]
    card = (out / "MMed-IFT-MC" / "README.md").read_text(encoding="utf-8")
    assert "| medqa/test | 1 | 1 |" in card


def test_flags_turn_filters_off(sources: Path, tmp_path: Path) -> None:
    flags = ["--no-dedup", "--no-decontam", "--no-langid", "--no-pii", "--no-quality", "--no-question-rewrite"]
    report = _build(sources, tmp_path / "out", *flags, "--keep-conflicting")
    assert report["filters"] == {}
    assert report["sources"]["medqa"]["rejected"] == 0
    assert report["config"]["filter_options"]["dedup"] is False


def test_bad_threshold_is_a_clear_error(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["build", "--lang", "en", "--sources", str(sources), "--out", str(tmp_path / "o"), "--dedup-threshold", "2"]
    )
    assert code == 2
    assert "--dedup-threshold must be in (0, 1]" in capsys.readouterr().err


def test_contamination_audit_flags_a_build_made_without_decontamination(
    sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    _build(sources, out, "--no-decontam")
    assert main(["contamination", "--out", str(out), "--sources", str(sources)]) == 1
    printed = capsys.readouterr().out
    assert "medqa/test" in printed
    audit = json.loads((out / "contamination_report.json").read_text(encoding="utf-8"))
    assert audit["benchmarks"]["medqa/test"]["contaminated_rows"] == 1  # the one MC sample of the record
    assert {example["benchmark_id"] for example in audit["examples"]} == {"US/test/1"}
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["contamination_found"] is True
    assert any("contamination_found" in blocker for blocker in publish_blockers(report))


def test_contamination_audit_passes_a_clean_build(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(sources, out)
    assert main(["contamination", "--out", str(out), "--sources", str(sources)]) == 0
    assert json.loads((out / "build_report.json").read_text(encoding="utf-8"))["contamination_found"] is False


def test_audit_of_a_folder_that_is_not_a_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contamination", "--out", str(tmp_path)]) == 2
    assert "no build_report.json" in capsys.readouterr().err
