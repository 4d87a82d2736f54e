"""``build --generator openai`` end to end, as a user runs it: a real process, real HTTP.

The fake server runs in the test process on 127.0.0.1; the build runs as ``python -m mmed_ift``
in a child process, so a SIGKILL is a real SIGKILL and every byte the build prints or writes can
be searched for the API key.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO_ROOT
from tests.generate.fake_openai_server import FakeOpenAI

SECRET = "sk-test-7f3a9c1e5b2d4f60a8e1c3b5d7f9a2c4"

MC_QUESTIONS: list[tuple[str, dict[str, str], str]] = [
    (
        "A 62-year-old man has crushing substernal chest pain for 40 minutes with ST elevations in leads II, III and"
        " aVF. Occlusion of which artery is most likely responsible?",
        {
            "A": "Right coronary artery",
            "B": "Left anterior descending artery",
            "C": "Left circumflex artery",
            "D": "First diagonal branch",
        },
        "A",
    ),
    (
        "A 24-year-old woman reports heat intolerance, weight loss and palpitations; her TSH is suppressed and free"
        " T4 raised, with diffuse goitre and exophthalmos. What is the most likely diagnosis?",
        {
            "A": "Toxic multinodular goitre",
            "B": "Graves disease",
            "C": "Subacute thyroiditis",
            "D": "Factitious thyrotoxicosis",
        },
        "B",
    ),
    (
        "Which vitamin deficiency causes Wernicke encephalopathy, classically presenting with confusion,"
        " ophthalmoplegia and ataxia in people with alcohol use disorder?",
        {"A": "Vitamin B12", "B": "Folate", "C": "Thiamine", "D": "Niacin"},
        "C",
    ),
    (
        "A child aged 3 has a barking cough, inspiratory stridor and a steeple sign on the neck radiograph after"
        " two days of coryza. Which virus is the usual cause?",
        {"A": "Parainfluenza virus", "B": "Adenovirus", "C": "Rhinovirus", "D": "Respiratory syncytial virus"},
        "A",
    ),
    (
        "What is the antidote for a paracetamol overdose when the plasma level lies above the treatment line four"
        " hours after ingestion?",
        {"A": "Naloxone", "B": "Flumazenil", "C": "Atropine", "D": "Acetylcysteine"},
        "D",
    ),
    (
        "Sickle cell anaemia results from a single point mutation replacing glutamic acid with which amino acid at"
        " position 6 of the beta-globin chain?",
        {"A": "Lysine", "B": "Valine", "C": "Glycine", "D": "Alanine"},
        "B",
    ),
]

PASSAGES = [
    (
        "Metformin",
        "Metformin is the first-line medication for type 2 diabetes. The usual starting dose is 500 mg once or"
        " twice daily with meals, increased gradually to reduce gastrointestinal side effects.",
    ),
    (
        "Asthma",
        "Asthma is a chronic inflammatory disease of the airways with reversible airflow obstruction. Inhaled"
        " corticosteroids are the main controller treatment, and short-acting beta agonists relieve symptoms.",
    ),
]


def write_sources(root: Path) -> Path:
    """A --sources folder: English MedQA questions and English Wikipedia passages."""
    medqa = root / "medqa" / "US" / "4_options"
    medqa.mkdir(parents=True)
    with (medqa / "phrases_no_exclude_train.jsonl").open("w", encoding="utf-8") as handle:
        for question, options, key in MC_QUESTIONS:
            record = {"question": question, "answer": options[key], "options": options, "answer_idx": key}
            handle.write(json.dumps(record) + "\n")
    wiki = root / "wikipedia" / "enwiki" / "AA"
    wiki.mkdir(parents=True)
    with (wiki / "wiki_00").open("w", encoding="utf-8") as handle:
        for index, (title, text) in enumerate(PASSAGES):
            record = {"id": str(index + 1), "url": f"https://en.wikipedia.org/wiki?curid={index + 1}", "title": title,
                      "text": f"{title}\n\n{text}"}  # fmt: skip
            handle.write(json.dumps(record) + "\n")
    return root


def build_command(fake: FakeOpenAI, sources: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "mmed_ift", "-v", "build",
        "--lang", "en", "--lang", "fr",
        "--sources", str(sources), "--out", str(out), "--no-progress",
        "--generator", "openai", "--base-url", fake.base_url, "--model", "fake-model",
        "--tasks", "rationale,knowledge,translate", "--knowledge-styles", "explain,patient_summary",
        *extra,
    ]  # fmt: skip


def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1", **extra}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    return env


def run_build(fake: FakeOpenAI, sources: Path, out: Path, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        build_command(fake, sources, out, *extra),
        capture_output=True,
        text=True,
        env=child_env(**env),
        timeout=300,
        check=False,
    )


def rows(out: Path, dataset: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted((out / dataset).rglob("*.parquet")):
        found.extend(pq.read_table(path).to_pylist())
    return found


def test_build_writes_llm_samples_to_the_right_datasets_and_reports_usage(
    fake: FakeOpenAI, sources: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"fake-model": {"prompt": 0.5, "completion": 1.5}}), encoding="utf-8")
    result = run_build(fake, sources, out, "--price-table", str(prices))
    assert result.returncode == 0, result.stderr[-3000:]
    mc_rows, ift_rows = rows(out, "MMed-IFT-MC"), rows(out, "MMed-IFT")
    assert sum(row["task"] == "rationale" for row in mc_rows) == len(MC_QUESTIONS)
    assert sum(row["task"].startswith("mc_") for row in mc_rows) == len(MC_QUESTIONS), "template samples stay"
    prompts = [row["messages"][-2]["content"] for row in mc_rows]
    assert len(prompts) == len(set(prompts)), "the LLM rationale and the template sample never share a prompt"
    knowledge = [row for row in ift_rows if row["task"].startswith("knowledge_")]
    assert len(knowledge) == 2 * len(PASSAGES)
    assert all(row["provenance"]["generator"] == "openai" for row in knowledge)
    assert all(row["provenance"]["prompt_version"] == "knowledge-v1" for row in knowledge)
    ids = [row["id"] for row in mc_rows + ift_rows]
    assert len(ids) == len(set(ids))

    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    details = report["generate"]["details"]["openai"]
    assert details["requests_sent"] == len(fake.requests) > 0
    assert details["usage"]["total_tokens"] > 0
    expected_cost = (details["usage"]["prompt_tokens"] * 0.5 + details["usage"]["completion_tokens"] * 1.5) / 1e6
    assert details["cost"]["this_run_usd"] == pytest.approx(expected_cost, abs=1e-6)
    assert report["config"]["llm"]["model"] == "fake-model"
    # The fake has no French translations: it echoes English, and language ID rejects every one.
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    translate_rejects = [r for r in rejects if r["reason"] == "translate:wrong_language"]
    assert translate_rejects and all(r["lang"] == "fr" and r["stage"] == "generate" for r in translate_rejects)
    assert report["generate"]["rejected_by_reason"]["translate:wrong_language"] == len(translate_rejects)
    card = (out / "MMed-IFT" / "README.md").read_text(encoding="utf-8")
    assert "rationale-v1" in card or "knowledge-v1" in card


def test_api_key_is_sent_but_never_logged_cached_or_written(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cache = tmp_path / "llm.sqlite"
    fake.faults = ["429", "500", "drop"]  # retries log too: the key must not appear there either
    result = run_build(fake, sources, out, "--api-key-env", "MY_LLM_KEY", "--llm-cache", str(cache), MY_LLM_KEY=SECRET)
    assert result.returncode == 0, result.stderr[-3000:]
    assert {request.authorization for request in fake.requests} == {f"Bearer {SECRET}"}, "the key was really used"
    assert "retry" in result.stderr, "verbose logging was on"
    assert SECRET not in result.stdout and SECRET not in result.stderr
    written = [path for path in [*out.rglob("*"), *tmp_path.glob("llm.sqlite*")] if path.is_file()]
    assert cache in written and out / "build_report.json" in written
    for path in written:
        assert SECRET.encode() not in path.read_bytes(), path
    assert "MY_LLM_KEY" in (out / "build_report.json").read_text(encoding="utf-8"), "the variable name is kept"


def test_rerun_sends_zero_requests_and_writes_identical_output(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    first = run_build(fake, sources, tmp_path / "a", "--llm-cache", str(cache))
    assert first.returncode == 0, first.stderr[-3000:]
    sent = len(fake.requests)
    started = time.perf_counter()
    second = run_build(fake, sources, tmp_path / "b", "--llm-cache", str(cache))
    elapsed = time.perf_counter() - started
    assert second.returncode == 0, second.stderr[-3000:]
    assert len(fake.requests) == sent, "the rerun was served from the cache"
    for dataset in ("MMed-IFT", "MMed-IFT-MC"):
        assert rows(tmp_path / "a", dataset) == rows(tmp_path / "b", dataset)
    report = json.loads((tmp_path / "b" / "build_report.json").read_text(encoding="utf-8"))
    assert report["generate"]["details"]["openai"]["requests_sent"] == 0
    assert report["generate"]["details"]["openai"]["cache_hits"] > 0
    print(f"cache-hit rerun of the whole build: {elapsed:.2f}s")


def test_dry_run_counts_requests_and_sends_none(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    dry = run_build(fake, sources, tmp_path / "out", "--llm-cache", str(cache), "--dry-run")
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert fake.requests == []
    assert not (tmp_path / "out").exists()
    lines = {line.split()[0]: line.split()[1:] for line in dry.stdout.splitlines() if line.strip()}
    assert lines["rationale"] == [str(len(MC_QUESTIONS)), "0", str(len(MC_QUESTIONS))]
    assert lines["knowledge"][0] == str(2 * len(PASSAGES))
    assert "estimated prompt tokens:" in dry.stdout and "no request was sent" in dry.stdout
    # After a real run, the first-phase requests are all in the cache.
    assert run_build(fake, sources, tmp_path / "out", "--llm-cache", str(cache)).returncode == 0
    sent = len(fake.requests)
    again = run_build(fake, sources, tmp_path / "out", "--llm-cache", str(cache), "--dry-run")
    lines = {line.split()[0]: line.split()[1:] for line in again.stdout.splitlines() if line.strip()}
    assert lines["rationale"] == [str(len(MC_QUESTIONS)), str(len(MC_QUESTIONS)), "0"]
    assert lines["knowledge"][2] == "0"
    assert len(fake.requests) == sent


def _cached_requests(cache: Path) -> set[str]:
    with sqlite3.connect(cache) as db:
        return {
            json.dumps(json.loads(row[0])["messages"], sort_keys=True)
            for row in db.execute("SELECT request FROM responses")
        }


def test_build_killed_with_sigkill_resumes_without_resending_or_duplicates(
    fake: FakeOpenAI, sources: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite"
    out = tmp_path / "out"
    fake.delay_s = 0.2  # about 30 requests, 2 at a time: the build is still busy when killed
    process = subprocess.Popen(
        build_command(fake, sources, out, "--llm-cache", str(cache), "--concurrency", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )
    deadline = time.monotonic() + 120
    while len(fake.completed()) < 6 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert not out.exists(), "nothing half-written where the output goes"
    done_before = _cached_requests(cache)
    assert len(done_before) >= 4

    fake.delay_s = 0.0
    first_run_requests = len(fake.requests)
    resumed = run_build(fake, sources, out, "--llm-cache", str(cache))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    # a request the killed process had begun to send may be recorded late, torn (no body): not a resend
    resent = [
        r
        for r in fake.requests[first_run_requests:]
        if "messages" in r.body and json.dumps(r.body["messages"], sort_keys=True) in done_before
    ]
    assert resent == [], "completed requests were sent again"
    print(
        f"\nkilled after {len(done_before)} cached replies; the resumed run sent"
        f" {len(fake.requests) - first_run_requests} requests"
    )

    reference = run_build(fake, sources, tmp_path / "ref", "--llm-cache", str(tmp_path / "ref.sqlite"))
    assert reference.returncode == 0
    for dataset in ("MMed-IFT", "MMed-IFT-MC"):
        resumed_rows, reference_rows = rows(out, dataset), rows(tmp_path / "ref", dataset)
        assert len({row["id"] for row in resumed_rows}) == len(resumed_rows), "no duplicate samples"
        assert resumed_rows == reference_rows, "a resumed build equals an uninterrupted one"


def test_openai_generator_needs_url_and_model(sources: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mmed_ift", "build", "--lang", "en", "--sources", str(sources),
         "--out", str(tmp_path / "o"), "--generator", "openai"],
        capture_output=True, text=True, env=child_env(), timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--base-url" in result.stderr and "--model" in result.stderr
