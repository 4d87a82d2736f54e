"""End-to-end builds on small source folders written by the tests in the real upstream formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datasets import load_dataset

from mmed_ift.errors import BuildError
from mmed_ift.hub.layout import SAMPLE_FEATURES
from mmed_ift.pipeline import BuildConfig, build
from mmed_ift.pipeline import local as pipeline


def _medqa_line(number: int, answer: str = "B") -> str:
    record = {
        "question": f"A {20 + number}-year-old man presents with polyuria and polydipsia. Fasting glucose is"
        f" {130 + number} mg/dL. Which drug is the first-line treatment?",
        "answer": "Metformin",
        "options": {"A": "Insulin glargine", "B": "Metformin", "C": "Glipizide", "D": "Pioglitazone"},
        "meta_info": "step2&3",
        "answer_idx": answer,
        "metamap_phrases": ["polyuria"],
    }
    if answer != "B":
        record["answer"] = record["options"][answer]  # type: ignore[index]
    return json.dumps(record, ensure_ascii=False)


def _other_topic(number: int) -> str:
    options = {"A": "Amoxicillin", "B": "Doxycycline", "C": "Ceftriaxone", "D": "Azithromycin"}
    record = {
        "question": f"A child of {number % 9 + 2} years has an expanding red rash after a tick bite during a"
        " camping trip. Which antibiotic should be prescribed?",
        "answer": "Amoxicillin",
        "options": options,
        "meta_info": "step1",
        "answer_idx": "A",
        "metamap_phrases": ["rash"],
    }
    return json.dumps(record, ensure_ascii=False)


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    root = tmp_path / "sources"
    medqa = root / "medqa" / "US" / "4_options"
    medqa.mkdir(parents=True)
    train = [_medqa_line(number) for number in range(6)]
    train.append('{"question": "truncated')  # malformed line -> rejected, build goes on
    train.append(_medqa_line(99).replace('"answer_idx": "B"', '"answer_idx": "E"'))  # answer not an option
    (medqa / "phrases_no_exclude_train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
    (medqa / "phrases_no_exclude_dev.jsonl").write_text(_medqa_line(50) + "\n", encoding="utf-8")
    # benchmark items about something else: a train question with other numbers *is* a repeat
    (medqa / "phrases_no_exclude_test.jsonl").write_text(
        "\n".join(_other_topic(n) for n in (60, 61)) + "\n", encoding="utf-8"
    )
    wiki = root / "wikipedia" / "jawiki" / "AA"
    wiki.mkdir(parents=True)
    articles = [
        {
            "id": "1",
            "revid": "9",
            "url": "https://ja.wikipedia.org/wiki?curid=1",
            "title": "高血圧",
            "text": "高血圧は血圧が慢性的に高い状態である。",
        },
        {
            "id": "2",
            "revid": "9",
            "url": "https://en.wikipedia.org/wiki?curid=2",
            "title": "Asthma",
            "text": "Asthma is a chronic airway disease.",
        },
        {"id": "3", "revid": "9", "url": "https://ja.wikipedia.org/wiki?curid=3", "title": "", "text": "空の題名"},
    ]
    (wiki / "wiki_00").write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in articles) + "\n", encoding="utf-8"
    )
    return root


def _config(sources: Path, out: Path, **overrides: object) -> BuildConfig:
    fields: dict[str, object] = {"languages": ("en", "ja"), "out_dir": out, "sources_dir": sources, "progress": False}
    fields.update(overrides)
    return BuildConfig(**fields)  # type: ignore[arg-type]


def test_build_writes_loadable_datasets_with_promised_features(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(_config(sources, out))
    mc = load_dataset(str(out / "MMed-IFT-MC"), "en")
    assert mc["train"].features == SAMPLE_FEATURES
    assert mc["train"].num_rows == 6  # 6 valid train questions, one sample each
    assert mc["validation"].num_rows == 1
    ift = load_dataset(str(out / "MMed-IFT"), "ja")
    assert ift["train"].num_rows == 2  # the article's one section, in two styles
    assert set(ift["train"]["task"]) == {"section_question", "section_explain"}
    assert set(load_dataset(str(out / "MMed-IFT"), "en")["train"]["lang"]) == {"en"}
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report == json.loads(json.dumps(result.report.to_dict()))
    assert report["outputs"]["MMed-IFT-MC"] == {"en": {"train": 6, "validation": 1}}


def test_report_accounts_for_every_record(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(_config(sources, out))
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    for name, info in report["sources"].items():
        assert info["read"] == info["kept"] + info["rejected"], name
        for split, counts in info["splits"].items():
            assert counts["read"] == counts["kept"] + counts["rejected"], (name, split)
    medqa = report["sources"]["medqa"]["splits"]
    assert medqa["train"] == {
        "read": 8,
        "kept": 6,
        "rejected": 2,
        "rejected_by_reason": {"read:bad_format": 1, "validate:invalid_record": 1},
    }
    assert medqa["test"]["kept"] == 2  # held out, never in the training output
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rejects) == report["rejected_total"] == 3
    locations = {reject["location"] for reject in rejects}
    assert "US/4_options/phrases_no_exclude_train.jsonl:7" in locations
    assert "jawiki/AA/wiki_00:3" in locations


def test_test_split_never_reaches_training_output(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(_config(sources, out))
    mc = load_dataset(str(out / "MMed-IFT-MC"), "en")
    splits = {row["split"] for split in mc.values() for row in split["provenance"]}
    assert splits == {"train", "validation"}


def test_two_builds_give_byte_identical_parquet(sources: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    build(_config(sources, first))
    build(_config(sources, second))
    files = sorted(path.relative_to(first) for path in first.rglob("*.parquet"))
    assert files
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_strict_fails_on_rejects_but_keeps_output(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="--strict: 3 records were rejected"):
        build(_config(sources, out, strict=True))
    assert (out / "rejects.jsonl").is_file()


def test_crash_while_writing_leaves_previous_build_intact(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(_config(sources, out))
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "write_dataset_folder", explode)
    with pytest.raises(OSError, match="disk full"):
        build(_config(sources, out))
    after = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert after == before
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".out")] == []


def test_bad_options_are_reported_clearly(sources: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="choose at least one language"):
        BuildConfig(languages=())
    with pytest.raises(BuildError, match="unknown language code 'de'"):
        BuildConfig(languages=("de",))
    with pytest.raises(BuildError, match="is not a folder"):
        build(_config(tmp_path / "missing", tmp_path / "out"))
    with pytest.raises(BuildError, match="hold no training records in ru"):
        build(_config(sources, tmp_path / "out", languages=("ru",)))
    with pytest.raises(BuildError, match="no source files found"):
        build(_config(sources, tmp_path / "out", languages=("ru",), source_names=("medqa",)))


def test_license_allow_keeps_only_listed_sources_for_training(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = BuildConfig(languages=("en",), out_dir=out, progress=False, license_allow=("MIT",))
    result = build(config)
    report = json.loads((result.out_dir / "build_report.json").read_text(encoding="utf-8"))
    used = {row["provenance"]["source"] for row in load_dataset(str(out / "MMed-IFT-MC"), "en")["train"]}
    assert used == {"medqa", "medmcqa", "pubmedqa"}  # the MIT sources of the bundled samples
    medquad = report["sources"]["medquad"]
    assert medquad["kept"] == 0 and medquad["rejected_by_reason"] == {"license:license_not_allowed": medquad["read"]}
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    # the bundled Wikipedia sample's non-medical articles are rejected before any license check
    assert {reject["reason"] for reject in rejects} - {"not_medical"} == {"license_not_allowed"}
    assert "CC-BY-4.0" in next(reject["detail"] for reject in rejects if reject["source"] == "medquad")


def test_system_message_option_adds_a_system_turn_to_every_row_and_says_so_in_the_card(
    sources: Path, tmp_path: Path
) -> None:
    plain, with_system = tmp_path / "plain", tmp_path / "system"
    build(_config(sources, plain))
    build(_config(sources, with_system, system_message=True))
    for folder in ("MMed-IFT-MC", "MMed-IFT"):
        rows = load_dataset(str(with_system / folder), "en")["train"]
        assert all(row["messages"][0]["role"] == "system" for row in rows)
        assert all(row["messages"][0]["role"] == "user" for row in load_dataset(str(plain / folder), "en")["train"])
    assert "**System message**: every template row" in (with_system / "MMed-IFT-MC" / "README.md").read_text("utf-8")
    assert "**No system message**" in (plain / "MMed-IFT-MC" / "README.md").read_text("utf-8")
