"""The dataset card (README.md) of a built dataset folder, filled from the build report.

The YAML front matter is produced by the libraries that read it back (``huggingface_hub``'s
``DatasetCardData``, ``datasets``' ``MetadataConfigs`` and ``DatasetInfosDict``) rather than
written by hand, so the Hub and ``load_dataset`` parse exactly what they expect.  The body comes
from ``DATASET_CARD.md`` at the repository root; the package ships an identical copy
(``card_template.md``) because an installed wheel has no repository root, and a test keeps the two
equal.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from datasets import DatasetInfo, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from mmed_ift.hub.card_sections import (
    Composition,
    DatasetFilters,
    Measured,
    commercial_section,
    composition_note,
    composition_table,
    demo_notice,
    filter_rows,
    measured_section,
    origins_section,
)
from mmed_ift.hub.layout import OUTPUT_SPLITS, SAMPLE_FEATURES, SplitSize, config_entries, measure_folder
from mmed_ift.hub.licenses import commercial_use, most_restrictive_license
from mmed_ift.languages import LANGUAGES

TEMPLATE_NAME = "card_template.md"
#: the id the Hub shows for a dataset whose license is ``other`` (terms per source, in the card)
OTHER_LICENSE_NAME = "mmed-ift-per-source-licenses"

#: the license table's commercial-use column, from :func:`~mmed_ift.hub.licenses.commercial_use`
COMMERCIAL_WORDS = {"allowed": "yes", "not_allowed": "no", "unclear": "read the terms"}

PRETTY_NAMES = {"ift": "MMed-IFT", "mc": "MMed-IFT-MC"}
SUMMARIES = {
    "ift": (
        "General medical knowledge as instruction/response pairs in English, Chinese, Japanese,"
        " French, Russian and Spanish: stage 1 of two-stage medical instruction fine-tuning."
    ),
    "mc": (
        "Medical multiple-choice exam questions with answers (and rationales where available) in"
        " English, Chinese, Japanese, French, Russian and Spanish: stage 2 of two-stage medical"
        " instruction fine-tuning."
    ),
}
TASK_CATEGORIES = {
    "ift": ["question-answering", "text-generation"],
    "mc": ["question-answering", "multiple-choice", "text-generation"],
}

Counts = Mapping[str, Mapping[str, int]]
Sizes = Mapping[str, Mapping[str, SplitSize]]


def size_category(rows: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if rows < limit:
            return label
    return "1M<n<10M"


def card_template() -> str:
    return (importlib.resources.files("mmed_ift.hub") / TEMPLATE_NAME).read_text(encoding="utf-8")


# -- YAML front matter -------------------------------------------------------------------------


def _config_info(per_split: Mapping[str, SplitSize]) -> DatasetInfo:
    splits = SplitDict()
    for split in OUTPUT_SPLITS:
        if split in per_split:
            size = per_split[split]
            splits.add(SplitInfo(name=split, num_bytes=size.num_bytes, num_examples=size.num_examples))
    download = sum(size.download_bytes for size in per_split.values())
    in_memory = sum(size.num_bytes for size in per_split.values())
    return DatasetInfo(
        features=SAMPLE_FEATURES.copy(),
        splits=splits,
        # 0 means "not measured" (no folder given): leave the fields out rather than claim 0 bytes
        download_size=download or None,
        dataset_size=in_memory or None,
    )


def _sum_languages(sizes: Sizes) -> dict[str, SplitSize]:
    totals: dict[str, SplitSize] = {}
    for per_split in sizes.values():
        for split, size in per_split.items():
            seen = totals.get(split, SplitSize(0, 0, 0))
            totals[split] = SplitSize(
                seen.num_examples + size.num_examples,
                seen.num_bytes + size.num_bytes,
                seen.download_bytes + size.download_bytes,
            )
    return totals


def dataset_infos(sizes: Sizes) -> DatasetInfosDict:
    """``dataset_info`` per config (``all`` plus one per language), as ``load_dataset`` verifies it."""
    infos = DatasetInfosDict()
    if sizes:
        infos["all"] = _config_info(_sum_languages(sizes))
    for lang in sorted(sizes):
        infos[lang] = _config_info(sizes[lang])
    return infos


def _sizes(counts: Counts, folder: Path | None) -> dict[str, dict[str, SplitSize]]:
    """Row counts from the build; bytes from the files when the folder is given (else 0)."""
    measured = measure_folder(folder) if folder is not None else {}
    sizes: dict[str, dict[str, SplitSize]] = {}
    for lang, per_split in counts.items():
        for split, rows in per_split.items():
            on_disk = measured.get(lang, {}).get(split, SplitSize(rows, 0, 0))
            sizes.setdefault(lang, {})[split] = SplitSize(rows, on_disk.num_bytes, on_disk.download_bytes)
    return sizes


def card_data(
    dataset: str, counts: Counts, licenses: list[str], sizes: Sizes, repo_id: str = ""
) -> DatasetCardData:
    """The YAML header; a license of ``other`` comes with ``license_name`` and a ``license_link``
    to the card's license table, as the Hub asks."""
    total = sum(sum(per_split.values()) for per_split in counts.values())
    license = most_restrictive_license(licenses)
    other: dict[str, Any] = {}
    if license == "other":
        other = {
            "license_name": OTHER_LICENSE_NAME,
            "license_link": f"https://huggingface.co/datasets/{repo_id}/blob/main/README.md#licenses"
            if repo_id
            else "README.md",
        }
    data = DatasetCardData(
        language=sorted(counts),
        license=license,
        **other,
        multilinguality="multilingual" if len(counts) > 1 else "monolingual",
        pretty_name=PRETTY_NAMES[dataset],
        task_categories=TASK_CATEGORIES[dataset],
        size_categories=[size_category(total)],
        tags=["medical", "instruction-tuning", "multilingual", "mmed-ift"],
    )
    entries = config_entries(counts)
    configs = MetadataConfigs({str(entry.pop("config_name")): entry for entry in entries})
    configs.to_dataset_card_data(data)
    dataset_infos(sizes).to_dataset_card_data(data)
    return data


# -- body --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardExtras:
    """What a build knows beyond counts: whether it read only the bundled samples, the
    composition by language x task x source, this dataset's filter removals and the measured
    quality of the filters."""

    demo: bool = False
    composition: Composition = field(default_factory=dict)
    dataset_filters: DatasetFilters | None = None
    measured: Measured = field(default_factory=dict)
    system_message: bool = False
    #: the ``--target-size`` policy that chose the rows (the report's ``composition.policy``)
    composition_policy: Mapping[str, Any] | None = None
    #: MMed-IFT: per language, the sources its knowledge rows came from (report ``knowledge_origins``)
    knowledge_origins: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)


def decontam_section(filters: Mapping[str, Mapping[str, Any]], removed: DatasetFilters | None = None) -> str:
    """What the decontamination step found, or a plain statement that none ran; ``removed``:
    this dataset's removals by filter step (the build-wide ones otherwise)."""
    step = filters.get("decontam")
    if step is None:
        return (
            "This build ran no decontamination step: rows were not checked against benchmark test"
            " sets beyond leaving upstream test splits out."
        )
    lines = [
        f"Training records were checked against the held-out test questions: {step['in']} checked,"
        f" {step['rejected']} removed as overlapping, {step['kept']} kept (both datasets)."
    ]
    mine = removed.get("decontam", {}) if removed is not None else step["rejected_by_reason"]
    if removed is not None:
        lines.append(f"Removed from this dataset's sources: {sum(mine.values())}.")
    lines += [f"- {reason}: {count}" for reason, count in mine.items()]
    details = step.get("details", {})
    benchmarks = details.get("benchmarks", {})
    if benchmarks:
        lines += ["", "| benchmark (source/split) | held-out items | training records removed |", "|---|---:|---:|"]
        lines += [f"| {name} | {info['items']} | {info['removed']} |" for name, info in benchmarks.items()]
    settings = {key: value for key, value in details.items() if key not in ("benchmarks", "examples")}
    if settings:
        lines += ["", "Settings: " + ", ".join(f"{key} = {value}" for key, value in settings.items()) + "."]
    return "\n".join(lines)


def _body(
    dataset: str,
    counts: Counts,
    sources: Mapping[str, Mapping[str, Any]],
    filters: Mapping[str, Mapping[str, Any]],
    fields: Mapping[str, str],
    extra: CardExtras,
) -> str:
    splits = [split for split in OUTPUT_SPLITS if any(split in per_split for per_split in counts.values())]
    languages = sorted(counts)
    language_rows = "\n".join(
        f"| {lang} ({LANGUAGES[lang].name}) | " + " | ".join(str(counts[lang].get(split, 0)) for split in splits) + " |"
        for lang in languages
    )
    named = sorted(sources.items())
    citations = "\n".join(f"- {name}: {info['citation']}" for name, info in named if info["citation"])
    return Template(card_template()).substitute(
        pretty_name=PRETTY_NAMES[dataset],
        summary=SUMMARIES[dataset],
        load_lang=languages[0] if languages else "en",
        language_list=", ".join(["all", *languages]),
        split_header=" | ".join(splits),
        split_rule="---|" * len(splits),
        language_rows=language_rows,
        source_count_rows="\n".join(
            f"| {name} | {', '.join(info['languages'])} | {info['kept']} |" for name, info in named
        ),
        filter_rows=filter_rows(filters, extra.dataset_filters),
        decontam_section=decontam_section(filters, extra.dataset_filters),
        measured_section=measured_section(filters, extra.measured),
        demo_notice=demo_notice(extra.demo),
        composition_table=composition_table(extra.composition),
        composition_note=composition_note(extra.composition_policy),
        knowledge_origins=origins_section(extra.knowledge_origins),
        system_note=(
            "**System message**: every template row starts with a short system turn in its language"
            " (`--system-message`)."
            if extra.system_message
            else "**No system message**: rows start with the user turn (a build with `--system-message`"
            " adds one per language)."
        ),
        license_rows="\n".join(
            f"| {name} | {info['license']} | {COMMERCIAL_WORDS[commercial_use(str(info['license']))]} | {info['url']} |"
            for name, info in named
        ),
        commercial_section=commercial_section(sources),
        source_citations=citations or "- none",
        **fields,
    )


def render_card(
    dataset: str,
    counts: Mapping[str, Mapping[str, int]],
    sources: Mapping[str, Mapping[str, Any]],
    filters: Mapping[str, Mapping[str, Any]],
    *,
    repo_id: str,
    generator: str,
    prompt_version: str,
    version: str,
    model: str | None = None,
    folder: Path | None = None,
    extra: CardExtras | None = None,
) -> DatasetCard:
    """A card for one dataset folder; ``sources`` maps name -> {languages, license, kept, url, citation}.

    ``filters`` is the build report's ``filters`` section.  Pass the written ``folder`` so that
    ``dataset_info`` declares the real byte sizes; without it only row counts are declared.
    """
    licenses = [str(info["license"]) for info in sources.values()]
    data = card_data(dataset, counts, licenses, _sizes(counts, folder), repo_id)
    fields = {
        "version": version,
        "repo_id": repo_id,
        "generator": generator,
        "model": f"`{model}`" if model else "none (deterministic templates)",
        "prompt_version": prompt_version,
        "card_license": str(data.license),
    }
    body = _body(dataset, counts, sources, filters, fields, extra or CardExtras())
    return DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}")
