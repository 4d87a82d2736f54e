"""Throughput of the LLM generator's request layer against the fake OpenAI-compatible server.

Prints requests/s at several concurrency levels with a simulated per-request latency (what a
remote server costs), and the time of a full rerun served from the request cache (what a
repeated build costs).  The numbers measure this library's overhead and concurrency, not a model.

    python bench/bench_llm.py [--items 200] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmed_ift.generate.llm import LLMConfig, generate_llm_samples, usage_details
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.schemas import Item, MCQuestion
from tests.generate.fake_openai_server import FakeOpenAI


def _items(count: int) -> list[Item]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="simulated server seconds per request")
    args = parser.parse_args()
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
