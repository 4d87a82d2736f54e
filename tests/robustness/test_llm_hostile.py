"""Hostile LLM servers: bad 200 replies, trickling bodies, echoed secrets.

The real ``openai`` client talks HTTP to ``tests/generate/fake_openai_server.py``; a reply that
cannot be used is retried and then becomes a reject, never an exception out of the build, and
no secret (API key, credentials in the base URL) reaches rejects, cache, logs or samples.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.errors import MMedIFTError
from mmed_ift.generate import template
from mmed_ift.generate.llm import LLMConfig, generate_llm_samples, usage_details
from mmed_ift.generate.replies import parse_completion
from mmed_ift.generate.secrets import redact_url
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.schemas import Item, MCQuestion, Reject, Sample
from tests.generate.fake_openai_server import FakeOpenAI
from tests.robustness.conftest import REPO

KEY = "sk-test-SECRET-4f9a2c71"
QUESTION = (
    "A 55-year-old man with type 2 diabetes has an HbA1c of 8.5% after three months of diet and exercise."
    " Which drug is the usual first choice?"
)
OPTIONS = {"A": "Metformin", "B": "Insulin glargine", "C": "Glipizide", "D": "Acarbose"}


def mc(marker: str = "") -> MCQuestion:
    return MCQuestion(source="medqa", source_id="q1", lang="en", split="train",
                      question=f"{QUESTION} {marker}".strip(), options=OPTIONS, answer=["A"])  # fmt: skip


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def run(
    fake: FakeOpenAI, items: list[Item], tmp_path: Path, **options: Any
) -> tuple[list[Sample], list[Reject], dict[str, Any]]:
    settings: dict[str, Any] = {
        "base_url": fake.base_url,
        "model": "fake-model",
        "cache_path": str(tmp_path / "cache.sqlite"),
        "tasks": ("rationale",),
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.02,
        "timeout_s": 5.0,
        "max_retries": 2,
    }
    settings.update(options)
    config = LLMConfig(**settings)
    report = BuildReport()
    items = [item.model_copy(update={"license": "MIT"}) for item in items]  # as an adapter stamps it
    samples_in = [sample for item in items for sample in template.generate(item)]
    result = generate_llm_samples(items, samples_in, config, ("en",))
    report.step("generate").extra["openai"] = usage_details(result.stats, config, result.elapsed_s)
    return result.samples, result.rejects, report.step("generate").extra["openai"]


def _llm_samples(samples: list[Sample]) -> list[Sample]:
    return [sample for sample in samples if sample.provenance.generator == "openai"]


def _cache_text(tmp_path: Path) -> str:
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        rows = db.execute("SELECT request, content FROM responses").fetchall()
    return "\n".join(f"{request}\n{content}" for request, content in rows)


@pytest.mark.parametrize(
    ("fault", "cause"),
    [("notjson", "invalid_json"), ("wrongtypes", "wrong_types"), ("badutf8", "invalid_utf8"),
     ("huge", "body_too_large"), ("hugestream", "body_too_large")],
)  # fmt: skip
def test_bad_200_reply_is_retried_then_accepted(fake: FakeOpenAI, tmp_path: Path, fault: str, cause: str) -> None:
    samples, rejects, details = run(fake, [mc(f"[[fault:{fault}*1]]")], tmp_path, max_response_bytes=100_000)
    assert rejects == [] and len(_llm_samples(samples)) == 1
    assert details["retries_by_cause"] == {cause: 1}


@pytest.mark.parametrize("fault", ["notjson", "wrongtypes", "badutf8", "huge"])
def test_bad_200_reply_every_time_becomes_a_reject_not_a_crash(fake: FakeOpenAI, tmp_path: Path, fault: str) -> None:
    samples, rejects, details = run(fake, [mc(f"[[fault:{fault}*99]]")], tmp_path, max_response_bytes=100_000)
    assert _llm_samples(samples) == [] and [reject.reason for reject in rejects] == ["rationale:request_failed"]
    assert "after 3 attempts" in rejects[0].detail and sum(details["failures_by_cause"].values()) == 1


def test_trickling_server_is_cut_off_by_the_total_deadline(fake: FakeOpenAI, tmp_path: Path) -> None:
    started = time.monotonic()
    samples, _rejects, details = run(fake, [mc("[[fault:trickle*1]]")], tmp_path, timeout_s=1.0)
    assert time.monotonic() - started < 15
    assert details["retries_by_cause"] == {"timeout": 1} and len(_llm_samples(samples)) == 1


def test_empty_reply_is_not_cached_and_asked_again_next_run(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, _ = run(fake, [mc("[[fault:empty*1]]")], tmp_path, max_output_retries=0)
    assert _llm_samples(samples) == [] and [reject.reason for reject in rejects] == ["rationale:empty_output"]
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0
    sent_before = len(fake.requests)
    samples, rejects, details = run(fake, [mc("[[fault:empty*1]]")], tmp_path, max_output_retries=0)
    assert len(fake.requests) == sent_before + 1 and details["cache_hits"] == 0
    assert rejects == [] and len(_llm_samples(samples)) == 1


def test_api_key_echoed_in_reply_text_reaches_no_sample_and_no_cache(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    samples, rejects, _ = run(fake, [mc("[[fault:echokey*9]]")], tmp_path)
    assert fake.requests[0].authorization == f"Bearer {KEY}"
    assert KEY not in _cache_text(tmp_path)
    assert all(KEY not in sample.model_dump_json() for sample in samples)
    assert all(KEY not in reject.model_dump_json() for reject in rejects)


def test_api_key_echoed_in_an_error_reaches_no_reject(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with caplog.at_level(logging.DEBUG):
        _samples, rejects, _ = run(fake, [mc("[[fault:echokey400*9]]")], tmp_path)
    assert [reject.reason for reject in rejects] == ["rationale:bad_request"]
    assert KEY not in rejects[0].detail and "[REDACTED]" in rejects[0].detail
    assert KEY not in caplog.text


def test_credentials_in_base_url_reach_no_log_error_or_config_dump(
    fake: FakeOpenAI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = fake.base_url.replace("http://", "http://alice:hunter2pass@")
    with caplog.at_level(logging.DEBUG):
        samples, rejects, _ = run(fake, [mc()], tmp_path, base_url=url)
    assert rejects == [] and len(_llm_samples(samples)) == 1
    assert "hunter2pass" not in caplog.text and "hunter2pass" not in _cache_text(tmp_path)
    config = LLMConfig(base_url=url + "?api_key=qwerty123", model="m")
    assert "hunter2pass" not in repr(config) and "qwerty123" not in str(config.base_url)
    with pytest.raises(MMedIFTError) as error:
        run(fake, [mc()], tmp_path, base_url=url.removesuffix("/v1") + "/nope", cache_path=str(tmp_path / "c2"))
    assert "hunter2pass" not in str(error.value) and "[REDACTED]@" in str(error.value)


def test_redact_url_hides_userinfo_and_secret_query_values() -> None:
    assert redact_url("https://bob:pw@host:8/v1?api_key=k1&model=x&access_token=t2") == (
        "https://[REDACTED]@host:8/v1?api_key=[REDACTED]&model=x&access_token=[REDACTED]"
    )
    assert redact_url("http://localhost:8000/v1") == "http://localhost:8000/v1"


@pytest.mark.parametrize(
    ("body", "cause"),
    [(b"\xff", "invalid_utf8"), (b"[1, 2]", "wrong_types"), (b'{"choices": [{"message": {"content": 7}}]}',
     "wrong_types"), (b'{"choices": [], "usage": {"prompt_tokens": -1}}', "wrong_types"),
     (b"[" * 100_000, "invalid_json")],
)  # fmt: skip
def test_parse_completion_checks_what_it_reads(body: bytes, cause: str) -> None:
    with pytest.raises(Exception) as error:
        parse_completion(body)
    assert getattr(error.value, "cause", None) == cause


def test_build_command_with_secrets_in_url_and_an_echoing_server_leaks_nothing(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    """The whole CLI: report, rejects, cache, stderr (-v) and outputs hold neither secret."""
    from tests.robustness.conftest import medqa_line, write_medqa

    sources = tmp_path / "sources"
    write_medqa(sources, [medqa_line(0, question=f"{QUESTION} [[fault:echokey*9]]"), medqa_line(1)])
    url = fake.base_url.replace("http://", "http://alice:hunter2pass@")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "OPENAI_API_KEY": KEY}
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mmed_ift", "-v", "build", "--lang", "en", "--sources", str(sources),
               "--out", str(out), "--no-progress", "--generator", "openai", "--base-url", url,
               "--model", "fake-model", "--tasks", "rationale",
               "--llm-cache", str(tmp_path / "cache.sqlite")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert "Traceback" not in done.stderr and done.returncode == 0, done.stderr[-3000:]
    assert fake.requests and all(request.authorization for request in fake.requests)
    everything = done.stdout + done.stderr + _cache_text(tmp_path)
    for path in out.rglob("*"):
        if path.is_file():
            everything += path.read_bytes().decode("utf-8", "replace")
    assert "hunter2pass" not in everything and KEY not in everything
    assert "[REDACTED]@127.0.0.1" in (out / "build_report.json").read_text("utf-8")


def test_model_reply_text_is_cleaned_like_source_text() -> None:
    from pydantic import BaseModel

    from mmed_ift.generate.parsing import parse_output

    class Reply(BaseModel):
        text: str

    parsed = parse_output('{"text": "Take\\u200b 5\\u0000 mg\\u202e daily"}', Reply)
    assert parsed.text == "Take 5 mg daily"


@pytest.mark.parametrize("reply", ["[" * 100_000, '{"text": ' + "9" * 5000 + "}"])
def test_model_reply_too_deep_or_with_huge_numbers_is_an_output_error(reply: str) -> None:
    from pydantic import BaseModel

    from mmed_ift.generate.parsing import OutputError, parse_output

    class Reply(BaseModel):
        text: str

    with pytest.raises(OutputError) as error:
        parse_output(reply, Reply)
    assert error.value.reason == "malformed_json"
