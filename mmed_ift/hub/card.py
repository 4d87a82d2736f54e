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
from collections.abc import Mapping
from pathlib import Path
from string import Template
from typing import Any

from datasets import DatasetInfo, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from mmed_ift.hub.layout import OUTPUT_SPLITS, SAMPLE_FEATURES, SplitSize, config_entries, measure_folder
from mmed_ift.languages import LANGUAGES

TEMPLATE_NAME = "card_template.md"

#: most permissive first; a dataset takes the most restrictive license among its sources
LICENSE_ORDER: tuple[str, ...] = (
    "mit",
    "apache-2.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0",
    "other",
)
#: licenses that allow commercial use (with attribution / share-alike where they say so)
COMMERCIAL_LICENSES = frozenset({"mit", "apache-2.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0"})

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


def most_restrictive_license(licenses: list[str]) -> str:
    """The license the whole dataset can be offered under; any non-standard license gives ``other``."""
    ranked = [name.lower() for name in licenses]
    known = [name for name in ranked if name in LICENSE_ORDER]
    if len(known) != len(ranked) or not known:
        return "other"
    return max(known, key=LICENSE_ORDER.index)


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


def card_data(dataset: str, counts: Counts, licenses: list[str], sizes: Sizes) -> DatasetCardData:
    total = sum(sum(per_split.values()) for per_split in counts.values())
    data = DatasetCardData(
        language=sorted(counts),
        license=most_restrictive_license(licenses),
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


def _filter_line(name: str, step: Mapping[str, Any]) -> str:
    line = f"- **{name}**: {step['in']} in, {step['kept']} kept, {step['rejected']} removed"
    reasons = ", ".join(f"{reason}: {count}" for reason, count in step["rejected_by_reason"].items())
    return f"{line} ({reasons})" if reasons else line


def decontam_section(filters: Mapping[str, Mapping[str, Any]]) -> str:
    """What the decontamination step found, or a plain statement that none ran."""
    step = filters.get("decontam")
    if step is None:
        return (
            "This build ran no decontamination step: rows were not checked against benchmark test"
            " sets beyond leaving upstream test splits out."
        )
    lines = [
        f"Training records were checked against the held-out test questions: {step['in']} checked,"
        f" {step['rejected']} removed as overlapping, {step['kept']} kept."
    ]
    lines += [f"- {reason}: {count}" for reason, count in step["rejected_by_reason"].items()]
    details = step.get("details", {})
    benchmarks = details.get("benchmarks", {})
    if benchmarks:
        lines += ["", "| benchmark (source/split) | held-out items | training records removed |", "|---|---:|---:|"]
        lines += [f"| {name} | {info['items']} | {info['removed']} |" for name, info in benchmarks.items()]
    settings = {key: value for key, value in details.items() if key not in ("benchmarks", "examples")}
    if settings:
        lines += ["", "Settings: " + ", ".join(f"{key} = {value}" for key, value in settings.items()) + "."]
    return "\n".join(lines)


def commercial_section(sources: Mapping[str, Mapping[str, Any]]) -> str:
    """How to keep only rows whose upstream license allows commercial use (by ``provenance.license``)."""
    licenses = {name: str(info["license"]) for name, info in sources.items()}
    allowed = sorted({license for license in licenses.values() if license.lower() in COMMERCIAL_LICENSES})
    excluded = sorted(name for name, license in licenses.items() if license.lower() not in COMMERCIAL_LICENSES)
    if not allowed:
        return "No source of this build carries a license that allows commercial use."
    if not excluded:
        return "Every source of this build carries a license that allows commercial use (see the table above)."
    return (
        f"Rows from {', '.join(excluded)} carry licenses that do not allow commercial use. Keep only rows"
        " whose own license does, by filtering on `provenance.license`:\n\n"
        "```python\n"
        f"COMMERCIAL = {{{', '.join(repr(name) for name in allowed)}}}\n"
        'ds = ds.filter(lambda row: row["provenance"]["license"] in COMMERCIAL)\n'
        "```\n\n"
        "or rebuild with only those sources: `python -m mmed_ift build --all "
        + " ".join(f"--license-allow {license}" for license in allowed)
        + "`"
    )


def _body(
    dataset: str,
    counts: Counts,
    sources: Mapping[str, Mapping[str, Any]],
    filters: Mapping[str, Mapping[str, Any]],
    fields: Mapping[str, str],
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
        filter_rows="\n".join(_filter_line(name, step) for name, step in filters.items()) or "- none ran",
        decontam_section=decontam_section(filters),
        license_rows="\n".join(f"| {name} | {info['license']} | {info['url']} |" for name, info in named),
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
) -> DatasetCard:
    """A card for one dataset folder; ``sources`` maps name -> {languages, license, kept, url, citation}.

    ``filters`` is the build report's ``filters`` section.  Pass the written ``folder`` so that
    ``dataset_info`` declares the real byte sizes; without it only row counts are declared.
    """
    licenses = [str(info["license"]) for info in sources.values()]
    data = card_data(dataset, counts, licenses, _sizes(counts, folder))
    fields = {
        "version": version,
        "repo_id": repo_id,
        "generator": generator,
        "model": f"`{model}`" if model else "none (deterministic templates)",
        "prompt_version": prompt_version,
        "card_license": str(data.license),
    }
    body = _body(dataset, counts, sources, filters, fields)
    return DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}")
