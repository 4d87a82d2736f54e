"""``build --dry-run``: read and filter as a build would, then count what the LLM would be sent."""

from __future__ import annotations

from mmed_ift.errors import BuildError
from mmed_ift.generate.llm_plan import Plan, plan_requests
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.pipeline.sources import locate_sources, read_sources
from mmed_ift.pipeline.stages import default_filters, run_filters, template_options, template_samples
from mmed_ift.schemas import Sample


def dry_run(config: BuildConfig) -> Plan:
    """The requests, tokens and cost the LLM generator would need for ``config``; none is sent."""
    llm = config.llm_config()
    if llm is None:
        raise BuildError("--dry-run needs --generator openai")
    report = BuildReport()
    located = locate_sources(config, report)
    collected = read_sources(config, located, report)
    steps = default_filters(config, collected.held_out)
    items, _rejects = run_filters(steps, collected.training, report, config.progress)
    samples: list[Sample] = []
    for item in items:
        made = template_samples(item, template_options(config))
        if isinstance(made, list):
            samples.extend(made)
    plan = plan_requests(items, samples, llm, config.languages)
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
