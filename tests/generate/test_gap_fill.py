"""Gap-filling: ``build --target-size`` with ``--generator openai`` translates each language's
shortfall, as many rows as ``--plan`` says, against the fake server in a real child process.

The sources are English only (MedQA questions, Wikipedia passages) and the build is en + fr with
``--balance equal``: French has no rows, so its whole half of the release is the LLM's to write.
One MedQA training question is also in the test split: decontamination removes it, so no
translation of it may appear.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import mmed_ift
from mmed_ift.languages import get_language
from mmed_ift.pipeline.config import BuildConfig
from tests.generate.fake_openai_server import FakeOpenAI
from tests.generate.test_llm_build import MC_QUESTIONS, child_env, write_sources

TARGET = 10


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    root = write_sources(tmp_path / "sources")
    question, options, key = MC_QUESTIONS[0]
    test_split = root / "medqa" / "US" / "4_options" / "phrases_no_exclude_test.jsonl"
    record = {"question": question, "answer": options[key], "options": options, "answer_idx": key}
    test_split.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return root


def gap_build(fake: FakeOpenAI, sources: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "mmed_ift", "build", "--lang", "en", "--lang", "fr",
        "--sources", str(sources), "--out", str(out), "--no-progress",
        "--generator", "openai", "--base-url", fake.base_url, "--model", "fake-model", "--tasks", "translate",
        "--target-size", str(TARGET), "--balance", "equal", "--llm-cache", str(out.parent / f"{out.name}.sqlite"),
        *extra,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=child_env(), timeout=300, check=False)


def _train(out: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(out.glob("MMed-IFT*/**/train-*.parquet")):
        found.extend(pq.read_table(path).to_pylist())
    return found


def _english_training_rows(sources: Path, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """Every English training row the filters keep (a build without a composition), by id."""
    out = tmp_path / "english"
    mmed_ift.build(BuildConfig(languages=("en",), out_dir=out, sources_dir=sources, progress=False))
    return {row["id"]: row for row in _train(out)}


@pytest.fixture
def plan(fake: FakeOpenAI, sources: Path, tmp_path: Path) -> dict[str, Any]:
    result = gap_build(fake, sources, tmp_path / "planned", "--plan")
    assert result.returncode == 0, result.stderr[-3000:]
    assert fake.requests == [], "--plan sends nothing"
    planned: dict[str, Any] = json.loads((tmp_path / "planned.plan.json").read_text(encoding="utf-8"))
    return planned


def test_the_build_writes_the_rows_the_plan_says(
    fake: FakeOpenAI, sources: Path, tmp_path: Path, plan: dict[str, Any]
) -> None:
    must_write = plan["languages"]["fr"]["llm"]
    assert must_write == TARGET // 2 and plan["languages"]["fr"]["selected"] == 0
    assert plan["totals"]["requests"] == must_write and plan["totals"]["no_source_rows"] == 0
    fake.translate_mode = "phrase"
    out = tmp_path / "out"
    result = gap_build(fake, sources, out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(fake.requests) == must_write, "one request per planned translation"

    built = _train(out)
    french = [row for row in built if row["lang"] == "fr"]
    assert len(french) == must_write and len(built) == TARGET
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    fill = report["composition"]["gap_fill"]
    assert fill["languages"]["fr"] == {
        "must_write": must_write, "requested": must_write, "no_source_rows": 0, "written": must_write, "unfilled": 0
    }  # fmt: skip
    planned = {(gap["dataset"], gap["task"]): gap["rows"] for gap in plan["llm_must_write"] if gap["lang"] == "fr"}
    assert Counter((row["dataset"], row["task"].removeprefix("translate_")) for row in french) == planned

    # every French row translates a filtered (so decontaminated) English training row, named in derived_from
    english = _english_training_rows(sources, tmp_path)
    assert not any(MC_QUESTIONS[0][0] in row["messages"][-2]["content"] for row in english.values())
    for row in french:
        provenance = row["provenance"]
        origin = english[provenance["derived_from"]]
        assert (provenance["source"], provenance["source_id"]) == (origin["provenance"]["source"],
                                                                   origin["provenance"]["source_id"])  # fmt: skip
        assert provenance["generator"] == "openai" and provenance["prompt_version"] == "translate-v1"
        assert row["dataset"] == origin["dataset"] and row["task"] == f"translate_{origin['task']}"
        if row["dataset"] == "mc":  # the answer line in French's format, with the origin's keys
            answer = get_language("fr").answer_pattern.match(row["messages"][-1]["content"])
            source = get_language("en").answer_pattern.match(origin["messages"][-1]["content"])
            assert answer is not None and source is not None, row["messages"][-1]["content"]
            assert answer.group("keys") == source.group("keys")
    families = [(row["provenance"]["source"], row["provenance"]["source_id"]) for row in french]
    assert len(families) == len(set(families)), "never two translations of one item in one language"
    assert not any(row["provenance"]["derived_from"] for row in built if row["lang"] == "en")


def test_what_the_model_fails_to_write_is_reported_unfilled(
    fake: FakeOpenAI, sources: Path, tmp_path: Path, plan: dict[str, Any]
) -> None:
    must_write = plan["languages"]["fr"]["llm"]
    out = tmp_path / "out"
    result = gap_build(fake, sources, out)  # echo mode: English comes back, language ID refuses it
    assert result.returncode == 0, result.stderr[-3000:]
    assert not [row for row in _train(out) if row["lang"] == "fr"]
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    fill = report["composition"]["gap_fill"]
    assert fill["languages"]["fr"]["written"] == 0 and fill["languages"]["fr"]["unfilled"] == must_write
    assert fill["rejected_by_reason"] == {"translate:wrong_language": must_write}
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(r["reason"] == "translate:wrong_language" and r["lang"] == "fr" for r in rejects) == must_write


def test_batch_mode_fills_the_same_rows_and_dry_run_counts_them(
    fake: FakeOpenAI, sources: Path, tmp_path: Path, plan: dict[str, Any]
) -> None:
    fake.translate_mode = "phrase"
    dry = gap_build(fake, sources, tmp_path / "dry", "--dry-run")
    assert dry.returncode == 0, dry.stderr[-3000:]
    counts = {line.split()[0]: line.split()[1:] for line in dry.stdout.splitlines() if line.strip()}
    assert counts["translate"][0] == str(plan["totals"]["requests"]), "--dry-run counts the gap translations"
    assert fake.requests == []
    online = gap_build(fake, sources, tmp_path / "online")
    batch = gap_build(fake, sources, tmp_path / "batch", "--llm-mode", "batch", "--batch-poll", "0.02",
                      "--batch-max-poll", "0.05")  # fmt: skip
    assert online.returncode == 0 and batch.returncode == 0, (online.stderr + batch.stderr)[-3000:]
    assert fake.batch_api.batches, "the batch build went through /v1/batches"
    french = [row for row in _train(tmp_path / "batch") if row["lang"] == "fr"]
    assert len(french) == plan["languages"]["fr"]["llm"]
    assert _train(tmp_path / "batch") == _train(tmp_path / "online")


def test_judged_gap_translations_and_a_cached_rerun(
    fake: FakeOpenAI, sources: Path, tmp_path: Path, plan: dict[str, Any]
) -> None:
    must_write = plan["languages"]["fr"]["llm"]
    fake.translate_mode = "phrase"
    out = tmp_path / "out"
    first = gap_build(fake, sources, out, "--tasks", "translate,judge")
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(fake.requests) == 2 * must_write, "one translation and one judgement per planned row"
    french = [row for row in _train(out) if row["lang"] == "fr"]
    assert len(french) == must_write
    again = gap_build(fake, sources, tmp_path / "again", "--tasks", "translate,judge",
                      "--llm-cache", str(tmp_path / "out.sqlite"))  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(fake.requests) == 2 * must_write, "the rerun is served from the cache"
    assert _train(tmp_path / "again") == _train(out)


def test_rows_the_rationale_task_writes_are_planned_with_the_ids_the_build_gives_them(
    fake: FakeOpenAI, sources: Path, tmp_path: Path
) -> None:
    """With rationale among the tasks, the LLM writes MC rows before the composition: the plan
    counts them (as if every request succeeds), so it selects exactly the build's rows."""
    with_rationale = ("--tasks", "translate,rationale")
    planned_run = gap_build(fake, sources, tmp_path / "planned", "--plan", *with_rationale)
    assert planned_run.returncode == 0, planned_run.stderr[-3000:]
    plan = json.loads((tmp_path / "planned.plan.json").read_text(encoding="utf-8"))
    assert any(group["task"] == "rationale" and group["available"] > 0 for group in plan["groups"])
    assert not any("use --tasks translate" in note for note in plan["notes"])

    fake.translate_mode = "phrase"
    out = tmp_path / "out"
    result = gap_build(fake, sources, out, *with_rationale)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["composition"]["groups"] == plan["groups"], "the build selects the rows the plan selected"
    built = _train(out)
    assert Counter(row["lang"] for row in built) == {
        lang: info["selected"] + info["llm"] for lang, info in plan["languages"].items()
    }
    assert any(row["task"] == "rationale" for row in built if row["lang"] == "en")
