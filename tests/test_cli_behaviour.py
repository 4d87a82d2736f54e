"""What a user meets at the command line and in Python: fast help, -v/-q anywhere, one line on
Ctrl-C, a summary that keeps training rows apart from held-out ones, and the README's API example."""

from __future__ import annotations

import os
import re
import resource
import signal
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from mmed_ift.cli import make_parser
from mmed_ift.cli.build import format_summary
from tests.conftest import REPO_ROOT

COMMANDS = ["build", "sources", "schemas", "publish", "ray-check", "contamination", "train", "evaluate"]


def _cpu_seconds(args: list[str]) -> float:
    """CPU time (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, capture_output=True, cwd=REPO_ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median_cpu(args: list[str], runs: int = 3) -> float:
    return statistics.median(_cpu_seconds(args) for _ in range(runs))


def test_help_costs_little_more_than_starting_python() -> None:
    """``--help`` imports no numpy, pyarrow, datasets, torch, scipy or ray: it costs a small
    multiple of ``python -c "import json"`` on this machine, whatever its speed."""
    baseline = _median_cpu([sys.executable, "-c", "import json"])
    budget = 12 * baseline
    costs = {"--help": _median_cpu([sys.executable, "-m", "mmed_ift", "--help"])}
    for command in COMMANDS:
        costs[command] = _median_cpu([sys.executable, "-m", "mmed_ift", command, "--help"], runs=1)
    slow = {command: round(cost, 3) for command, cost in costs.items() if cost > budget}
    assert slow == {}, f"budget {budget:.3f}s CPU (12 x {baseline:.3f}s)"


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from mmed_ift.cli import make_parser\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    make_parser().parse_args(['build', '--help'])\n"
        "print(sorted(m for m in ('numpy', 'pyarrow', 'datasets', 'torch', 'scipy', 'ray', 'polars', 'pydantic')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert done.stdout.strip() == "[]"


_HEAVY = ("datasets", "torch", "scipy", "ray", "datasketch", "transformers")


@pytest.mark.parametrize("argv", [["--help"], ["sources"], ["sources", "--json"]])
def test_main_imports_none_of_the_heavy_libraries(argv: list[str]) -> None:
    """``python -m mmed_ift --help`` and ``sources`` run the real ``__main__`` without importing
    ``datasets``, ``torch``, ``scipy`` or ``ray`` (each costs more than the whole command)."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['mmed_ift', *{argv!r}]\n"
        "try:\n"
        "    runpy.run_module('mmed_ift', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as done:\n"
        "    assert done.code in (0, None), done.code\n"
        f"print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in {_HEAVY!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert done.stdout.splitlines()[-1] == "HEAVY []"
    assert "mmed_ift" in done.stdout or "usage" in done.stdout or "medqa" in done.stdout


@pytest.mark.parametrize("argv", [["-v", "sources"], ["sources", "-v"], ["sources", "--verbose"]])
def test_verbose_anywhere(argv: list[str]) -> None:
    args = make_parser().parse_args(argv)
    assert args.verbose is True and not args.quiet


@pytest.mark.parametrize("argv", [["-q", "sources"], ["sources", "-q"]])
def test_quiet_anywhere(argv: list[str]) -> None:
    args = make_parser().parse_args(argv)
    assert args.quiet is True and not args.verbose


def test_quiet_and_verbose_change_what_is_logged(tmp_path: Path) -> None:
    def run(*flags: str) -> str:
        out = tmp_path / f"out{len(flags)}{''.join(flags)}"
        done = subprocess.run(
            [sys.executable, "-m", "mmed_ift", "build", "--lang", "ru", "--out", str(out), "--no-progress", *flags],
            capture_output=True, text=True, cwd=tmp_path, check=True,
        )  # fmt: skip
        return done.stderr

    assert "DEBUG" in run("-v")
    assert "DEBUG" not in run() and "INFO" not in run("-q")


def _interrupt_when(command: list[str], cwd: Path, marker: str) -> tuple[int, str]:
    """Start ``command``, send SIGINT once ``marker`` shows on its stderr (a progress bar)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    assert process.stderr is not None
    seen = b""
    while marker.encode() not in seen:
        chunk = process.stderr.read1(4096)
        if not chunk:
            break
        seen += chunk
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    process.wait(timeout=120)
    return process.returncode, (seen + rest).decode("utf-8", "replace")


@pytest.mark.parametrize("marker", ["read medqa", "filters", "generate"])
def test_ctrl_c_prints_one_line_and_keeps_the_previous_build(tmp_path: Path, marker: str) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mmed_ift", "build", "--all", "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True, cwd=tmp_path)
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    code, stderr = _interrupt_when(command, tmp_path, marker)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    last = re.split(r"[\r\n]+", stderr.strip())[-1]
    assert last == f"interrupted; the previous build in {out} is intact", stderr[-500:]
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]  # no staging folder or lock left


def test_summary_keeps_held_out_rows_apart() -> None:
    report = {
        "sources": {
            "igakuqa119": {"found": True, "read": 14, "kept": 12, "held_out": 12, "rejected": 2,
                           "rejected_by_reason": {"read:image_required": 1, "read:numeric_entry": 1}},
            "medqa": {"found": True, "read": 10, "kept": 9, "held_out": 3, "rejected": 1,
                      "rejected_by_reason": {"near_dedup:near_duplicate": 1}},
        },
        "languages": {"ja": {"MMed-IFT-MC": 4}},
        "rejected_total": 3,
    }
    lines = format_summary(report).splitlines()
    assert lines[0].split()[:6] == ["source", "found", "read", "training", "held-out", "rejected"]
    assert lines[1].split()[:6] == ["igakuqa119", "yes", "14", "0", "12", "2"]
    assert lines[2].split()[:6] == ["medqa", "yes", "10", "6", "3", "1"]


def test_readme_python_api_example_runs(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        capture_output=True, text=True, cwd=tmp_path, check=False, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "'ja'" in done.stdout and "答え" in done.stdout
    assert (tmp_path / "mmed_ift_out" / "MMed-IFT-MC" / "README.md").is_file()


def test_python_api_checks_arguments_before_work(tmp_path: Path) -> None:
    import mmed_ift
    from mmed_ift.errors import MMedIFTError

    with pytest.raises(MMedIFTError, match=r"xx"):
        mmed_ift.build(languages="xx", out=tmp_path / "a")
    with pytest.raises(MMedIFTError, match=r"dedup-threshold"):
        mmed_ift.build(languages="ja", out=tmp_path / "b", filters={"near_threshold": 3})
    with pytest.raises(MMedIFTError, match="not a folder"):
        mmed_ift.build(languages="ja", out=tmp_path / "c", sources=tmp_path / "missing")
    assert not any(tmp_path.iterdir())  # nothing was written
    assert "near_threshold" in (mmed_ift.build.__doc__ or "") or "filters" in (mmed_ift.build.__doc__ or "")
    assert "out_dir" in (mmed_ift.BuildConfig.__doc__ or "")


def test_an_unexpected_error_is_one_line_unless_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mmed_ift import cli
    from mmed_ift.cli import catalog

    def broken(args: object) -> int:
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(catalog, "_run_sources", broken)
    assert cli.main(["sources"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: something inside broke" in err and "--debug" in err
    with pytest.raises(RuntimeError, match="inside broke"):
        cli.main(["sources", "--debug"])
