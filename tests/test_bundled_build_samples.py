"""A build of the bundled samples, read as a fine-tuner would: one target per prompt in every
config, no pleasantries or PII placeholders in targets, the card a demo card with its sections."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard, DatasetCardData

from mmed_ift import build
from mmed_ift.generate.dialogue import PLACEHOLDER
from mmed_ift.hub.layout import DATASET_FOLDERS
from mmed_ift.languages import LANGUAGE_CODES
from tests.hub.test_card_checks import check_card

pytestmark = pytest.mark.slow

GREETING = re.compile(r"^(?:Hi|Hello|Dear|您好|你好|Bonjour|Здравствуйте|Hola)\b|Hope this helps|Regards,")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled") / "out"
    build(languages=LANGUAGE_CODES, out=out, progress=False)
    return out


def _rows(folder: Path, pattern: str) -> list[dict[str, Any]]:
    return [row for path in sorted(folder.glob(pattern)) for row in pq.read_table(path).to_pylist()]


@pytest.mark.parametrize("folder", list(DATASET_FOLDERS.values()))
def test_no_prompt_has_two_targets_in_any_config(bundled: Path, folder: str) -> None:
    configs = {"all": "data/*/*.parquet", **{lang: f"data/{lang}/*.parquet" for lang in LANGUAGE_CODES}}
    for config, pattern in configs.items():
        targets: dict[str, set[str]] = defaultdict(set)
        for row in _rows(bundled / folder, pattern):
            prompt = "\n".join(m["content"] for m in row["messages"][:-1])
            targets[prompt].add(row["messages"][-1]["content"])
        conflicting = {prompt: found for prompt, found in targets.items() if len(found) > 1}
        assert not conflicting, (folder, config, next(iter(conflicting.items()), None))


def test_every_mc_item_gives_one_row(bundled: Path) -> None:
    rows = _rows(bundled / "MMed-IFT-MC", "data/*/*.parquet")
    items = [(row["provenance"]["source"], row["provenance"]["source_id"], row["lang"]) for row in rows]
    assert len(items) == len(set(items))
    assert {row["task"] for row in rows} <= {"mc_rationale", "mc_answer_text"}


def test_targets_hold_no_placeholder_or_pleasantry_and_rows_record_their_wording(bundled: Path) -> None:
    rows = _rows(bundled, "*/data/*/*.parquet")
    for row in rows:
        target = row["messages"][-1]["content"]
        assert not PLACEHOLDER.search(target), row["id"]
        assert not GREETING.search(target), target[:80]
        if row["lang"] in ("zh", "ja"):
            assert not re.search("[：；，。！？] ", target), target[:80]
    wordings = {row["provenance"]["template_id"] for row in rows if row["provenance"]["template_id"]}
    for lang in LANGUAGE_CODES:
        assert len({w for w in wordings if w.startswith(("mc/" + lang, "mc_multi/" + lang))}) >= 2, lang


def test_every_config_of_a_dataset_offers_the_same_splits(bundled: Path) -> None:
    for folder in DATASET_FOLDERS.values():
        card = DatasetCard.load(bundled / folder / "README.md")
        splits = {
            entry["config_name"]: sorted(files["split"] for files in entry["data_files"]) for entry in card.data.configs
        }
        assert len({tuple(found) for found in splits.values()}) == 1, (folder, splits)


def test_demo_card_has_notice_disclaimer_composition_and_license_fields(bundled: Path) -> None:
    for folder in DATASET_FOLDERS.values():
        text = (bundled / folder / "README.md").read_text(encoding="utf-8")
        card = DatasetCard(text)
        assert check_card(text) == [], folder
        assert "Demo build from bundled samples" in card.text
        assert "not for clinical decisions" in card.text
        assert "## Intended use" in card.text and "## Limitations" in card.text
        assert "| language | task | source | samples |" in card.text
        assert "## Filter quality" in card.text and "not measured" in card.text
        data = DatasetCardData(**card.data.to_dict())
        if data.license == "other":
            assert data.license_name and data.license_link
    mc = DatasetCard.load(bundled / "MMed-IFT-MC" / "README.md").text
    ift = DatasetCard.load(bundled / "MMed-IFT" / "README.md").text

    def filtering(text: str) -> str:
        return text.split("## Filtering", 1)[1].split("## Filter quality", 1)[0]

    assert filtering(mc) != filtering(ift), "each card counts its own dataset's removals"
    assert "| alpaca |" in ift and "| alpaca | per dataset" in ift
    alpaca_row = next(line for line in ift.splitlines() if line.startswith("| alpaca | per dataset"))
    assert "| yes |" in alpaca_row, "a source whose licenses all allow commercial use is not flagged"
