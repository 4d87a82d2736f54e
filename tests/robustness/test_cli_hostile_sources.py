"""``python -m mmed_ift build`` on hostile source folders: no traceback, a sensible exit code.

Each test runs the real command line in a subprocess (this checkout first on ``PYTHONPATH``)
against a folder under ``tmp_path`` and checks stderr holds no ``Traceback``, the exit code, and
that the rejects name the file and line.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.robustness.conftest import alpaca_record, medqa_line, run_build, write_medqa


def _rejects(out: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in (out / "rejects.jsonl").read_text("utf-8").splitlines()]


def test_build_over_broken_records_and_a_link_loop_finishes(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    lines = [medqa_line(number) for number in range(3)]
    lines += ['{"question": ' + "[" * 50_000 + "]" * 50_000 + "}", medqa_line(5).replace('"step1"', "9" * 6000)]
    write_medqa(sources, lines)
    (sources / "medqa" / "US" / "phrases_no_exclude_test.jsonl").write_bytes(b"\xff\xfe not utf-8\n")
    (sources / "medqa" / "US" / "loop").symlink_to(sources, target_is_directory=True)
    done = run_build(sources, tmp_path / "out", "--no-progress")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    found = {(row["reason"], row["location"]) for row in _rejects(tmp_path / "out")}
    assert found >= {
        ("too_deeply_nested", "US/phrases_no_exclude_train.jsonl:4"),
        ("number_too_long", "US/phrases_no_exclude_train.jsonl:5"),
        ("bad_format", "US/phrases_no_exclude_test.jsonl:1"),
        ("symlink_loop", "US/loop/medqa"),
    }


def test_build_with_strict_over_hostile_records_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    write_medqa(sources, [medqa_line(0), medqa_line(1, question="\x00" * 40 + "?")])
    done = run_build(sources, tmp_path / "out", "--no-progress", "--strict")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode != 0 and "error" in done.stderr.lower()


def test_build_whose_only_archive_is_a_zip_bomb_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "sources" / "medqa"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "medqa.zip", "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("US/phrases_no_exclude_train.jsonl", medqa_line(0) + "\n" + " " * (8 * 1024 * 1024))
    done = run_build(tmp_path / "sources", tmp_path / "out", "--no-progress")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2 and "medqa" in done.stderr


def test_build_over_a_deeply_nested_json_file_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "sources" / "alpaca"
    folder.mkdir(parents=True)
    (folder / "deep.json").write_text("[\n" + "[" * 40_000 + "]" * 40_000 + "\n]\n", "utf-8")
    (folder / "good.jsonl").write_text(json.dumps(alpaca_record(1)) + "\n", "utf-8")
    done = run_build(tmp_path / "sources", tmp_path / "out", "--no-progress")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert ("too_deeply_nested", "deep.json:2") in {(r["reason"], r["location"]) for r in _rejects(tmp_path / "out")}
