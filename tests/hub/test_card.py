"""The built folders load with ``datasets`` exactly as their cards declare, and the cards parse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from datasets import get_dataset_config_names, load_dataset
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard

from mmed_ift.hub.card import (
    card_template,
    commercial_section,
    decontam_section,
    most_restrictive_license,
    render_card,
    size_category,
)
from mmed_ift.hub.layout import DATASET_FOLDERS, SAMPLE_FEATURES
from tests.conftest import REPO_ROOT

FOLDERS = list(DATASET_FOLDERS.values())


def _report(built: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((built / "build_report.json").read_text(encoding="utf-8"))
    return report


def _expected_rows(report: dict[str, Any], folder: str, config: str) -> dict[str, int]:
    per_lang: dict[str, dict[str, int]] = report["outputs"][folder]
    chosen = per_lang.values() if config == "all" else [per_lang[config]]
    totals: dict[str, int] = {}
    for per_split in chosen:
        for split, rows in per_split.items():
            totals[split] = totals.get(split, 0) + rows
    return totals


def test_root_card_template_is_the_packaged_one() -> None:
    """DATASET_CARD.md is the source of truth; the package ships a copy an installed wheel can read."""
    assert (REPO_ROOT / "DATASET_CARD.md").read_text(encoding="utf-8") == card_template()


def test_build_outputs_are_as_expected(built: Path) -> None:
    assert _report(built)["outputs"] == {
        "MMed-IFT": {"fr": {"train": 2}, "ja": {"train": 4}},  # one section each, in two styles
        "MMed-IFT-MC": {"en": {"train": 5, "validation": 2}},  # one row per MC item
    }


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_config_and_split_loads_with_declared_features_and_counts(built: Path, folder: str) -> None:
    report = _report(built)
    languages = sorted(report["outputs"][folder])
    configs = get_dataset_config_names(str(built / folder))
    assert sorted(configs) == ["all", *languages]
    card = DatasetCard.load(built / folder / "README.md")
    declared = DatasetInfosDict.from_dataset_card_data(card.data)
    for config in configs:
        # load_dataset itself checks the rows against dataset_info's num_examples
        loaded = load_dataset(str(built / folder), config)
        expected = _expected_rows(report, folder, config)
        assert {split: data.num_rows for split, data in loaded.items()} == expected, config
        assert declared[config].features == SAMPLE_FEATURES
        assert {name: info.num_examples for name, info in declared[config].splits.items()} == expected
        for split, data in loaded.items():
            assert data.features == SAMPLE_FEATURES, (config, split)
            if config != "all":
                assert set(data["lang"]) == {config}


def test_default_config_is_all_languages(built: Path) -> None:
    everything = load_dataset(str(built / "MMed-IFT"))
    assert sorted(set(everything["train"]["lang"])) == ["fr", "ja"]


@pytest.mark.parametrize("folder", FOLDERS)
def test_card_metadata_round_trips(built: Path, folder: str, tmp_path: Path) -> None:
    card = DatasetCard.load(built / folder / "README.md")
    languages = sorted(_report(built)["outputs"][folder])
    data = card.data
    assert data.license == ("cc-by-sa-4.0" if folder == "MMed-IFT" else "mit")
    assert data.language == languages
    assert data.pretty_name == folder
    assert data.size_categories == ["n<1K"]
    assert "medical" in data.tags
    configs = MetadataConfigs.from_dataset_card_data(data)
    assert configs.get_default_config_name() == "all"
    assert configs["all"]["data_files"][0] == {"split": "train", "path": "data/*/train-*"}
    card.save(tmp_path / "README.md")
    again = DatasetCard.load(tmp_path / "README.md")
    assert again.data.to_dict() == data.to_dict()
    assert again.text == card.text


def test_card_body_reports_counts_sources_and_licenses(built: Path) -> None:
    text = DatasetCard.load(built / "MMed-IFT-MC" / "README.md").text
    assert "| en (English) | 5 | 2 |" in text
    assert "| medqa | en, zh | 7 |" in text
    assert "| medqa | MIT |" in text
    assert 'load_dataset("SpassMed/MMed-IFT-MC", "en")' in text
    assert "Training records were checked against the held-out test questions" in text
    assert "| medqa/test | 2 | 0 |" in text
    assert "Generator: `template`, model: none" in text
    assert "Every source of this build carries a license that allows commercial use" in text
    assert "$" not in text.replace("$ ", "")  # every placeholder was filled


def test_card_declares_byte_sizes_when_given_the_folder(built: Path) -> None:
    folder = built / "MMed-IFT-MC"
    card = render_card(
        "mc",
        {"en": {"train": 5, "validation": 2}},
        {"medqa": {"languages": ["en"], "license": "MIT", "kept": 7, "url": "u", "citation": ""}},
        {},
        repo_id="me/x",
        generator="template",
        prompt_version="v1",
        version="0",
        folder=folder,
    )
    info = DatasetInfosDict.from_dataset_card_data(card.data)["en"]
    assert info.download_size == sum(path.stat().st_size for path in folder.glob("data/en/*.parquet"))
    assert info.dataset_size is not None and info.dataset_size > 0
    assert all(split.num_bytes > 0 for split in info.splits.values())


def test_decontamination_results_are_reported_when_the_step_ran() -> None:
    details = {"benchmarks": {"medqa/test": {"items": 1273, "removed": 3}}, "examples": {}, "word_n": 13}
    step = {"in": 100, "kept": 97, "rejected": 3, "rejected_by_reason": {"contaminated": 3}, "details": details}
    text = decontam_section({"decontam": step})
    assert "100 checked, 3 removed as overlapping, 97 kept" in text
    assert "- contaminated: 3" in text
    assert "| medqa/test | 1273 | 3 |" in text
    assert "Settings: word_n = 13." in text
    assert "examples" not in text


def test_commercial_section_filters_by_provenance_license() -> None:
    sources = {
        "medqa": {"license": "MIT"},
        "cmexam": {"license": "Apache-2.0"},
        "cmedqa2": {"license": "non-commercial research use"},
    }
    text = commercial_section(sources)
    assert "Rows from cmedqa2" in text
    code = text.split("```python\n")[1].split("```")[0]
    namespace: dict[str, Any] = {"ds": _FilterRecorder()}
    exec(code, namespace)
    keep = namespace["ds"].predicate
    assert keep({"provenance": {"license": "MIT"}}) and keep({"provenance": {"license": "Apache-2.0"}})
    assert not keep({"provenance": {"license": "non-commercial research use"}})
    assert commercial_section({"cmedqa2": {"license": "other"}}).startswith("No source")


class _FilterRecorder:
    """Stands in for a Dataset so the card's snippet can run without data."""

    predicate: Any = None

    def filter(self, predicate: Any) -> _FilterRecorder:
        self.predicate = predicate
        return self


@pytest.mark.parametrize(
    ("licenses", "expected"),
    [
        (["MIT", "Apache-2.0"], "apache-2.0"),
        (["MIT", "CC-BY-SA-4.0"], "cc-by-sa-4.0"),
        (["MIT", "non-commercial research use"], "other"),
        ([], "other"),
    ],
)
def test_most_restrictive_license(licenses: list[str], expected: str) -> None:
    assert most_restrictive_license(licenses) == expected


def test_size_category() -> None:
    assert size_category(999) == "n<1K"
    assert size_category(1_000) == "1K<n<10K"
    assert size_category(5_000_000) == "1M<n<10M"
