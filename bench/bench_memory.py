"""Where a local build's memory goes: tracemalloc per stage, by allocation site and object type.

    python bench/bench_memory.py [--n 20000] [--seed 0] [--top 25] [--root DIR] [--rss]

Writes ``bench/bench_build.py``'s seeded corpus (``--n`` records; kept under ``--root`` when
given, so a second run reuses it) and runs one ``mmed_ift.build`` under :mod:`tracemalloc`.  Each
stage the report times (``read``, every ``filter:*`` step, ``generate``, ``write``) gets its
peak of traced memory (``tracemalloc.reset_peak`` at its start) and the memory still held at its
end.  At the end of the stage that holds the most, a snapshot is taken and printed grouped by
allocation site (file:line) and, from ``gc.get_objects``, the live objects by type with their
shallow sizes - so the holders at the peak are named, not guessed.

tracemalloc counts Python allocations only (numpy and Arrow buffers allocated in C are largely
invisible to it), and tracing slows the build several times; use ``bench/bench_build.py`` for
the RSS per record the acceptance figures are stated in.  ``--rss`` runs the build untraced and
prints the resident set after each stage and its peak so far instead (where the peak happens).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import write_corpus

MB = 1024 * 1024


def object_types(limit: int) -> list[tuple[str, int, int]]:
    """(type name, count, total shallow bytes) of the live gc-tracked objects, biggest first;
    strings are not gc-tracked, so they are counted through the containers' referents."""
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    seen_strings: set[int] = set()
    for obj in gc.get_objects():
        name = type(obj).__name__
        sizes[name] += sys.getsizeof(obj)
        counts[name] += 1
        for referent in gc.get_referents(obj):
            if isinstance(referent, str | bytes) and id(referent) not in seen_strings:
                seen_strings.add(id(referent))
                kind = type(referent).__name__
                sizes[kind] += sys.getsizeof(referent)
                counts[kind] += 1
    return [(name, counts[name], size) for name, size in sizes.most_common(limit)]


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident set of this process in MiB (Linux ``/proc``)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def rss_build(sources: Path, out: Path) -> None:
    """The build without tracing: resident set after each stage and the peak so far (RSS
    counts numpy and Arrow buffers too, which tracemalloc mostly does not see)."""
    import mmed_ift.filters.chain  # noqa: F401  (imports are not per-record memory)
    from mmed_ift import build
    from mmed_ift.pipeline.config import BuildConfig
    from mmed_ift.pipeline.report import BuildReport

    stages: list[tuple[str, float, float]] = []
    original = BuildReport.timed

    @contextmanager
    def timed(self: BuildReport, name: str) -> Iterator[None]:
        with original(self, name):
            yield
        stages.append((name, *_rss_mb()))

    BuildReport.timed = timed  # type: ignore[method-assign]
    config = BuildConfig(languages=("en", "fr", "es"), sources_dir=sources, out_dir=out, progress=False)
    gc.collect()
    start, _ = _rss_mb()
    result = build(config)
    BuildReport.timed = original  # type: ignore[method-assign]
    read = sum(source["read"] for source in result.report.to_dict()["sources"].values())
    print(f"build of {read:,} records; RSS {start:.0f} MiB before the build")
    print(f"\n{'after stage':<24}{'RSS MiB':>9}{'peak so far':>13}{'peak KB/rec':>13}")
    for name, now, peak in stages:
        print(f"{name:<24}{now - start:>9.1f}{peak - start:>13.1f}{(peak - start) * MB / read / 1000:>13.2f}")


def traced_build(sources: Path, out: Path, top: int) -> None:
    import mmed_ift.filters.chain  # noqa: F401  (imports are not per-record memory)
    from mmed_ift import build
    from mmed_ift.pipeline.config import BuildConfig
    from mmed_ift.pipeline.report import BuildReport

    stages: list[tuple[str, float, float]] = []
    biggest: dict[str, Any] = {"held": -1.0}
    original = BuildReport.timed

    @contextmanager
    def timed(self: BuildReport, name: str) -> Iterator[None]:
        tracemalloc.reset_peak()
        with original(self, name):
            yield
        held, peak = tracemalloc.get_traced_memory()
        stages.append((name, peak / MB, held / MB))
        if held > biggest["held"] and name != "write":
            biggest.update(held=held, stage=name, snapshot=tracemalloc.take_snapshot(), types=object_types(top))

    BuildReport.timed = timed  # type: ignore[method-assign]
    config = BuildConfig(languages=("en", "fr", "es"), sources_dir=sources, out_dir=out, progress=False)
    gc.collect()
    tracemalloc.start(1)
    started = time.perf_counter()
    result = build(config)
    _, overall = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    BuildReport.timed = original  # type: ignore[method-assign]
    read = sum(source["read"] for source in result.report.to_dict()["sources"].values())
    print(f"build of {read:,} records traced in {time.perf_counter() - started:.0f} s;"
          f" traced peak {overall / MB:.0f} MiB = {overall / read / 1000:.2f} KB/record")  # fmt: skip
    print(f"\n{'stage':<24}{'peak MiB':>10}{'held after':>12}{'KB/rec peak':>13}")
    for name, peak, held in stages:
        print(f"{name:<24}{peak:>10.1f}{held:>12.1f}{peak * MB / read / 1000:>13.2f}")
    print(f"\nheld at the end of {biggest['stage']!r} ({biggest['held'] / MB:.0f} MiB), by allocation site:")
    for stat in biggest["snapshot"].statistics("lineno")[:top]:
        frame = stat.traceback[0]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        print(f"  {stat.size / MB:8.1f} MiB {stat.size / read:8.0f} B/rec {stat.count:>9,} blocks  {where}")
    print("\nlive objects by type (shallow sizes):")
    for name, count, size in biggest["types"]:
        print(f"  {size / MB:8.1f} MiB {size / read:8.0f} B/rec {count:>9,}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="records in the corpus")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=25, help="rows of each table")
    parser.add_argument("--root", type=Path, default=None, help="keep (and reuse) the corpus here")
    parser.add_argument("--rss", action="store_true", help="no tracing: RSS after each stage only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_memory_") as folder:
        root = args.root or Path(folder)
        if not (root / "sources").is_dir():
            write_corpus(root / "sources", args.n, args.seed)
        if args.rss:
            rss_build(root / "sources", root / "out")
        else:
            traced_build(root / "sources", root / "out", args.top)


if __name__ == "__main__":
    main()
