"""``build --llm-mode batch`` end to end: a real child process, the fake server's Batch API.

What must hold: the batch build's output equals the online build's; the input files are in the
OpenAI Batch format; a build killed while it polls or while it ingests results resumes without
sending any completed request again (the fake server records every input line it processed); a
request whose line failed is put in the next batch, alone.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.generate.fake_openai_server import FakeOpenAI
from tests.generate.test_llm_build import MC_QUESTIONS, build_command, child_env, rows, run_build, write_sources

BATCH = ("--llm-mode", "batch", "--batch-poll", "0.02", "--batch-max-poll", "0.05")


def _online_reference(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> Path:
    out = tmp_path / "online"
    result = run_build(fake, sources, out, "--llm-cache", str(tmp_path / "online.sqlite"))
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _assert_same_rows(a: Path, b: Path, non_empty: tuple[str, ...] = ("MMed-IFT", "MMed-IFT-MC")) -> None:
    for dataset in ("MMed-IFT", "MMed-IFT-MC"):
        rows_a, rows_b = rows(a, dataset), rows(b, dataset)
        assert rows_a or dataset not in non_empty, dataset
        assert rows_a == rows_b, dataset


def _cache_rows(cache: Path) -> int:
    if not cache.exists():
        return 0
    try:
        with sqlite3.connect(cache, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_batch_build_equals_online_build_and_sends_no_online_request(
    fake: FakeOpenAI, sources: Path, tmp_path: Path
) -> None:
    online = _online_reference(fake, sources, tmp_path)
    online_requests = len(fake.requests)
    out, cache = tmp_path / "batch", tmp_path / "batch.sqlite"
    result = run_build(fake, sources, out, "--llm-cache", str(cache), *BATCH)
    assert result.returncode == 0, result.stderr[-3000:]
    batch_requests = fake.requests[online_requests:]
    assert batch_requests and all(request.path == "/v1/batches" for request in batch_requests), "nothing went online"
    _assert_same_rows(online, out)
    assert len(fake.batch_api.processed) == len(set(fake.batch_api.processed)), "no request was batched twice"
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    details = report["generate"]["details"]["openai"]
    assert details["requests_sent"] == len(fake.batch_api.processed) == online_requests
    assert details["batches"]["submitted"] == fake.batch_api.calls["create"] >= 2, "rounds: rationale, translations"
    assert details["batches"]["ended:completed"] == details["batches"]["submitted"]
    assert details["usage"]["total_tokens"] > 0


def test_batch_input_files_are_in_the_openai_batch_format(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> None:
    cache = tmp_path / "batch.sqlite"
    result = run_build(fake, sources, tmp_path / "out", "--llm-cache", str(cache), *BATCH)
    assert result.returncode == 0, result.stderr[-3000:]
    files = sorted((tmp_path / "batch.sqlite.batches").glob("batch-*.jsonl"))
    assert len(files) == fake.batch_api.calls["create"]
    uploaded = sorted(fake.batch_api.files[batch.input_file_id] for batch in fake.batch_api.batches.values())
    assert uploaded == sorted(path.read_bytes() for path in files), "what was uploaded is the file on disk"
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert set(record) == {"custom_id", "method", "url", "body"}
            assert record["method"] == "POST" and record["url"] == "/v1/chat/completions"
            assert record["body"]["model"] == "fake-model" and record["body"]["messages"][0]["role"] == "system"
            assert len(record["custom_id"]) == 64


def _kill_when(process: subprocess.Popen[bytes], ready: object, what: str) -> None:
    deadline = time.monotonic() + 120
    while not ready() and time.monotonic() < deadline and process.poll() is None:  # type: ignore[operator]
        time.sleep(0.02)
    assert process.poll() is None, f"the build ended before it was {what}"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_killed_while_polling_resumes_the_same_batch(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> None:
    online = _online_reference(fake, sources, tmp_path)
    fake.batch_api.processed.clear()
    out, cache = tmp_path / "batch", tmp_path / "batch.sqlite"
    fake.batch_api.hold.clear()  # every batch stays in progress
    process = subprocess.Popen(
        build_command(fake, sources, out, "--llm-cache", str(cache), *BATCH),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(),
    )  # fmt: skip
    _kill_when(process, lambda: fake.batch_api.calls["retrieve"] >= 3, "polling")
    assert fake.batch_api.calls["create"] == 1
    fake.batch_api.hold.set()
    resumed = run_build(fake, sources, out, "--llm-cache", str(cache), *BATCH)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    counts = Counter(fake.batch_api.processed)
    assert counts and max(counts.values()) == 1, "no request was sent twice"
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["generate"]["details"]["openai"]["batches"]["resumed"] == 1
    _assert_same_rows(online, out)


def test_a_batch_created_but_not_recorded_is_found_not_created_again(
    fake: FakeOpenAI, sources: Path, tmp_path: Path
) -> None:
    out, cache = tmp_path / "batch", tmp_path / "batch.sqlite"
    fake.batch_api.hold.clear()
    process = subprocess.Popen(
        build_command(fake, sources, out, "--llm-cache", str(cache), *BATCH),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(),
    )  # fmt: skip
    _kill_when(process, lambda: fake.batch_api.calls["retrieve"] >= 2, "polling")
    # as if the kill came after POST /v1/batches and before its id was recorded
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE batch_uploads SET batch_id = NULL, status = 'uploaded'")
    fake.batch_api.hold.set()
    resumed = run_build(fake, sources, out, "--llm-cache", str(cache), *BATCH)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert fake.batch_api.calls["list"] >= 1
    counts = Counter(fake.batch_api.processed)
    assert counts and max(counts.values()) == 1, "the batch was found, not created again"


def test_killed_while_ingesting_resumes_without_resending(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> None:
    online = _online_reference(fake, sources, tmp_path)
    fake.batch_api.processed.clear()
    out, cache = tmp_path / "batch", tmp_path / "batch.sqlite"
    fake.batch_api.pause_download_after = 3  # the result download stalls after three lines
    process = subprocess.Popen(
        build_command(fake, sources, out, "--llm-cache", str(cache), *BATCH),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(),
    )  # fmt: skip
    _kill_when(process, lambda: _cache_rows(cache) >= 3, "ingesting")
    ingested = _cache_rows(cache)
    assert 3 <= ingested < len(MC_QUESTIONS) + 4, "killed in the middle of the first result file"
    fake.batch_api.pause_download_after = None
    fake.batch_api.download_gate.set()
    resumed = run_build(fake, sources, out, "--llm-cache", str(cache), *BATCH)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    counts = Counter(fake.batch_api.processed)
    assert counts and max(counts.values()) == 1, "no request was sent twice"
    _assert_same_rows(online, out)


def test_a_failed_line_goes_into_the_next_batch_alone(fake: FakeOpenAI, tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources")
    train = sources / "medqa" / "US" / "4_options" / "phrases_no_exclude_train.jsonl"
    lines = train.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["question"] += " [[fault:500*1]]"
    train.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "batch.sqlite"
    result = run_build(fake, sources, out, "--llm-cache", str(cache), "--tasks", "rationale", *BATCH)
    assert result.returncode == 0, result.stderr[-3000:]
    counts = Counter(fake.batch_api.processed)
    assert sorted(counts.values()) == [1] * (len(MC_QUESTIONS) - 1) + [2], "only the failed request went again"
    sizes = [batch.total for batch in fake.batch_api.batches.values()]
    assert sizes == [len(MC_QUESTIONS), 1]
    rationales = [row for row in rows(out, "MMed-IFT-MC") if row["task"] == "rationale"]
    assert len(rationales) == len(MC_QUESTIONS), "the retried request's sample is there"


def test_batch_mode_refuses_the_ray_engine(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> None:
    result = run_build(fake, sources, tmp_path / "out", "--engine", "ray", *BATCH)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "--llm-mode batch runs on the local engine" in result.stderr
    assert fake.requests == []


# -- at scale -------------------------------------------------------------------------------------

_VOCABULARY = (  # noqa: SIM905 (one long string reads better than 90 quoted words)
    "fever cough rash pain nausea fatigue dizziness edema pallor jaundice dyspnea wheezing syncope palpitations"
    " headache vomiting diarrhea constipation hematuria polyuria weight loss night sweats chills myalgia"
    " arthralgia tremor seizure confusion weakness numbness tingling blurred vision hearing loss tinnitus"
    " hoarseness dysphagia heartburn bloating melena hematemesis pruritus alopecia bruising bleeding gums"
    " lymphadenopathy splenomegaly hepatomegaly ascites clubbing cyanosis murmur gallop crackles stridor"
    " tachycardia bradycardia hypotension hypertension fever anemia leukocytosis thrombocytopenia hyponatremia"
    " hyperkalemia acidosis alkalosis elevated creatinine proteinuria glycosuria ketonuria raised troponin"
    " abnormal liver enzymes low albumin high ferritin positive antibodies"
).split()
_DRUGS = ("Metformin", "Insulin", "Aspirin", "Heparin", "Warfarin", "Amoxicillin", "Ceftriaxone", "Furosemide",
          "Lisinopril", "Atenolol", "Prednisone", "Omeprazole", "Levothyroxine", "Salbutamol", "Morphine")  # fmt: skip


def write_scale_sources(root: Path, count: int) -> Path:
    """``count`` distinct English MedQA questions (random findings, so no two are near-duplicates)."""
    import random

    rng = random.Random(20_000)
    folder = root / "medqa" / "US" / "4_options"
    folder.mkdir(parents=True)
    with (folder / "phrases_no_exclude_train.jsonl").open("w", encoding="utf-8") as handle:
        for index in range(count):
            findings = ", ".join(rng.sample(_VOCABULARY, 14))
            age = 18 + index % 70
            question = f"A {age}-year-old patient (case {index}) presents with {findings}. Which drug is indicated?"
            drugs = rng.sample(_DRUGS, 4)
            options = dict(zip("ABCD", drugs, strict=True))
            key = "ABCD"[index % 4]
            record = {"question": question, "answer": options[key], "options": options, "answer_idx": key}
            handle.write(json.dumps(record) + "\n")
    return root


@pytest.mark.slow
def test_twenty_thousand_requests_in_batches_survive_two_kills_and_equal_online(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    count = 20_000
    sources = write_scale_sources(tmp_path / "sources", count)
    extra = ("--lang", "en", "--tasks", "rationale", "--concurrency", "32")
    started = time.perf_counter()
    online = run_build(fake, sources, tmp_path / "online", "--llm-cache", str(tmp_path / "online.sqlite"), *extra)
    assert online.returncode == 0, online.stderr[-3000:]
    online_s = time.perf_counter() - started
    assert len(fake.requests) >= count
    fake.batch_api.processed.clear()

    out, cache = tmp_path / "batch", tmp_path / "batch.sqlite"
    command = build_command(fake, sources, out, "--llm-cache", str(cache), *BATCH, *extra)
    fake.batch_api.hold.clear()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env())
    _kill_when(process, lambda: fake.batch_api.calls["retrieve"] >= 2, "polling")
    assert fake.batch_api.calls["create"] == 1
    fake.batch_api.hold.set()
    fake.batch_api.pause_download_after = count // 4
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env())
    _kill_when(process, lambda: _cache_rows(cache) >= count // 4, "ingesting")
    assert count // 4 <= _cache_rows(cache) < count
    fake.batch_api.pause_download_after = None
    fake.batch_api.download_gate.set()
    started = time.perf_counter()
    resumed = run_build(fake, sources, out, "--llm-cache", str(cache), *BATCH, *extra)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    resumed_s = time.perf_counter() - started
    counts = Counter(fake.batch_api.processed)
    assert len(counts) >= count and max(counts.values()) == 1, "no request was sent twice across three runs"
    assert fake.batch_api.calls["create"] == 1, "one batch of 20,000, never re-created"
    # MedQA questions only: MMed-IFT is empty in both builds; the rationales are MMed-IFT-MC rows
    _assert_same_rows(tmp_path / "online", out, non_empty=("MMed-IFT-MC",))
    print(f"\n{count} requests: online build {online_s:.1f}s; batch build resumed after two kills {resumed_s:.1f}s")
