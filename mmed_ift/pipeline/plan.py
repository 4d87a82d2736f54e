"""``build --dry-run`` and ``build --plan``: read and filter as a build would, then count what the
LLM would be sent (``--dry-run``) or what a composition policy selects and leaves to the LLM
(``--plan``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mmed_ift.errors import BuildError
from mmed_ift.generate.llm_config import LLMConfig
from mmed_ift.generate.llm_plan import Plan, plan_requests
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.pipeline.sources import locate_sources, read_sources
from mmed_ift.pipeline.stages import (
    Grouped,
    as_published,
    default_filters,
    generate_samples,
    run_filters,
    template_options,
    template_samples,
)
from mmed_ift.schemas import Item, Sample


def dry_run(config: BuildConfig) -> Plan:
    """The requests, tokens and cost the LLM generator would need for ``config``; none is sent."""
    llm = config.llm_config()
    if llm is None:
        raise BuildError("--dry-run needs --generator openai")
    report = BuildReport()
    located = locate_sources(config, report)
    collected = read_sources(config, located, report)
    steps = default_filters(config, collected.held_out, collected.training)
    items, _rejects = run_filters(steps, collected.training, report, config.progress)
    samples: list[Sample] = []
    for item in items:
        made = template_samples(item, template_options(config))
        if isinstance(made, list):
            samples.extend(made)
    pairs = None
    if config.composition is not None:
        from mmed_ift.compose.apply import available_rows, plan_composition
        from mmed_ift.compose.gapfill import choose_sources, translation_pairs

        grouped = _template_grouped(config, items, report)
        composition = plan_composition(available_rows(grouped), config.languages, config.composition)
        pairs = translation_pairs(choose_sources(grouped, composition.gaps, config.composition.seed))
    plan = plan_requests(items, samples, llm, config.languages, pairs)
    plan.notes.insert(0, f"{len(items)} source items after filters; cache: {llm.cache_path}")
    return plan


def format_plan(plan: Plan) -> str:
    lines = [f"{'task':<12}{'requests':>10}{'cached':>10}{'to send':>10}"]
    for task, total in plan.requests.items():
        cached = plan.cached.get(task, 0)
        lines.append(f"{task:<12}{total:>10}{cached:>10}{total - cached:>10}")
    lines.append(f"{'total':<12}{sum(plan.requests.values()):>10}{sum(plan.cached.values()):>10}{plan.to_send:>10}")
    lines.append(f"\nestimated prompt tokens: {plan.prompt_tokens}")
    lines.append(f"max completion tokens:   {plan.max_completion_tokens}")
    if plan.cost_usd is not None:
        lines.append(f"estimated cost (upper bound): ${plan.cost_usd}")
    lines += [f"note: {note}" for note in plan.notes]
    lines.append("dry run: no request was sent")
    return "\n".join(lines)


#: what a translation request adds to the text it carries (system prompt, instructions, JSON)
TRANSLATE_OVERHEAD_TOKENS = 350
#: what a rationale or knowledge request adds to its source text (system prompt, instructions, schema)
FIRST_PHASE_OVERHEAD_TOKENS = 350
TOKEN_ESTIMATE = (
    "estimated without a tokenizer: one token per CJK character, one per four other characters;"
    f" each translation request adds {TRANSLATE_OVERHEAD_TOKENS} prompt tokens of instructions, each"
    f" rationale or knowledge request {FIRST_PHASE_OVERHEAD_TOKENS}, and a rationale or knowledge reply is"
    " assumed as long as its source text"
)


def composition_plan(config: BuildConfig) -> dict[str, Any]:
    """``build --plan``: what ``--target-size`` selects per language x source x task, what the
    LLM must write to fill each language's shortfall, with requests, tokens and cost.  Reads and
    filters as the build does; sends nothing and writes no dataset."""
    return plan_from_samples(config, filtered_samples(config))


def filtered_samples(config: BuildConfig) -> Grouped:
    """The build's template samples (dataset -> language -> split), read and filtered as a build
    does: the slow part of a plan, kept apart so several policies can be planned on one read."""
    if config.composition is None:
        raise BuildError("--plan needs --target-size N (or --composition FILE)")
    report = BuildReport()
    located = locate_sources(config, report)
    collected = read_sources(config, located, report)
    steps = default_filters(config, collected.held_out, collected.training)
    items, _rejects = run_filters(steps, collected.training, report, config.progress)
    return _template_grouped(config, items, report)


def plan_from_samples(config: BuildConfig, grouped: Grouped) -> dict[str, Any]:
    """The plan of ``config.composition`` over samples from :func:`filtered_samples`."""
    from mmed_ift.compose.apply import available_rows, plan_composition
    from mmed_ift.compose.gapfill import choose_sources, origin_languages
    from mmed_ift.generate.replies import estimate_tokens

    if config.composition is None:
        raise BuildError("--plan needs --target-size N (or --composition FILE)")
    composition = plan_composition(available_rows(grouped), config.languages, config.composition)
    choices = choose_sources(grouped, composition.gaps, config.composition.seed)
    llm = config.llm_config()
    price = (llm.prices or {}).get(llm.model) if llm is not None else None
    gaps = []
    for choice in choices:
        # the rows the build will translate are known: their own text sizes the requests
        sizes = [estimate_tokens("\n".join(m.content for m in sample.messages)) for sample in choice.sources]
        prompt = sum(sizes) + len(sizes) * TRANSLATE_OVERHEAD_TOKENS
        completion = sum(sizes)
        entry = {
            **choice.gap.to_dict(),
            "from_languages": origin_languages(choice),
            "no_source_rows": choice.unsourced,
        }
        gaps.append(_costed(entry, len(choice.sources), prompt, completion, price))
    first = _first_phase_requests(grouped, price)
    plan = composition.to_dict()
    plan["llm_writes_first"] = first
    plan["llm_must_write"] = gaps
    per_language: dict[str, dict[str, int]] = {
        lang: {"available": 0, "selected": 0, "llm": 0} for lang in config.languages
    }
    for key, allocation in composition.groups.items():
        per_language[key[1]]["available"] += allocation.available
        per_language[key[1]]["selected"] += allocation.selected
    for gap_entry in gaps:
        per_language[gap_entry["lang"]]["llm"] += gap_entry["rows"]
    plan["languages"] = per_language
    plan["totals"] = {
        "rows": sum(info["selected"] + info["llm"] for info in per_language.values()),
        "selected": composition.selected,
        "llm_rows": sum(entry["rows"] for entry in gaps),
        "requests": sum(entry["requests"] for entry in [*gaps, *first]),
        "no_source_rows": sum(entry["no_source_rows"] for entry in gaps),
        "prompt_tokens": sum(entry["prompt_tokens"] for entry in [*gaps, *first]),
        "completion_tokens": sum(entry["completion_tokens"] for entry in [*gaps, *first]),
        **({"cost_usd": round(sum(entry["cost_usd"] for entry in [*gaps, *first]), 4)} if price is not None else {}),
    }
    plan["token_estimate"] = TOKEN_ESTIMATE
    plan["cost_note"] = (
        f"prices of {llm.model} from --price-table"
        if llm is not None and price is not None
        else "no cost: give --generator openai --model NAME --price-table FILE"
    )
    plan["notes"] = _llm_notes(llm)
    return plan


def _first_phase_requests(grouped: Grouped, price: dict[str, float] | None) -> list[dict[str, Any]]:
    """Per (dataset, language, task): the requests of the rationale and knowledge tasks, which the
    build sends for every item before the composition (one row each when it succeeds)."""
    from mmed_ift.generate.replies import estimate_tokens
    from mmed_ift.generate.tasks import GENERATOR_NAME

    totals: dict[tuple[str, str, str], list[int]] = {}
    for dataset, by_lang in grouped.items():
        for lang, by_split in by_lang.items():
            for samples in by_split.values():
                for sample in samples:
                    if sample.provenance.generator != GENERATOR_NAME:
                        continue
                    source = estimate_tokens(sample.messages[-1].content)
                    counts = totals.setdefault((dataset, lang, sample.task), [0, 0, 0])
                    counts[0] += 1
                    counts[1] += source + FIRST_PHASE_OVERHEAD_TOKENS
                    counts[2] += source
    found = []
    for (dataset, lang, task), (requests, prompt, completion) in sorted(totals.items()):
        entry: dict[str, Any] = {"dataset": dataset, "lang": lang, "task": task}
        found.append(_costed(entry, requests, prompt, completion, price))
    return found


def _costed(
    entry: dict[str, Any], requests: int, prompt: int, completion: int, price: dict[str, float] | None
) -> dict[str, Any]:
    """``entry`` with its requests, tokens and (with a price) cost in USD."""
    entry.update({"requests": requests, "prompt_tokens": prompt, "completion_tokens": completion})
    if price is not None:
        usd = prompt * price.get("prompt", 0.0) + completion * price.get("completion", 0.0)
        entry["cost_usd"] = round(usd / 1e6, 4)
    return entry


def _llm_notes(llm: LLMConfig | None) -> list[str]:
    """What the numbers above do not cover for this LLM configuration."""
    if llm is None or "translate" not in llm.tasks:
        return ["nothing is translated without --generator openai and its translate task: the LLM rows stay unfilled"]
    extra = sorted({"rationale", "knowledge"} & set(llm.tasks))
    if not extra:
        return []
    return [
        f"the rows the {' and '.join(extra)} task(s) write before the composition are counted as available"
        " as if every request succeeds; a reply the checks or the judge reject is one row fewer in its group,"
        " which the build's report counts (composition and rejects)"
    ]


def _template_grouped(config: BuildConfig, items: list[Item], report: BuildReport) -> Grouped:
    """The rows the build will compose, grouped as published: the template samples, plus the rows
    the LLM's rationale and knowledge tasks write before the composition, each with the id, task
    and split it will have (:func:`~mmed_ift.generate.tasks.planned_sample`; the source text sizes
    it) — so the plan selects the build's rows as long as every such request succeeds.
    Translations are the composition's gaps and come after it."""
    from mmed_ift.generate.llm import iter_first_phase_jobs
    from mmed_ift.generate.tasks import planned_sample

    template_only = replace(config, generator="template", llm=None)
    grouped = generate_samples(items, report, config.progress, template_only)[0]
    llm = config.llm_config()
    if llm is not None:
        for job in iter_first_phase_jobs(items, llm):
            sample = planned_sample(job, llm.model)
            grouped[sample.dataset][sample.lang][sample.provenance.split].append(sample)
    return as_published(grouped)


def format_composition_plan(plan: dict[str, Any]) -> str:
    """The plan as text tables: per language, then per group, then what the LLM must write."""
    total = plan["totals"]["rows"] or 1
    lines = [f"{'language':<10}{'available':>11}{'selected':>10}{'llm':>9}{'rows':>9}{'share':>8}"]
    for lang, info in plan["languages"].items():
        rows = info["selected"] + info["llm"]
        lines.append(
            f"{lang:<10}{info['available']:>11}{info['selected']:>10}{info['llm']:>9}{rows:>9}{rows / total:>8.1%}"
        )
    lines.append(f"\n{'dataset':<13}{'lang':<6}{'source':<18}{'task':<22}{'available':>10}{'selected':>10}")
    for group in plan["groups"]:
        lines.append(
            f"{group['dataset']:<13}{group['lang']:<6}{group['source']:<18}{group['task']:<22}"
            f"{group['available']:>10}{group['selected']:>10}"
        )
    if plan.get("llm_writes_first"):
        header = f"{'LLM writes first (before composing)':<40}{'':>8}{'requests':>10}{'in tokens':>12}"
        lines.append(f"\n{header}{'out tokens':>12}")
        for entry in plan["llm_writes_first"]:
            what = f"{entry['dataset']} {entry['lang']} {entry['task']}"
            lines.append(
                f"{what:<40}{'':>8}{entry['requests']:>10}{entry['prompt_tokens']:>12}{entry['completion_tokens']:>12}"
            )
    if plan["llm_must_write"]:
        lines.append(f"\n{'LLM must write':<40}{'rows':>8}{'requests':>10}{'in tokens':>12}{'out tokens':>12}")
        for gap in plan["llm_must_write"]:
            what = f"{gap['dataset']} {gap['lang']} {gap['task']} ({gap['generate']})"
            lines.append(
                f"{what:<40}{gap['rows']:>8}{gap['requests']:>10}{gap['prompt_tokens']:>12}{gap['completion_tokens']:>12}"
            )
    totals = plan["totals"]
    lines.append(
        f"\ntotal rows {totals['rows']} (selected {totals['selected']}, LLM {totals['llm_rows']});"
        f" requests {totals['requests']}; tokens in {totals['prompt_tokens']}, out {totals['completion_tokens']}"
    )
    if totals.get("no_source_rows"):
        lines.append(
            f"{totals['no_source_rows']} of the LLM rows have no distinct source row left to translate"
            " (each item goes at most once into a language): they will stay unfilled"
        )
    lines.append(f"cost: ${totals['cost_usd']}" if "cost_usd" in totals else f"cost: {plan['cost_note']}")
    lines.append(f"note: tokens {plan['token_estimate']}")
    lines += [f"note: {note}" for note in plan.get("notes", [])]
    return "\n".join(lines)
