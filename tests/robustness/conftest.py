"""Helpers for the hostile-input tests: small upstream folders written under ``tmp_path``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mmed_ift.schemas import Reject
from mmed_ift.sources import get_source
from mmed_ift.sources.base import ReadResult

REPO = Path(__file__).resolve().parents[2]
DRUGS = {"A": "Lisinopril", "B": "Metoprolol", "C": "Amlodipine", "D": "Hydrochlorothiazide"}


def medqa_record(number: int, **overrides: Any) -> dict[str, Any]:
    answer = "ABCD"[number % 4]
    record: dict[str, Any] = {
        "question": f"Question number {number}: which drug is a first-line choice in case {number}?",
        "answer": DRUGS[answer],
        "options": DRUGS,
        "meta_info": "step1",
        "answer_idx": answer,
    }
    record.update(overrides)
    return record


def medqa_line(number: int, **overrides: Any) -> str:
    return json.dumps(medqa_record(number, **overrides), ensure_ascii=False)


def write_medqa(root: Path, lines: Iterable[str], split: str = "train", folder: str = "US") -> Path:
    """``root/medqa/<folder>/phrases_no_exclude_<split>.jsonl`` holding ``lines``."""
    target = root / "medqa" / folder
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"phrases_no_exclude_{split}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def alpaca_record(number: int, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "instruction": "Answer the patient's question.",
        "input": f"I have had a cough for {number} days; what should I do?",
        "output": f"A cough lasting {number} days should be checked by a doctor if it persists.",
    }
    record.update(overrides)
    return record


def read(source: str, folder: Path, **options: Any) -> tuple[list[ReadResult], list[Reject]]:
    """All results of one adapter, split into items and rejects; every reject is located."""
    results = list(get_source(source).read(folder, **options))
    kept = [result for result in results if not isinstance(result, Reject)]
    rejected = [result for result in results if isinstance(result, Reject)]
    for reject in rejected:
        assert reject.location, f"reject without a location: {reject}"
        assert reject.reason, f"reject without a reason: {reject}"
    return kept, rejected


def reasons(rejected: list[Reject]) -> list[str]:
    return [reject.reason for reject in rejected]


def run_build(sources: Path, out: Path, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m mmed_ift build --lang en --sources DIR --out OUT`` in a subprocess (this checkout)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "mmed_ift", "build", "--lang", "en", "--sources", str(sources), "--out", str(out)]
    return subprocess.run(
        [*command, *extra], capture_output=True, text=True, env=env, cwd=str(out.parent), timeout=timeout
    )
