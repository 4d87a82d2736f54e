"""``--out`` never deletes what the tool did not write, and a build killed at any instant leaves a
complete build in place (the old one or the new one) and nothing stray after the next run."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mmed_ift.pipeline.outdir import MARKER
from mmed_ift.pipeline.report_html import without_volatile
from tests.conftest import REPO_ROOT

RU = ["build", "--lang", "ru", "--no-progress"]


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mmed_ift", *args],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
        check=False, timeout=300,
    )  # fmt: skip


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def refused(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_of_ones_own_files_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious", encoding="utf-8")
    refused(run([*RU, "--out", str(mine)], tmp_path), "no mmed_ift build wrote")
    assert snapshot(mine) == {"chapter1.tex": b"precious"}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["thesis"]


def test_home_current_and_root_folders_are_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    refused(run([*RU, "--out", str(home)], tmp_path, {"HOME": str(home)}), "home folder")
    work = tmp_path / "work"
    work.mkdir()
    refused(run([*RU, "--out", "."], work), "current folder")
    refused(run([*RU, "--out", "/"], tmp_path), "filesystem root")
    assert list(home.iterdir()) == [] and list(work.iterdir()) == []


def test_source_folders_are_never_the_output(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    (sources / "rumedbench").mkdir(parents=True)
    for name in ("RuMedDaNet", "RuMedTest"):
        (sources / "rumedbench" / name).mkdir()
    refused(run([*RU, "--sources", str(sources), "--out", str(sources)], tmp_path), "overlaps the source folder")
    inside = sources / "rumedbench" / "out"
    refused(run([*RU, "--sources", str(sources), "--out", str(inside)], tmp_path), "overlaps the source folder")
    refused(run([*RU, "--sources", str(sources / "rumedbench"), "--out", str(sources)], tmp_path), "overlaps")
    assert not inside.exists()


def test_a_file_or_a_link_is_not_an_output_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    refused(run([*RU, "--out", str(tmp_path / "notes.txt")], tmp_path), "not a folder")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    refused(run([*RU, "--out", str(tmp_path / "link")], tmp_path), "symbolic link")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep" and list(target.iterdir()) == []


def test_an_earlier_build_or_an_empty_folder_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert run([*RU, "--out", str(out)], tmp_path).returncode == 0
    assert (out / MARKER).is_file() and (out / "MMed-IFT-MC").is_dir()
    assert run([*RU, "--out", str(out), "--no-dedup"], tmp_path).returncode == 0
    assert '"dedup": false' in (out / "build_report.json").read_text(encoding="utf-8")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with (tmp_path / ".out.lock").open("a+", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("4242")
        lock.flush()
        refused(run([*RU, "--out", str(out)], tmp_path), "another build is writing")
    assert not out.exists()


CHILD = """
import os, pathlib, shutil, signal, sys
from mmed_ift.pipeline import outdir

kill_at = int(os.environ["KILL_AT"])
calls = [0]

def tick(what):
    calls[0] += 1
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

def counted(function, what):
    def wrapper(*args, **kwargs):
        tick(what)
        return function(*args, **kwargs)
    return wrapper

if os.environ.get("NO_EXCHANGE"):
    outdir._exchange = lambda first, second: False
outdir._exchange = counted(outdir._exchange, "exchange")
pathlib.Path.rename = counted(pathlib.Path.rename, "rename")
shutil.rmtree = counted(shutil.rmtree, "rmtree")
outdir.write_marker = counted(outdir.write_marker, "marker")
from mmed_ift.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _stable(files: dict[str, bytes]) -> dict[str, bytes]:
    """A build's files without what differs between two runs of it: the timings of the report and
    of report.html (its volatile section)."""
    stable = {name: data for name, data in files.items() if name != "build_report.json"}
    if "report.html" in stable:
        stable["report.html"] = without_volatile(stable["report.html"].decode("utf-8")).encode("utf-8")
    return stable


@pytest.mark.slow
@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_kill_at_any_file_operation_leaves_a_complete_build(tmp_path: Path, exchange: bool) -> None:
    out = tmp_path / "out"
    assert run([*RU, "--out", str(out)], tmp_path).returncode == 0
    old = snapshot(out)
    reference = tmp_path.parent / f"{tmp_path.name}-new"
    assert run([*RU, "--no-dedup", "--out", str(reference)], tmp_path).returncode == 0
    new = snapshot(reference)
    assert old != new
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **({} if exchange else {"NO_EXCHANGE": "1"})}
    kills = 0
    for kill_at in range(1, 12):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, *RU, "--no-dedup", "--out", str(out)],
            capture_output=True, text=True, cwd=tmp_path, env={**env, "KILL_AT": str(kill_at)}, check=False,
        )  # fmt: skip
        in_place = out
        if not exchange and not out.exists():
            # the fallback's one window (between its two renames): the old build waits beside it
            [in_place] = [path for path in tmp_path.iterdir() if path.name.startswith(".out.previous-")]
        now = snapshot(in_place)
        assert _stable(now) in (_stable(old), _stable(new)), kill_at
        assert "build_report.json" in now
        if done.returncode == 0:
            break  # every file operation was passed: the last run finished
        assert done.returncode == -9, done.stderr
        kills += 1
        old = now  # the next attempt starts from what is in place now (it repairs the fallback's window first)
    assert kills >= 4  # the marker, the swap's renames/exchange and the removal were each a kill point
    # the next normal run repairs or removes whatever the kills left beside the output
    assert run([*RU, "--out", str(out)], tmp_path).returncode == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
    assert (out / MARKER).is_file()
