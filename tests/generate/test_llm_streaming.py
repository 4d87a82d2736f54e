"""Jobs are streamed into ``run_jobs``: a generator is pulled only as workers free up (memory flat
in the number of requests), and outcomes still come back in job order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from mmed_ift.generate.cache import CachedResponse, RequestCache
from mmed_ift.generate.client import LLMClient
from mmed_ift.generate.llm import LLMConfig, iter_first_phase_jobs, run_jobs
from mmed_ift.generate.tasks import Job
from mmed_ift.generate.usage import UsageStats
from mmed_ift.schemas import MCQuestion
from tests.generate.fake_openai_server import FakeOpenAI


def _items(count: int) -> list[MCQuestion]:
    return [
        MCQuestion(
            source="medqa",
            source_id=f"s{index}",
            lang="en",
            split="train",
            question=f"Case {index}: a {20 + index}-year-old man has polyuria and polydipsia. First-line drug?",
            options={"A": "Metformin", "B": "Insulin glargine", "C": "Acarbose"},
            answer=["A"],
            license="CC-BY-4.0",
        )
        for index in range(count)
    ]


def test_run_jobs_pulls_a_generator_lazily_and_keeps_job_order(tmp_path: Path) -> None:
    fake = FakeOpenAI(delay_s=0.01).start()
    config = LLMConfig(base_url=fake.base_url, model="fake-model", tasks=("rationale",), concurrency=2)
    items = _items(30)
    pulled: list[int] = []
    done: list[int] = []
    most_ahead = 0

    def jobs() -> Iterator[Job]:
        nonlocal most_ahead
        for index, job in enumerate(iter_first_phase_jobs(items, config)):
            pulled.append(index)
            most_ahead = max(most_ahead, len(pulled) - len(done))
            yield job

    seen: list[str] = []

    async def run() -> list[str]:
        cache = RequestCache(tmp_path / "cache.sqlite")
        client = LLMClient(config.client_settings(), cache, UsageStats())
        original = client.complete

        async def counted(
            messages: list[dict[str, str]], output_model: type[BaseModel], prompt_version: str, attempt: int = 0
        ) -> CachedResponse:
            reply = await original(messages, output_model, prompt_version, attempt)
            done.append(1)
            return reply

        client.complete = counted  # type: ignore[method-assign]
        try:
            outcomes = await run_jobs(
                jobs(), client, 0, False, "test", on_job=lambda job: seen.append(job.origin.source_id)
            )
        finally:
            await client.aclose()
            cache.close()
        return [outcome.samples[0].provenance.source_id for outcome in outcomes]

    try:
        order = asyncio.run(run())
    finally:
        fake.stop()
    expected = [f"s{index}" for index in range(30)]
    assert order == expected  # outcomes in job order, whatever order the replies came in
    assert seen == expected  # on_job sees jobs in order
    # never more jobs taken from the generator than workers (2 x concurrency) ahead of the replies
    assert most_ahead <= 2 * config.concurrency
