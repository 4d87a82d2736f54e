"""The dataset card (README.md) of a built dataset folder, filled from the build report.

The YAML front matter is produced by ``huggingface_hub.DatasetCardData`` (not written by hand) so
the Hub and ``datasets`` parse exactly what they expect; the body comes from a template shipped in
the package.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from string import Template
from typing import Any

from huggingface_hub import DatasetCard, DatasetCardData

from mmed_ift.hub.layout import OUTPUT_SPLITS, config_entries
from mmed_ift.languages import LANGUAGES

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


def most_restrictive_license(licenses: list[str]) -> str:
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


def _filter_line(name: str, step: Mapping[str, Any]) -> str:
    line = f"- **{name}**: {step['in']} in, {step['kept']} kept, {step['rejected']} removed"
    reasons = ", ".join(f"{reason}: {count}" for reason, count in step["rejected_by_reason"].items())
    return f"{line} ({reasons})" if reasons else line


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
) -> DatasetCard:
    """A card for one dataset folder; ``sources`` maps name -> {languages, license, kept, url, citation}."""
    total = sum(sum(per_split.values()) for per_split in counts.values())
    splits = [split for split in OUTPUT_SPLITS if any(split in per_split for per_split in counts.values())]
    licenses = [str(info["license"]) for info in sources.values()]
    data = DatasetCardData(
        language=sorted(counts),
        license=most_restrictive_license(licenses),
        pretty_name=PRETTY_NAMES[dataset],
        task_categories=["question-answering", "text-generation"],
        size_categories=[size_category(total)],
        tags=["medical", "instruction-tuning", "multilingual", "mmed-ift"],
        configs=config_entries(counts),
    )
    language_rows = "\n".join(
        f"| {lang} ({LANGUAGES[lang].name}) | " + " | ".join(str(counts[lang].get(split, 0)) for split in splits) + " |"
        for lang in sorted(counts)
    )
    source_rows = "\n".join(
        f"| {name} | {', '.join(info['languages'])} | {info['license']} | {info['kept']} | {info['url']} |"
        for name, info in sorted(sources.items())
    )
    filter_rows = "\n".join(_filter_line(name, step) for name, step in filters.items()) or "- no filters were applied"
    citations = "\n".join(f"- {name}: {info['citation']}" for name, info in sorted(sources.items()) if info["citation"])
    template = Template((importlib.resources.files("mmed_ift.hub") / "card_template.md").read_text(encoding="utf-8"))
    body = template.substitute(
        pretty_name=PRETTY_NAMES[dataset],
        summary=SUMMARIES[dataset],
        version=version,
        repo_id=repo_id,
        language_list=", ".join(sorted(counts)),
        split_header=" | ".join(splits),
        split_rule="---|" * len(splits),
        language_rows=language_rows,
        source_rows=source_rows,
        filter_rows=filter_rows,
        generator=generator,
        prompt_version=prompt_version,
        source_citations=citations or "- none",
    )
    return DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}")
