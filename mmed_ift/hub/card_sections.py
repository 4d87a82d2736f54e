"""Sections of the dataset card that are computed from the build: the demo notice, the
composition table, the per-dataset filter counts, the measured filter quality and the
commercial-use subset.  :mod:`mmed_ift.hub.card` assembles them into the template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mmed_ift.hub.licenses import commercial_use

#: (lang, task, source) -> samples
Composition = Mapping[tuple[str, str, str], int]
#: filter step -> reject reason -> records of this dataset's sources removed
DatasetFilters = Mapping[str, Mapping[str, int]]

DEMO_NOTICE = (
    "> [!WARNING]\n"
    "> **Demo build from bundled samples.** This folder was built from the small sample files that ship"
    " inside the `mmed_ift` package (written by the project to exercise every adapter), not from the"
    " upstream datasets. It is for trying the pipeline and the loaders; do not publish it as MMed-IFT or"
    " train a model on it. Build from the downloaded sources (`--sources DIR` or `--hub`) for the real dataset.\n"
)


def demo_notice(demo: bool) -> str:
    return DEMO_NOTICE if demo else ""


def composition_table(composition: Composition) -> str:
    """Samples per language x task x source, with a total per language."""
    if not composition:
        return "No samples."
    lines = ["| language | task | source | samples |", "|---|---|---|---:|"]
    for (lang, task, source), count in sorted(composition.items()):
        lines.append(f"| {lang} | {task} | {source} | {count} |")
    return "\n".join(lines)


def filter_rows(filters: Mapping[str, Mapping[str, Any]], removed: DatasetFilters | None) -> str:
    """One line per filter step: what it removed from this dataset's sources, by reason.

    ``removed`` counts the records of the sources that feed this dataset; without it (a card
    rendered outside a build) the build-wide counts are shown.
    """
    if not filters:
        return "- none ran"
    lines = []
    for name, step in filters.items():
        reasons = dict(removed.get(name, {})) if removed is not None else dict(step["rejected_by_reason"])
        total = sum(reasons.values())
        detail = ", ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
        lines.append(f"- **{name}**: {total} removed" + (f" ({detail})" if detail else ""))
    return "\n".join(lines)


#: filter -> {metric: value or None, "bench": "bench/x.py", "note": ...} (mmed_ift.filters.measured)
Measured = Mapping[str, Mapping[str, Any]]
#: the keys of a measurement that are not metrics
TEXT_KEYS = ("bench", "note")


def _measurement(entry: Mapping[str, Any]) -> str:
    metrics = {key: value for key, value in entry.items() if key not in TEXT_KEYS and value is not None}
    if not metrics:
        return "not measured"
    figures = ", ".join(f"{metric} {float(value):.3f}" for metric, value in metrics.items())
    where = f"`{entry['bench']}`" if entry.get("bench") else "no script named"
    note = f"; {entry['note']}" if entry.get("note") else ""
    return f"{figures} ({where}{note})"


def measured_section(filters: Mapping[str, Any], measured: Measured) -> str:
    """Precision-type figures of each filter that ran, from the benchmark scripts (the pipeline
    passes :data:`mmed_ift.filters.measured.MEASURED`; ``hub`` does not import ``filters``)."""
    names = list(filters) or list(measured)
    return "\n".join(f"- **{name}**: {_measurement(measured.get(name, {}))}" for name in names)


def commercial_section(sources: Mapping[str, Mapping[str, Any]]) -> str:
    """Which sources' rows allow commercial use (judged from each license text's ids) and how to
    keep only those rows (by ``provenance.license``)."""
    verdicts = {name: commercial_use(str(info["license"])) for name, info in sources.items()}
    allowed = sorted({str(sources[name]["license"]) for name, verdict in verdicts.items() if verdict == "allowed"})
    excluded = sorted(name for name, verdict in verdicts.items() if verdict == "not_allowed")
    unclear = sorted(name for name, verdict in verdicts.items() if verdict == "unclear")
    if not allowed:
        return "No source of this build carries a license that clearly allows commercial use."
    if not excluded and not unclear:
        return "Every source of this build carries a license that allows commercial use (see the table above)."
    parts = []
    if excluded:
        parts.append(f"Rows from {', '.join(excluded)} carry licenses that do not allow commercial use.")
    if unclear:
        parts.append(f"Rows from {', '.join(unclear)} carry terms that must be read before any commercial use.")
    return (
        " ".join(parts) + " Keep only rows whose own license allows it, by filtering on `provenance.license`:\n\n"
        "```python\n"
        f"COMMERCIAL = {{{', '.join(repr(name) for name in allowed)}}}\n"
        'ds = ds.filter(lambda row: row["provenance"]["license"] in COMMERCIAL)\n'
        "```"
    )


def composition_note(policy: Mapping[str, Any] | None) -> str:
    """Which policy chose the training rows (``build --target-size``), or that every row was kept."""
    if not policy:
        return "Every training row the filters kept is here (no `--target-size` composition policy)."
    shares = f", every language between {policy['min_share']:.0%} and {policy['max_share']:.0%} of the rows"
    own = (
        "; per language: "
        + ", ".join(f"{lang} {bounds}" for lang, bounds in sorted(policy.get("languages", {}).items()))
        if policy.get("languages")
        else ""
    )
    weights = (
        "; source weights: "
        + ", ".join(f"{name} {weight:g}" for name, weight in sorted(policy.get("sources", {}).items()))
        if policy.get("sources")
        else ""
    )
    return (
        f"Training rows were chosen by the composition policy `--target-size {policy['target_size']}"
        f" --balance {policy['balance']}` (a row repeated at most {policy['max_repeats']} times, seed"
        f" {policy['seed']}{shares}{own}{weights}); `build_report.json` → `composition` has rows available"
        " and chosen per language, source and task."
    )


def origins_section(origins: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """MMed-IFT: per language, where the knowledge rows came from (source, rows, license, address)."""
    if not origins:
        return ""
    lines = ["Where the knowledge came from:", "", "| language | source | rows | kinds | license | address |",
             "|---|---|---:|---|---|---|"]  # fmt: skip
    for lang, entries in sorted(origins.items()):
        for entry in entries:
            kinds = ", ".join(entry.get("kinds", []))
            lines.append(
                f"| {lang} | {entry.get('title') or entry['source']} (`{entry['source']}`) | {entry['rows']} | {kinds}"
                f" | {entry.get('license', '')} | {entry.get('url', '')} |"
            )
    return "\n".join(lines)
