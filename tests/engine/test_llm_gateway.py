"""The LLM gateway actor keeps concurrency, rate limits, budget and cache global across workers."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.generate.cache import CachedResponse
from mmed_ift.generate.client import RequestFailed
from mmed_ift.pipeline.distributed.llm_gateway import (
    GatewayCache,
    GatewayLimiter,
    GatewaySlots,
    gateway_client,
    start_gateway,
)

pytestmark = pytest.mark.slow


async def _stand_in_requests(gateway: Any, count: int, seconds: float) -> int:
    """What a worker's generator does around each HTTP request, with a sleep as the request."""
    done = 0

    async def one() -> None:
        nonlocal done
        limiter = GatewayLimiter(gateway)
        await limiter.acquire(10)
        try:
            async with GatewaySlots(gateway):
                await asyncio.sleep(seconds)
                done += 1
        except RequestFailed:
            pass

    await asyncio.gather(*(one() for _ in range(count)))
    return done


def _run_workers(gateway: Any, workers: int, count: int, seconds: float) -> list[int]:
    import ray

    @ray.remote(num_cpus=0)
    def worker(handle: Any) -> int:
        return asyncio.run(_stand_in_requests(handle, count, seconds))

    return list(ray.get([worker.remote(gateway) for _ in range(workers)]))


def test_concurrency_is_bounded_across_workers(ray_session: None, tmp_path: Path) -> None:
    import ray

    gateway = start_gateway(str(tmp_path / "c.sqlite"), concurrency=3, name="test-concurrency")
    done = _run_workers(gateway, workers=4, count=6, seconds=0.2)
    stats = ray.get(gateway.stats.remote())
    assert sum(done) == 24
    # per-worker semaphores of 3 would let 4 x 3 = 12 requests fly at once
    assert stats["max_in_flight"] == 3
    assert stats["in_flight"] == 0 and stats["granted"] == 24
    ray.kill(gateway)


def test_rate_limit_and_budget_are_global(ray_session: None, tmp_path: Path) -> None:
    import ray

    # 120 requests/minute with a one-second burst: 2 at once, then one every 0.5 s
    gateway = start_gateway(
        str(tmp_path / "r.sqlite"), concurrency=50, requests_per_minute=120, rate_burst_s=1.0, max_requests=5,
        name="test-rate",
    )  # fmt: skip
    started = time.monotonic()
    done = _run_workers(gateway, workers=2, count=3, seconds=0.0)
    elapsed = time.monotonic() - started
    stats = ray.get(gateway.stats.remote())
    assert sum(done) == 5 and stats["granted"] == 5  # the sixth request is refused cluster-wide
    assert elapsed >= 1.9  # 6 reservations: 2 at once, 4 more at 0.5 s each
    assert stats["rate_wait_s"] >= 1.9
    ray.kill(gateway)


def test_cache_is_shared_between_workers(ray_session: None, tmp_path: Path) -> None:
    import ray

    gateway = start_gateway(str(tmp_path / "shared.sqlite"), concurrency=2, name="test-cache")

    @ray.remote(num_cpus=0)
    def put(handle: Any) -> None:
        GatewayCache(handle).put(
            "k1", model="m", prompt_version="v", request={}, response=CachedResponse("hi", "stop", 3, 1)
        )

    @ray.remote(num_cpus=0)
    def get(handle: Any) -> CachedResponse | None:
        return GatewayCache(handle).get("k1")

    ray.get(put.remote(gateway))
    assert ray.get(get.remote(gateway)) == CachedResponse("hi", "stop", 3, 1)
    assert len(GatewayCache(gateway)) == 1
    ray.kill(gateway)
    # the file is the ordinary request cache: a local run reads what the cluster wrote
    from mmed_ift.generate.cache import RequestCache

    assert RequestCache(tmp_path / "shared.sqlite").get("k1") == CachedResponse("hi", "stop", 3, 1)


def _llm_worker(handle: Any, base_url: str, first: int) -> tuple[int, int, int]:
    """A Ray worker's share of rationale generation through the real client: (samples, sent, hits)."""
    from mmed_ift.generate.llm import LLMConfig, first_phase_jobs, run_jobs
    from mmed_ift.schemas import MCQuestion

    config = LLMConfig(base_url=base_url, model="fake-model", tasks=("rationale",), concurrency=2)
    items = [
        MCQuestion(
            source="medqa",
            source_id=str(index),
            lang="en",
            split="train",
            question=f"A {30 + index}-year-old man has polyuria. First-line drug?",
            options={"A": "Metformin", "B": "Insulin"},
            answer=["A"],
        )
        for index in range(first, first + 4)
    ]
    jobs = first_phase_jobs([item.model_copy(update={"license": "CC-BY-4.0"}) for item in items], config)

    async def run() -> tuple[int, int, int]:
        client = gateway_client(config.client_settings(), handle)
        try:
            outcomes = await run_jobs(jobs, client, config.max_output_retries, False, "test")
        finally:
            await client.aclose()
        return sum(len(o.samples) for o in outcomes), client.stats.requests_sent, client.stats.cache_hits

    return asyncio.run(run())


def test_llm_client_through_the_gateway(ray_session: None, tmp_path: Path) -> None:
    """Three workers, --concurrency 2: the server never sees more than 2 requests at once, and a
    rerun on other workers is answered from the shared cache."""
    import ray

    from tests.generate.fake_openai_server import FakeOpenAI

    fake = FakeOpenAI(delay_s=0.3).start()
    try:
        gateway = start_gateway(str(tmp_path / "llm.sqlite"), concurrency=2, name="test-client")
        worker = ray.remote(num_cpus=0)(_llm_worker)
        first = ray.get([worker.remote(gateway, fake.base_url, start) for start in (0, 4, 8)])
        assert [samples for samples, _, _ in first] == [4, 4, 4]
        assert sum(sent for _, sent, _ in first) == 12
        assert fake.max_in_flight == 2  # per-worker limits would have allowed 6
        again = ray.get([worker.remote(gateway, fake.base_url, start) for start in (8, 0, 4)])
        assert [(samples, sent, hits) for samples, sent, hits in again] == [(4, 0, 4)] * 3
        assert len(fake.requests) == 12
        ray.kill(gateway)
    finally:
        fake.stop()
