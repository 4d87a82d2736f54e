"""Throughput of the LLM generator's request layer against the fake OpenAI-compatible server.

Prints requests/s at several concurrency levels with a simulated per-request latency (what a
remote server costs), and the time of a full rerun served from the request cache (what a
repeated build costs).  The numbers measure this library's overhead and concurrency, not a model.

    python bench/bench_llm.py [--items 200] [--latency 0.05]
    python bench/bench_llm.py --memory 20000,200000 [--concurrency 32] [--mode batch]

``--memory``: for each number of planned requests N, a fresh process runs one build of N
rationale requests against the fake server (itself in another process, so its CPU and its record
of every request are not counted) and prints the client's CPU per request and its memory:
``RSS delta`` (peak RSS during the generation minus RSS before it), and, traced with tracemalloc
in a second run, ``peak`` (the most Python memory held at once by the generation) and ``kept``
(what is still held after it: the result, i.e. the replies' samples).  Flat memory means
``peak - kept`` (the in-flight working set) does not grow with N and ``kept / N`` is the size of
one reply's sample.  The items themselves are allocated, and a 3-request warm-up run (imports,
HTTP client) done, before the measurement starts.  ``--mode batch`` runs the same generation
through the Batch API (:mod:`mmed_ift.generate.batch`): a collect round, input files, upload,
polling, ingestion into the cache, and the round that replays the replies; the fake server
answers the batches in its own process.  ``--every S`` prints, every S seconds of a run, the
replies cached so far with the CPU per reply and the RSS above the start until then (to stderr,
one JSON line each): how a long run (200k requests) goes before it ends.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmed_ift.generate.llm import LLMConfig, generate_llm_samples, usage_details
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.schemas import Item, MCQuestion
from tests.generate.fake_openai_server import FakeOpenAI


def _items(count: int) -> list[Item]:
    """``count`` distinct questions (distinct prompts: no request is answered from another's cache)."""
    return [
        MCQuestion(
            source="medqa",
            source_id=f"bench-{index}",
            lang="en",
            split="train",
            question=f"Case {index}: a patient with type 2 diabetes and an HbA1c of 8.5% needs a first drug. Which?",
            options={"A": "Metformin", "B": "Insulin glargine", "C": "Glipizide", "D": "Acarbose"},
            answer=["A"],
        )
        for index in range(count)
    ]


def _licensed(item: Any) -> Any:
    """The item as an adapter stamps it (tests build items by hand)."""
    return item.model_copy(update={"license": "CC-BY-4.0"})


def _licensed_all(items: Any) -> Any:
    return [_licensed(item) for item in items]


def _license(_: str) -> str:
    return "MIT"


def _run(fake: FakeOpenAI, items: list[Item], cache: Path, concurrency: int) -> tuple[float, dict[str, object]]:
    config = LLMConfig(
        base_url=fake.base_url,
        model="fake-model",
        cache_path=str(cache),
        tasks=("rationale",),
        concurrency=concurrency,
    )
    report = BuildReport()
    started = time.perf_counter()
    result = generate_llm_samples(_licensed_all(items), [], config, ("en",))
    samples, rejects = result.samples, result.rejects
    report.step("generate").extra["openai"] = usage_details(result.stats, config, result.elapsed_s)
    elapsed = time.perf_counter() - started
    assert len(samples) == len(items) and not rejects, (len(samples), rejects[:3])
    return elapsed, report.step("generate").extra["openai"]


def _rss_kib() -> int:
    """Current resident set size (ru_maxrss is a peak, so read the current one from /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _watch(cache: Path, stop: threading.Event, every_s: float, cpu_start: float, rss_before: int) -> None:
    """Every ``every_s``: replies in ``cache`` so far, CPU per reply, RSS above the start (stderr)."""
    while not stop.wait(every_s):
        if not cache.exists():
            continue
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True) as db:
            done = db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        cpu = time.process_time() - cpu_start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        line = {
            "replies": done,
            "cpu_ms_per_reply": round(cpu / max(done, 1) * 1000, 3),
            "rss_mib": round((_rss_kib() - rss_before) / 1024, 1),
            "peak_rss_mib": round((peak - rss_before) / 1024, 1),
        }
        print(json.dumps(line), file=sys.stderr, flush=True)


def memory_run(
    requests: int, base_url: str, concurrency: int, trace: bool, mode: str = "online", every_s: float | None = None
) -> dict[str, float]:
    """One generation of ``requests`` rationale jobs in this (fresh) process; what it cost."""
    import tracemalloc

    items = _licensed_all(_items(requests))
    with tempfile.TemporaryDirectory() as folder:

        def config_for(cache: str) -> LLMConfig:
            # batch mode: the fake server ends a batch at its second poll; poll every 50 ms
            return LLMConfig(base_url=base_url, model="fake-model", cache_path=str(Path(folder) / cache),
                             tasks=("rationale",), concurrency=concurrency, llm_mode=mode,
                             batch_poll_s=0.05, batch_max_poll_s=0.2)  # fmt: skip

        config = config_for("cache.sqlite")
        # warm-up: imports, the HTTP client and sqlite are paid once per process, not per request
        warm = config_for("warm.sqlite")
        generate_llm_samples(_licensed_all(_items(3)), [], warm, ("en",))
        gc.collect()
        if trace:
            tracemalloc.start()
        rss_before = _rss_kib()
        cpu, wall = time.process_time(), time.perf_counter()
        stop = threading.Event()
        if every_s:
            watch_args = (Path(config.cache_path or ""), stop, every_s, cpu, rss_before)
            threading.Thread(target=_watch, args=watch_args, daemon=True).start()
        result = generate_llm_samples(items, [], config, ("en",))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        stop.set()
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert len(result.samples) == requests and not result.rejects, (len(result.samples), result.rejects[:2])
        out = {"cpu_s": cpu, "wall_s": wall, "rss_delta_mib": (peak_rss - rss_before) / 1024}
        if trace:
            gc.collect()
            kept, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            out.update(peak_mib=peak / 2**20, kept_mib=kept / 2**20)
    return out


def memory_bench(counts: list[int], concurrency: int, mode: str, every_s: float | None, trace: bool) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.generate.fake_openai_server"],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        print(f"fake server {base_url} (own process); {mode} mode; concurrency {concurrency}; rationale requests")
        print(
            f"{'requests':>10}{'wall s':>9}{'CPU ms/req':>12}{'RSS delta MiB':>15}"
            f"{'peak MiB':>10}{'kept MiB':>10}{'peak-kept':>11}{'kept KiB/req':>14}"
        )
        for count in counts:
            runs = []
            for traced_run in (False, True) if trace else (False,):
                command = [sys.executable, __file__, "--memory-run", str(count), "--base-url", base_url]
                command += ["--concurrency", str(concurrency), "--mode", mode] + (["--trace"] if traced_run else [])
                command += ["--every", str(every_s)] if every_s else []
                done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            plain = runs[0]
            nan = float("nan")
            traced = runs[1] if trace else {"peak_mib": nan, "kept_mib": nan}
            print(
                f"{count:>10}{plain['wall_s']:>9.1f}{plain['cpu_s'] / count * 1000:>12.2f}"
                f"{plain['rss_delta_mib']:>15.1f}{traced['peak_mib']:>10.1f}{traced['kept_mib']:>10.1f}"
                f"{traced['peak_mib'] - traced['kept_mib']:>11.1f}{traced['kept_mib'] * 1024 / count:>14.2f}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="simulated server seconds per request")
    parser.add_argument("--memory", default=None, help="comma-separated request counts, e.g. 20000,200000")
    parser.add_argument("--concurrency", type=int, default=32, help="with --memory")
    parser.add_argument("--mode", choices=("online", "batch"), default="online", help="with --memory")
    parser.add_argument("--every", type=float, default=None, help="with --memory: progress every S seconds")
    parser.add_argument("--no-trace", action="store_true", help="with --memory: skip the traced (tracemalloc) run")
    parser.add_argument("--memory-run", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_run is not None:
        run = memory_run(args.memory_run, args.base_url, args.concurrency, args.trace, args.mode, args.every)
        print(json.dumps(run))
        return
    if args.memory is not None:
        counts = [int(count) for count in args.memory.split(",")]
        memory_bench(counts, args.concurrency, args.mode, args.every, not args.no_trace)
        return
    items = _items(args.items)
    fake = FakeOpenAI(delay_s=args.latency).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            print(f"{args.items} rationale requests, fake server latency {args.latency * 1000:.0f} ms")
            print(f"{'concurrency':>12}{'seconds':>10}{'req/s':>10}{'max in flight':>15}")
            for concurrency in (1, 8, 32):
                cache = Path(folder) / f"c{concurrency}.sqlite"
                elapsed, details = _run(fake, items, cache, concurrency)
                sent = details["requests_sent"]
                assert isinstance(sent, int)
                print(f"{concurrency:>12}{elapsed:>10.2f}{sent / elapsed:>10.1f}{details['max_in_flight']!s:>15}")
            elapsed, details = _run(fake, items, Path(folder) / "c8.sqlite", 8)
            print(
                f"cache-hit rerun: {elapsed:.3f} s for {details['cache_hits']} cached replies,"
                f" {details['requests_sent']} requests sent"
            )
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
