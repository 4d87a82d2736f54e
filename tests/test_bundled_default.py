"""The offline default: the samples shipped in the package and `build --lang ja` on them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from datasets import load_dataset

from mmed_ift.cli import main
from mmed_ift.hub.layout import SAMPLE_FEATURES
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, registry


@pytest.fixture(scope="module")
def bundled_counts() -> Counter[tuple[str, str]]:
    """(language, 'mc' | 'text') -> training items readable from the bundled samples."""
    counts: Counter[tuple[str, str]] = Counter()
    root = bundled_samples_root()
    for name, adapter_class in registry().items():
        adapter = adapter_class()
        folder = root / name
        if not adapter.spec.training or not folder.is_dir() or not adapter.find_files(folder):
            continue
        for result in adapter.read(folder):
            if isinstance(result, Reject) or result.split == "test":
                continue
            counts[(result.lang, "mc" if isinstance(result, MCQuestion) else "text")] += 1
    return counts


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_every_language_has_enough_bundled_samples(lang: str, bundled_counts: Counter[tuple[str, str]]) -> None:
    assert bundled_counts[(lang, "mc")] >= 50, f"{lang}: {bundled_counts[(lang, 'mc')]} MC questions"
    assert bundled_counts[(lang, "text")] >= 50, f"{lang}: {bundled_counts[(lang, 'text')]} QA pairs/passages"


@pytest.mark.slow
def test_build_ja_on_bundled_default_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mmed_ift_out"
    assert main(["build", "--lang", "ja", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out.resolve()}" in printed
    for folder in ("MMed-IFT-MC", "MMed-IFT"):
        dataset = load_dataset(str(out / folder), "ja")
        assert dataset["train"].features == SAMPLE_FEATURES
        assert dataset["train"].num_rows >= 50
        assert set(dataset["train"]["lang"]) == {"ja"}
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    for name, info in report["sources"].items():
        assert info["read"] == info["kept"] + info["rejected"], name
    rejects = (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rejects) == report["rejected_total"]
