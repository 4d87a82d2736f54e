"""Start-up cost of the command line: CPU seconds of ``--help`` and ``sources``, and what they import.

    python bench/bench_startup.py [--repeats 5]

Each command runs in a fresh child process (``resource.getrusage(RUSAGE_CHILDREN)`` gives its
user + system CPU); the median of ``--repeats`` runs is printed next to ``python -c pass`` and
``python -c "import datasets"`` so the numbers read on any machine.  The target (issue 17) is
``--help`` under 0.5 s of CPU, without importing ``datasets``, ``torch``, ``scipy`` or ``ray``.
"""

from __future__ import annotations

import argparse
import ast
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("datasets", "torch", "scipy", "ray", "datasketch", "transformers", "pyarrow", "numpy", "pydantic")
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import datasets'": [sys.executable, "-c", "import datasets"],
    "python -m mmed_ift --help": [sys.executable, "-m", "mmed_ift", "--help"],
    "python -m mmed_ift build --help": [sys.executable, "-m", "mmed_ift", "build", "--help"],
    "python -m mmed_ift sources": [sys.executable, "-m", "mmed_ift", "sources"],
}


def cpu_seconds(args: list[str]) -> float:
    """User + system CPU of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def imported(argv: list[str]) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``python -m mmed_ift *argv``."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['mmed_ift', *{argv!r}]\n"
        "try:\n"
        "    runpy.run_module('mmed_ift', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return list(ast.literal_eval(done.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    # interleaved: one run of every command per round, so load changes hit them all alike
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, command in COMMANDS.items():
            samples[name].append(cpu_seconds(command))
    for name, values in samples.items():
        print(f"{name:36s} {statistics.median(values):6.3f} s CPU (median of {len(values)})")
    for argv in (["--help"], ["sources"]):
        print(f"imports of {' '.join(argv):10s}: {imported(argv) or 'none of ' + ', '.join(HEAVY)}")
    help_cpu = statistics.median(samples["python -m mmed_ift --help"])
    print(f"--help under 0.5 s CPU: {'yes' if help_cpu < 0.5 else 'NO'} ({help_cpu:.3f} s)")


if __name__ == "__main__":
    main()
