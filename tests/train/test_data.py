"""Language mixing, seeds and fingerprints of the training data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mmed_ift.train.data import TrainingDataError, hash_parquet_files, load_training_data
from mmed_ift.train.recipe import DataArguments


def test_mixing_ratios_and_seed(build_dir: Path) -> None:
    full, full_info = load_training_data(DataArguments(dataset=str(build_dir / "MMed-IFT"), languages=["en", "ja"]))
    half, info = load_training_data(
        DataArguments(dataset=str(build_dir / "MMed-IFT"), languages=["en", "ja"], mixing={"ja": 0.5}, seed=1)
    )
    available = info.per_language["ja"]["available"]
    assert info.per_language["ja"]["used"] == round(available * 0.5)
    assert info.per_language["en"]["used"] == info.per_language["en"]["available"]
    assert len(half) == len(full) - available + round(available * 0.5)
    assert half.column_names == ["messages"]
    again, again_info = load_training_data(
        DataArguments(dataset=str(build_dir / "MMed-IFT"), languages=["en", "ja"], mixing={"ja": 0.5}, seed=1)
    )
    assert again_info.fingerprint == info.fingerprint and again[0] == half[0]
    _, other_seed = load_training_data(
        DataArguments(dataset=str(build_dir / "MMed-IFT"), languages=["en", "ja"], mixing={"ja": 0.5}, seed=2)
    )
    assert other_seed.fingerprint != info.fingerprint != full_info.fingerprint
    assert info.kind == "local" and info.revision is None and len(info.parquet_sha256 or "") == 64


def test_parquet_hash_follows_the_files(build_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "MMed-IFT"
    shutil.copytree(build_dir / "MMed-IFT", copy)
    assert hash_parquet_files(copy) == hash_parquet_files(build_dir / "MMed-IFT")
    shard = next(copy.rglob("*.parquet"))
    shard.write_bytes(shard.read_bytes() + b"\0")
    assert hash_parquet_files(copy) != hash_parquet_files(build_dir / "MMed-IFT")


def test_missing_dataset_and_language(build_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="neither an existing folder nor a Hub id"):
        load_training_data(DataArguments(dataset=str(tmp_path / "no" / "such" / "folder")))
    with pytest.raises(TrainingDataError, match="cannot load config 'fr'"):
        load_training_data(DataArguments(dataset=str(build_dir / "MMed-IFT"), languages=["fr"]))
