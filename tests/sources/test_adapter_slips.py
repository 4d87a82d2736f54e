"""Adapter slips found on the full upstream files: an option that starts like a choice letter, a
MedQuAD document with an empty <QAPairs>, and a --sources folder no adapter reads."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from mmed_ift.pipeline import BuildConfig, build
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources._igakuqa_answers import strip_choice_prefix


def test_clostridioides_difficile_is_not_a_choice_prefix() -> None:
    assert strip_choice_prefix("C.difficile 腸炎", 4, "113B4") == "C.difficile 腸炎"
    assert strip_choice_prefix("c. 膵の萎縮", 2, "x") == "膵の萎縮"
    assert strip_choice_prefix("c.膵の萎縮", 2, "x") == "膵の萎縮"
    assert strip_choice_prefix("e) 5", 4, "x") == "5"


def test_medquad_document_with_empty_qapairs_is_its_own_reject(tmp_path: Path) -> None:
    folder = tmp_path / "medquad" / "10_MPlus_ADAM_QA"
    folder.mkdir(parents=True)
    (folder / "0000001.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Document id="0000001" source="ADAM" url="https://x">'
        "<Focus>Acne</Focus><QAPairs></QAPairs></Document>\n",
        encoding="utf-8",
    )
    [reject] = list(get_source("medquad").read(tmp_path / "medquad"))
    assert reject.reason == "no_qa_pairs" and reject.location.endswith("0000001.xml")  # type: ignore[union-attr]


def test_unread_folders_are_named_with_the_closest_source(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sources = tmp_path / "sources"
    (sources / "medqa_us").mkdir(parents=True)  # a misspelt medqa
    (sources / "notes").mkdir()
    import shutil

    shutil.copytree(bundled_samples_root() / "rumedbench", sources / "rumedbench")
    with caplog.at_level(logging.WARNING):
        result = build(BuildConfig(languages=("ru",), sources_dir=sources, out_dir=tmp_path / "out", progress=False))
    report = json.loads((result.out_dir / "build_report.json").read_text(encoding="utf-8"))
    assert report["unread_folders"] == {"medqa_us": "medqa", "notes": None}
    assert "'medqa_us' matches no source" in caplog.text and "did you mean 'medqa'" in caplog.text
