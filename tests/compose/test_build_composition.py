"""``build --target-size``: the policy decides the training rows written, and ``--plan`` says so first."""

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
from mmed_ift.compose.policy import CompositionPolicy
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.plan import composition_plan
from tests.conftest import REPO_ROOT

LANGS = ("en", "ja", "fr")


def _rows(out: Path, split: str = "train") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(out.glob(f"MMed-IFT*/**/{split}-*.parquet")):
        found.extend(pq.read_table(path).to_pylist())
    return found


def _build(out: Path, **policy: Any) -> Any:
    return mmed_ift.build(list(LANGS), out, composition=policy or None)


@pytest.fixture(scope="module")
def natural(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("natural") / "out"
    _build(out)
    return out


def test_target_size_sets_the_training_rows_and_leaves_benchmarks_whole(natural: Path, tmp_path: Path) -> None:
    available = len(_rows(natural))
    target = available // 2
    result = _build(tmp_path / "out", target_size=target, balance="equal")
    rows = _rows(tmp_path / "out")
    assert len(rows) == target
    per_lang = Counter(row["lang"] for row in rows)
    assert max(per_lang.values()) - min(per_lang.values()) <= 1, per_lang
    assert sorted(r["id"] for r in _rows(tmp_path / "out", "test")) == sorted(r["id"] for r in _rows(natural, "test"))
    report = result.report.to_dict()
    assert report["composition"]["selected"] == target
    for folder in ("MMed-IFT", "MMed-IFT-MC"):
        card = (tmp_path / "out" / folder / "README.md").read_text(encoding="utf-8")
        assert f"`--target-size {target} --balance equal`" in card, "the card names the policy behind its table"
    assert report["composition"]["policy"]["balance"] == "equal"
    assert sum(task["samples"] for task in report["tasks"]) == target + len(_rows(natural, "test")) + len(
        _rows(natural, "validation")
    )
    by_language = report["by_language"]  # what the card's "where the knowledge came from" reads
    assert sum(
        count for datasets in by_language.values() for sources in datasets.values()
        for tasks in sources.values() for count in tasks.values()
    ) == sum(task["samples"] for task in report["tasks"])  # fmt: skip


def test_the_choice_is_seeded_and_repeatable(tmp_path: Path) -> None:
    _build(tmp_path / "a", target_size=120)
    _build(tmp_path / "b", target_size=120)
    _build(tmp_path / "c", target_size=120, seed=1)
    a, b, c = (sorted(row["id"] for row in _rows(tmp_path / name)) for name in "abc")
    assert a == b, "same policy, same rows"
    assert len(a) == len(c) == 120 and a != c, "--composition-seed changes which rows"


def test_repeats_fill_past_the_available_rows_with_unique_ids(natural: Path, tmp_path: Path) -> None:
    available = len(_rows(natural))
    _build(tmp_path / "out", target_size=available * 2, max_repeats=2)
    rows = _rows(tmp_path / "out")
    ids = [row["id"] for row in rows]
    assert len(rows) == available * 2 and len(set(ids)) == len(ids)
    assert sum("~r1" in row_id for row_id in ids) == available
    once = _build(tmp_path / "once", target_size=available * 2).report.to_dict()["composition"]
    assert len(_rows(tmp_path / "once")) == available, "--max-repeats 1 (default) never repeats"
    # the template generator translates nothing: the whole shortfall is reported unfilled
    assert once["gap_fill"]["unfilled"] == sum(once["shortfall_by_language"].values()) == available
    assert "needs --generator openai" in once["gap_fill"]["note"]


def test_plan_predicts_the_build_row_for_row(tmp_path: Path) -> None:
    policy = CompositionPolicy(target_size=300, balance="temperature:0.3", min_share=0.3)
    config = BuildConfig(languages=LANGS, out_dir=tmp_path / "out", progress=False, composition=policy)
    plan = composition_plan(config)
    result = mmed_ift.build(config)
    built = result.report.to_dict()["composition"]
    assert plan["groups"] == built["groups"]
    assert plan["totals"]["rows"] == 300
    shares = {lang: info["selected"] + info["llm"] for lang, info in plan["languages"].items()}
    assert sum(shares.values()) == 300 and min(shares.values()) >= 90, shares  # --min-share 0.3 holds


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mmed_ift", "build", "--no-progress", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300, check=False,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip


def test_plan_writes_plan_json_and_builds_nothing(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"m": {"prompt": 0.15, "completion": 0.6}}), encoding="utf-8")
    result = _cli(
        "--lang", "en", "--lang", "ja", "--out", "out", "--target-size", "2000", "--balance", "equal", "--plan",
        "--generator", "openai", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--price-table", str(prices),
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (tmp_path / "out").exists()
    plan = json.loads((tmp_path / "out.plan.json").read_text(encoding="utf-8"))
    assert plan["totals"]["rows"] == 2000
    assert plan["languages"]["ja"]["selected"] + plan["languages"]["ja"]["llm"] == 1000
    totals = plan["totals"]
    gap_requests = sum(gap["requests"] for gap in plan["llm_must_write"])
    assert totals["llm_rows"] > 0 and 0 < gap_requests <= totals["llm_rows"]
    # one request per translated row; rows with no distinct source row left are stated, not requested
    assert gap_requests + totals["no_source_rows"] == totals["llm_rows"]
    # the default tasks also write a rationale per MC item and knowledge rows before the composition
    first = plan["llm_writes_first"]
    assert {entry["task"] for entry in first} >= {"rationale"} and all(entry["requests"] > 0 for entry in first)
    assert totals["requests"] == gap_requests + sum(entry["requests"] for entry in first)
    assert plan["totals"]["cost_usd"] > 0
    assert "LLM must write" in result.stdout and "LLM writes first" in result.stdout and "cost: $" in result.stdout


def test_composition_flags_need_a_target_size(tmp_path: Path) -> None:
    result = _cli("--lang", "en", "--balance", "equal", cwd=tmp_path)
    assert result.returncode == 2
    assert "--balance needs --target-size" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_policy_file_weights_sources(tmp_path: Path) -> None:
    policy = tmp_path / "release.yaml"
    policy.write_text("target_size: 200\nsources:\n  medqa: 0.0\n", encoding="utf-8")
    result = _cli("--lang", "en", "--out", "out", "--composition", str(policy), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    sources = Counter(row["provenance"]["source"] for row in _rows(tmp_path / "out"))
    assert "medqa" not in sources and sum(sources.values()) > 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("target_size: 200\nbalance: sideways\n", encoding="utf-8")
    refused = _cli("--lang", "en", "--out", "o2", "--composition", str(bad), cwd=tmp_path)
    assert refused.returncode == 2 and "--balance" in refused.stderr


def test_the_knowledge_card_says_where_each_languages_knowledge_came_from(natural: Path) -> None:
    card = (natural / "MMed-IFT" / "README.md").read_text(encoding="utf-8")
    assert "Where the knowledge came from:" in card
    table = card.split("Where the knowledge came from:", 1)[1].split("\n\n", 2)[1]
    languages = {line.split("|")[1].strip() for line in table.splitlines()[2:]}
    assert languages == set(LANGS)
    assert "no `--target-size` composition policy" in card
    assert "Where the knowledge came from" not in (natural / "MMed-IFT-MC" / "README.md").read_text(encoding="utf-8")


def test_plan_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "out.plan.json"
    mine.write_text("my notes", encoding="utf-8")
    result = _cli("--lang", "en", "--out", "out", "--target-size", "100", "--plan", cwd=tmp_path)
    assert result.returncode == 2 and "is not a plan written by --plan" in result.stderr
    assert mine.read_text(encoding="utf-8") == "my notes"
    assert "Traceback" not in result.stderr
