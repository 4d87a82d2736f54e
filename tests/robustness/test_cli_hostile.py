"""The command line refuses out-of-range numbers, malformed specs and undecodable paths with one
line and exit code 2, before any work (nothing is written)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mmed_ift.cli import main
from tests.conftest import REPO_ROOT

BUILD = ["build", "--lang", "en", "--no-progress"]
LLM = ["--generator", "openai", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]

CASES = {
    "num_perm_zero": (["--num-perm", "0"], "--num-perm must be in [2, 1024]"),
    "num_perm_huge": (["--num-perm", "100000"], "--num-perm must be in [2, 1024]"),
    "threshold_above_one": (["--dedup-threshold", "2"], "--dedup-threshold must be in (0, 1]"),
    "threshold_zero": (["--dedup-threshold", "0"], "--dedup-threshold must be in (0, 1]"),
    "threshold_not_a_number": (["--dedup-threshold", "high"], "invalid float value"),
    "bands_without_rows": (["--bands", "4"], "set both --bands and --rows"),
    "bands_times_rows_too_big": (["--bands", "20", "--rows", "20"], "exceeds --num-perm"),
    "negative_bands": (["--bands", "-1", "--rows", "2"], "--bands must be at least 1"),
    "field_cap_zero": (["--max-field-chars", "0"], "--max-field-chars must be at least 1"),
    "ray_cpus_zero": (["--engine", "ray", "--ray-cpus", "0"], "--ray-cpus must be at least 1"),
    "unknown_engine": (["--engine", "spark"], "invalid choice"),
    "negative_max_tokens": ([*LLM, "--max-tokens", "-5"], "--max-tokens must be at least 1"),
    "zero_concurrency": ([*LLM, "--concurrency", "0"], "--concurrency must be between 1 and 1024"),
    "negative_rpm": ([*LLM, "--rpm", "-3"], "--rpm must be at least"),
    "negative_timeout": ([*LLM, "--request-timeout", "-1"], "--request-timeout must be at least"),
    "negative_max_requests": ([*LLM, "--max-requests", "-1"], "--max-requests must be at least 0"),
    "judge_threshold_nine": ([*LLM, "--judge-threshold", "9"], "--judge-threshold must be between 1 and 5"),
    "temperature_negative": ([*LLM, "--temperature", "-1"], "--temperature must be between 0 and 2"),
    "unknown_task": ([*LLM, "--tasks", "poetry"], "unknown LLM tasks"),
    "llm_without_model": (["--generator", "openai"], "needs --base-url URL and --model NAME"),
    "dry_run_without_llm": (["--dry-run"], "--dry-run needs --generator openai"),
    "hub_empty_name": (["--hub", "=owner/data"], "no source name"),
    "hub_nothing_after_equals": (["--hub", "medqa="], "nothing after '='"),
    "hub_bad_repo_id": (["--hub", "medqa=not a repo"], "is not a Hub dataset id"),
    "hub_empty_revision": (["--hub", "medqa=owner/data@"], "revision after @ is empty"),
    "hub_unknown_source": (["--hub", "nosuchsource"], "unknown source 'nosuchsource'"),
    "unknown_source_name": (["--source", "nosuchsource"], "unknown sources ['nosuchsource']"),
    "price_table_missing": ([*LLM, "--price-table", "missing.json"], "--price-table missing.json"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_option_is_one_line_and_exit_2(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flags, message = CASES[name]
    monkeypatch.chdir(tmp_path)
    try:
        code = main([*BUILD, "--out", str(tmp_path / "out"), *flags])
    except SystemExit as exit_:  # argparse's own refusals exit from inside parse_args
        code = int(exit_.code or 0)
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], stderr
    assert not (tmp_path / "out").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_an_undecodable_path_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = os.fsencode(str(tmp_path)) + b"/out\xff"
    done = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"mmed_ift", b"build", b"--lang", b"en", b"--out", bad],
        capture_output=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=False,
    )  # fmt: skip
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2 and "not valid UTF-8" in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert list(tmp_path.iterdir()) == []


def test_a_non_utf8_sources_folder_is_refused(tmp_path: Path) -> None:
    bad = os.fsencode(str(tmp_path)) + b"/src\xfe"
    os.mkdir(bad)
    done = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"mmed_ift", b"build", b"--lang", b"en", b"--sources", bad,
         b"--out", os.fsencode(str(tmp_path / "out"))],
        capture_output=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and b"not valid UTF-8" in done.stderr
    assert not (tmp_path / "out").exists()
