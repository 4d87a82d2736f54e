"""XMedBench is evaluation-only: a build holds every one of its items out of training and removes a
training item that repeats one (the real Apollo metadata files, vendored under tests/data/realdata)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from mmed_ift.cli import main
from mmed_ift.sources.base import bundled_samples_root
from mmed_ift.sources.xmedbench import parse_answer, parse_options
from mmed_ift.text.normalize import normalize_text

PLANTED_ID = "998"


def plant_repeat(headqa: Path, item: dict[str, str]) -> None:
    """Append to the HEAD-QA training file a repeat of an XMedBench item: one letter edited in
    the stem, options reordered (so re-lettered) and written without XMedBench's ``..`` ends."""
    options = list(parse_options(item["options"], "xmedbench").values())
    correct = options[ord(parse_answer(item["answer"], "xmedbench")[0]) - ord("A")]
    options = [option.rstrip(".") + "." for option in reversed(options)]
    train_file = headqa / "HEAD" / "train_HEAD.json"
    train = json.loads(train_file.read_text(encoding="utf-8"))
    exam_name, exam = next(iter(train["exams"].items()))
    stem = item["question"].replace("ramificación", "ramificacion")
    answers = [{"aid": aid, "atext": text} for aid, text in enumerate(options, start=1)]
    right = next(aid for aid, text in enumerate(options, start=1) if text.startswith(correct.rstrip(".")))
    exam["data"].append({"qid": PLANTED_ID, "qtext": stem, "ra": str(right), "answers": answers, "image": ""})
    train_file.write_text(json.dumps(train, ensure_ascii=False), encoding="utf-8")
    gold = headqa / "HEAD" / f"{exam_name}.gold"
    gold.write_text(gold.read_text(encoding="utf-8").rstrip("\n") + f"\n{PLANTED_ID}\t{right}\n", encoding="utf-8")


def output_texts(out: Path) -> str:
    """Every string cell of every published row, normalised, one per line."""
    cells: list[str] = []
    for shard in out.glob("MMed-IFT*/data/**/*.parquet"):
        frame = pl.read_parquet(shard)
        for column in frame.columns:
            if frame[column].dtype == pl.String:
                cells += [normalize_text(value) for value in frame[column].drop_nulls().to_list()]
    return "\n".join(cells)


def test_xmedbench_items_are_held_out_and_a_planted_repeat_is_removed(realdata: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(realdata / "xmedbench", sources / "xmedbench")
    shutil.copytree(bundled_samples_root() / "headqa", sources / "headqa")
    test_es = json.loads((realdata / "xmedbench" / "metadata" / "test" / "es.json").read_text(encoding="utf-8"))
    target = next(item for item in test_es if "ramificación de los filamentos" in item["question"])
    plant_repeat(sources / "headqa", target)
    out = tmp_path / "out"
    assert main(["build", "--all", "--sources", str(sources), "--out", str(out), "--no-progress", "-q"]) == 0
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    decontam = report["filters"]["decontam"]["details"]
    xmedbench = {name: info for name, info in decontam["benchmarks"].items() if name.startswith("xmedbench/")}
    assert sum(info["items"] for info in xmedbench.values()) >= 30  # every read XMedBench item is a benchmark item
    removed = [example for name in xmedbench for example in decontam["examples"].get(name, [])]
    planted = [example for example in removed if example["item"].endswith(f"/{PLANTED_ID}")]
    assert len(planted) == 1 and planted[0]["benchmark"] == "xmedbench/test", removed
    assert planted[0]["shared_span"].startswith("el complejo proteico responsable")
    # no XMedBench question reaches a published row (the build has no XMedBench training rows)
    published = output_texts(out)
    assert published, "the build published HEAD-QA rows"
    leaked = [
        item["question"]
        for path in sorted((realdata / "xmedbench" / "metadata").rglob("*.json"))
        for item in json.loads(path.read_text(encoding="utf-8"))
        if len(normalize_text(item["question"])) >= 30 and normalize_text(item["question"]) in published
    ]
    assert leaked == []
