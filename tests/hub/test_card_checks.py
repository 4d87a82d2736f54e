"""The cards pass the checks the Hub applies to a dataset card's YAML, run offline.

``DatasetCard.validate()`` posts the card to the Hub's ``/api/validate-yaml`` (network only; the
test Hub accepts anything).  These are the rules it enforces that can be checked here: the YAML
parses back into ``DatasetCardData``, ``configs`` and ``dataset_info`` parse with ``datasets``'
own readers, task categories are known ids, size categories and language codes are valid, and a
license of ``other`` comes with ``license_name`` (an id) and ``license_link`` (a file or URL).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs, known_task_ids
from huggingface_hub import DatasetCard, DatasetCardData

from mmed_ift.hub.card import CardExtras, render_card
from mmed_ift.hub.card_sections import commercial_section, measured_section
from mmed_ift.hub.layout import DATASET_FOLDERS
from mmed_ift.hub.licenses import LICENSE_ORDER, commercial_use, license_ids, most_restrictive_license
from mmed_ift.languages import LANGUAGE_CODES

SIZE_CATEGORIES = {"n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M"}


def check_card(text: str) -> list[str]:
    """The problems the Hub's YAML validation would report (empty when the card is valid)."""
    problems: list[str] = []
    card = DatasetCard(text)
    data = DatasetCardData(**card.data.to_dict())
    if data.license not in LICENSE_ORDER:
        problems.append(f"license {data.license!r} is not a Hub license id")
    if data.license == "other":
        name = getattr(data, "license_name", None) or ""
        if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]*", name):
            problems.append(f"license other needs an id in license_name, got {name!r}")
        link = getattr(data, "license_link", None) or ""
        if not (link in ("LICENSE", "LICENSE.md", "README.md") or link.startswith("https://")):
            problems.append(f"license other needs license_link (a repo file or a URL), got {link!r}")
    problems += [f"unknown task category {task!r}" for task in data.task_categories or [] if task not in known_task_ids]
    problems += [f"bad size category {size!r}" for size in data.size_categories or [] if size not in SIZE_CATEGORIES]
    problems += [f"bad language {lang!r}" for lang in data.language or [] if lang not in LANGUAGE_CODES]
    configs = MetadataConfigs.from_dataset_card_data(card.data)
    infos = DatasetInfosDict.from_dataset_card_data(card.data)
    if set(configs) != set(infos):
        problems.append(f"configs {sorted(configs)} and dataset_info {sorted(infos)} differ")
    return problems


@pytest.mark.parametrize("folder", list(DATASET_FOLDERS.values()))
def test_built_cards_pass_the_hub_checks(built: Path, folder: str) -> None:
    text = (built / folder / "README.md").read_text(encoding="utf-8")
    assert check_card(text) == []
    assert "Demo build from bundled samples" not in text, "built from --sources: no demo notice"


def _card(license: str, demo: bool = False) -> str:
    sources = {"x": {"languages": ["en"], "license": license, "kept": 1, "url": "u", "citation": ""}}
    card = render_card(
        "ift", {"en": {"train": 1}}, sources, {}, repo_id="me/MMed-IFT", generator="template",
        prompt_version="v", version="0", extra=CardExtras(demo=demo),
    )  # fmt: skip
    return str(card)


def test_other_license_gets_name_and_link_and_passes() -> None:
    text = _card("unspecified (exam problems)")
    data = DatasetCard(text).data
    assert data.license == "other"
    assert data.license_name == "mmed-ift-per-source-licenses"
    assert data.license_link == "https://huggingface.co/datasets/me/MMed-IFT/blob/main/README.md#licenses"
    assert check_card(text) == []
    assert "license_name" not in DatasetCard(_card("MIT")).data.to_dict()


def test_checker_is_not_vacuous() -> None:
    broken = _card("unspecified").replace("license_name: mmed-ift-per-source-licenses\n", "")
    assert any("license_name" in problem for problem in check_card(broken))
    assert any("task category" in problem for problem in check_card(_card("MIT").replace("text-generation", "chat")))


def test_demo_option_puts_the_notice_first() -> None:
    body = DatasetCard(_card("MIT", demo=True)).text
    assert body.index("Demo build from bundled samples") < body.index("## How to load")
    assert "Demo build" not in _card("MIT", demo=False)


@pytest.mark.parametrize(
    ("text", "ids", "verdict"),
    [
        ("MIT", ["mit"], "allowed"),
        ("per dataset (ChatDoctor: Apache-2.0; medical meadow WikiDoc: CC-BY-SA-4.0)", ["apache-2.0", "cc-by-sa-4.0"],
         "allowed"),
        ("CC BY-NC 4.0", ["cc-by-nc-4.0"], "not_allowed"),
        ("non-commercial research use (per upstream README)", [], "not_allowed"),
        ("other (data: ministry terms; code: MIT)", ["mit"], "unclear"),
        ("unspecified (no LICENSE in the repository)", [], "unclear"),
    ],
)  # fmt: skip
def test_commercial_use_is_read_from_the_license_ids(text: str, ids: list[str], verdict: str) -> None:
    assert license_ids(text) == ids
    assert commercial_use(text) == verdict


def test_multi_license_source_allowing_commercial_use_is_not_flagged() -> None:
    sources = {"alpaca": {"license": "per dataset (ChatDoctor: Apache-2.0; medical meadow WikiDoc: CC-BY-SA-4.0)"}}
    assert commercial_section(sources).startswith("Every source")
    assert most_restrictive_license([sources["alpaca"]["license"], "MIT"]) == "cc-by-sa-4.0"


def test_measured_section_renders_figures_and_not_measured() -> None:
    measured = {"near_dedup": {"precision": 0.99, "bench": "bench/bench_dedup.py"}, "pii": {"precision": None}}
    text = measured_section({"pii": {}, "near_dedup": {}}, measured)
    assert "- **pii**: not measured" in text
    assert "- **near_dedup**: precision 0.990 (`bench/bench_dedup.py`)" in text
