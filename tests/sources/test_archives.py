"""Upstream releases read straight from their zip archives, as downloaded."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from mmed_ift.errors import SourceNotFoundError
from mmed_ift.pipeline import BuildConfig, build
from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import get_source


def _zip_folder(folder: Path, archive: Path, prefix: str) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(folder.iterdir()):
            handle.write(path, f"{prefix}/{path.name}")


def test_headqa_release_zip_reads_like_the_extracted_folder(realdata: Path, tmp_path: Path) -> None:
    _zip_folder(realdata / "headqa" / "HEAD", tmp_path / "HEAD.zip", "HEAD")
    zipped = list(get_source("headqa").read(tmp_path))
    plain = list(get_source("headqa").read(realdata / "headqa" / "HEAD"))
    assert len(zipped) == len(plain) == 90
    assert all(isinstance(item, MCQuestion) for item in zipped)
    assert [item.model_dump(exclude={"location"}) for item in zipped] == [
        item.model_dump(exclude={"location"}) for item in plain
    ]
    assert zipped[0].location.startswith("HEAD.zip/HEAD/")


def test_archive_beside_plain_files_and_in_sub_folders(realdata: Path, tmp_path: Path) -> None:
    shutil.copytree(realdata / "frenchmedmcqa", tmp_path / "plain")
    nested = tmp_path / "downloads"
    nested.mkdir()
    (tmp_path / "plain" / "test.json").rename(nested / "test.json")
    with zipfile.ZipFile(nested / "FrenchMedMCQA.zip", "w") as handle:
        handle.write(nested / "test.json", "corpus/test.json")
    (nested / "test.json").unlink()
    results = list(get_source("frenchmedmcqa").read(tmp_path))
    assert Counter(result.split for result in results) == {"train": 30, "validation": 30, "test": 30}
    assert any(result.location.startswith("downloads/FrenchMedMCQA.zip/corpus/test.json[") for result in results)


def test_damaged_and_malicious_archives_are_rejected_not_extracted(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as handle:
        handle.writestr("../../escaped.json", "[]")
    with pytest.raises(SourceNotFoundError, match="inside its 2 zip archive"):
        list(get_source("frenchmedmcqa").read(tmp_path))
    assert not (tmp_path.parent / "escaped.json").exists()


def test_damaged_archive_next_to_good_files_becomes_a_reject(realdata: Path, tmp_path: Path) -> None:
    shutil.copytree(realdata / "frenchmedmcqa", tmp_path, dirs_exist_ok=True)
    (tmp_path / "extra.zip").write_bytes(b"garbage")
    results = list(get_source("frenchmedmcqa").read(tmp_path))
    rejects = [result for result in results if isinstance(result, Reject)]
    assert [(reject.reason, reject.location) for reject in rejects] == [("unreadable_file", "extra.zip")]
    assert len(results) == 91


def test_build_finds_a_source_that_is_only_a_zip(realdata: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources" / "headqa"
    sources.mkdir(parents=True)
    _zip_folder(realdata / "headqa" / "HEAD", sources / "HEAD.zip", "HEAD")
    config = BuildConfig(languages=("es",), out_dir=tmp_path / "out", sources_dir=tmp_path / "sources", progress=False)
    report = json.loads((build(config).out_dir / "build_report.json").read_text(encoding="utf-8"))
    headqa = report["sources"]["headqa"]
    assert headqa["found"] is True
    assert headqa["read"] == 90 and headqa["read"] == headqa["kept"] + headqa["rejected"]
