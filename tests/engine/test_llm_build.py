"""``build --engine ray --generator openai``: the local build's samples and rejects, with one
request cache and one concurrency bound for all Ray workers (the gateway actor)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from mmed_ift.errors import BuildError
from mmed_ift.generate.llm import LLMConfig
from mmed_ift.pipeline import BuildConfig, BuildResult, build
from mmed_ift.pipeline.distributed.runner import run_ray_build
from mmed_ift.pipeline.report_html import without_volatile
from tests.generate.fake_openai_server import FakeOpenAI
from tests.generate.test_llm_build import MC_QUESTIONS, PASSAGES, write_sources

pytestmark = pytest.mark.slow

CONCURRENCY = 2
#: report fields that depend on timing, not on what was generated
TIMING = ("elapsed_s", "requests_per_s", "rate_limit_wait_s", "max_in_flight", "cache_path")


EXTRA_QUESTIONS = [
    (
        "Which electrolyte disturbance produces peaked T waves on the electrocardiogram?",
        "Hyperkalaemia",
        "Hyponatraemia",
    ),
    (
        "Which organism most often causes community-acquired lobar pneumonia in adults?",
        "Streptococcus pneumoniae",
        "Legionella",
    ),
    ("Deficiency of which enzyme causes classic phenylketonuria?", "Phenylalanine hydroxylase", "Tyrosinase"),
    (
        "What is the first-line treatment of anaphylaxis in the emergency department?",
        "Intramuscular adrenaline",
        "Oral cetirizine",
    ),
    ("Which nerve is compressed in carpal tunnel syndrome?", "Median nerve", "Ulnar nerve"),
    ("Which hormone is secreted by the beta cells of the pancreatic islets?", "Insulin", "Glucagon"),
    ("Which vaccine-preventable infection causes Koplik spots before the rash?", "Measles", "Rubella"),
    ("Which imaging test is preferred first for suspected gallstones?", "Abdominal ultrasound", "Plain radiograph"),
]


def _sources(root: Path) -> Path:
    """The LLM build's sources, plus a question whose rationale the server always gets wrong
    (three replies, then a reject) and more questions, so that there are several batches."""
    write_sources(root)
    medqa = root / "medqa" / "US" / "4_options" / "phrases_no_exclude_train.jsonl"
    with medqa.open("a", encoding="utf-8") as handle:
        options = {"A": "Aspirin", "B": "Heparin", "C": "Warfarin", "D": "Alteplase"}
        question = "Which drug is given first in a suspected myocardial infarction? [[fault:wrong_answer*99]]"
        record = {"question": question, "answer": "Aspirin", "options": options, "answer_idx": "A"}
        handle.write(json.dumps(record) + "\n")
        for question, answer, other in EXTRA_QUESTIONS:
            record = {"question": question, "answer": answer, "options": {"A": answer, "B": other},
                      "answer_idx": "A"}  # fmt: skip
            handle.write(json.dumps(record) + "\n")
    return root


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(delay_s=0.05).start()
    yield server
    server.stop()


def _config(sources: Path, out: Path, base_url: str, cache: Path) -> BuildConfig:
    llm = LLMConfig(
        base_url=base_url,
        model="fake-model",
        tasks=("rationale", "knowledge", "translate"),
        knowledge_styles=("explain", "patient_summary"),
        concurrency=CONCURRENCY,
        cache_path=str(cache),
    )
    return BuildConfig(
        languages=("en", "fr"), sources_dir=sources, out_dir=out, progress=False, generator="openai", llm=llm
    )


def _files(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def _report(root: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((root / "build_report.json").read_text(encoding="utf-8"))
    report.pop("timings_s")
    report["config"].pop("out_dir")
    report["config"]["llm"].pop("cache_path")
    for name in TIMING:
        report["generate"]["details"]["openai"].pop(name)
    return report


def _assert_same_output(local: Path, distributed: Path) -> None:
    assert _files(local) == _files(distributed)
    for name in _files(local):
        if name.endswith(".parquet"):
            assert pq.read_table(local / name).to_pylist() == pq.read_table(distributed / name).to_pylist(), name
        if name == "report.html":  # its timings section differs; the rest must not
            pages = [without_volatile((root / name).read_text(encoding="utf-8")) for root in (local, distributed)]
            assert pages[0] == pages[1]
        elif name != "build_report.json":
            assert (local / name).read_bytes() == (distributed / name).read_bytes(), name


def test_ray_llm_build_matches_the_local_build_and_shares_cache_and_limits(
    ray_session: None, fake: FakeOpenAI, tmp_path: Path
) -> None:
    sources = _sources(tmp_path / "sources")
    local: BuildResult = build(_config(sources, tmp_path / "local", fake.base_url, tmp_path / "local.sqlite"))
    sent_local = len(fake.requests)
    assert sent_local > 0

    fake.max_in_flight = 0
    ray_config = _config(sources, tmp_path / "ray", fake.base_url, tmp_path / "ray.sqlite")
    first = run_ray_build(ray_config, llm_batch_rows=3)  # 17 items: six batches over the 2 CPUs
    assert 0 < fake.max_in_flight <= CONCURRENCY  # per-worker limits would have allowed 2 x 2
    assert len(fake.requests) == 2 * sent_local, "the Ray build sends what the local build sends"
    assert first.rejects == local.rejects
    _assert_same_output(local.out_dir, first.out_dir)
    assert _report(local.out_dir) == _report(first.out_dir)

    openai = first.report.step("generate").extra["openai"]
    assert openai["requests_sent"] == sent_local and openai["cache_hits"] == 0
    assert 0 < openai["max_in_flight"] <= CONCURRENCY
    mc = [row for path in sorted((first.out_dir / "MMed-IFT-MC").rglob("*.parquet"))
          for row in pq.read_table(path).to_pylist()]  # fmt: skip
    assert sum(row["task"] == "rationale" for row in mc) == len(MC_QUESTIONS) + len(EXTRA_QUESTIONS)
    reasons = [json.loads(line)["reason"] for line in (first.out_dir / "rejects.jsonl").read_text().splitlines()]
    assert any(reason.startswith("rationale:") for reason in reasons), "the planted wrong answer"
    assert "translate:wrong_language" in reasons  # the fake echoes English
    knowledge = [row for path in sorted((first.out_dir / "MMed-IFT").rglob("*.parquet"))
                 for row in pq.read_table(path).to_pylist() if row["task"].startswith("knowledge_")]  # fmt: skip
    assert len(knowledge) == 2 * len(PASSAGES)

    # A second Ray build is answered from the shared cache: nothing is sent, same output.
    again = run_ray_build(_config(sources, tmp_path / "ray2", fake.base_url, tmp_path / "ray.sqlite"))
    assert len(fake.requests) == 2 * sent_local
    assert again.report.step("generate").extra["openai"]["requests_sent"] == 0
    assert again.report.step("generate").extra["openai"]["cache_hits"] > 0
    _assert_same_output(local.out_dir, again.out_dir)


def test_wrong_url_stops_the_ray_build_with_a_build_error(ray_session: None, fake: FakeOpenAI, tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources")
    config = _config(sources, tmp_path / "out", fake.base_url.removesuffix("/v1"), tmp_path / "c.sqlite")
    with pytest.raises(BuildError, match="404"):
        run_ray_build(config)
    assert not (tmp_path / "out").exists()
