"""LLM generation (``--generator openai``) as a ``map_batches`` body, after template generation.

Each batch runs :func:`~mmed_ift.generate.llm.generate_with_client` over its items with a client
from :func:`~mmed_ift.pipeline.distributed.llm_gateway.gateway_client`: the request cache, the request slots
(``--concurrency``), the RPM/TPM limits and the ``--max-requests`` budget are the gateway actor's,
so they hold cluster-wide.  A batch holds whole items, so the translations of an item's English
samples (template and generated) are made in the batch that generated them.

The generated samples join their item's ``samples``; nothing else in the row changes, so the
report counts and the writer work as for the template generator.  What the driver needs beside
them travels in one extra column, ``llm``, set on the first row of each batch (empty elsewhere):
the batch's :class:`~mmed_ift.generate.client.UsageStats`, its rejects, each with the key that
puts it where the local build has it, and the first ``seq`` of each split among the items with
English MMed-IFT template samples.  :func:`collect_llm` sums and orders them on the driver.

Where the local build has a reject (see ``generate_with_client``): all first-phase outcomes in
item order, then the judge's refusals of first-phase samples, then the translations' outcomes
(template samples first, by the order in which their split first appears, then item order; then
generated samples, in item order), then the judge's refusals of translations.  The key of a
reject is ``(phase, judged, group, split rank, seq, index in the batch)``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from mmed_ift.errors import BuildError
from mmed_ift.generate.client import LLMSetupError
from mmed_ift.generate.llm import (
    LLMConfig,
    Phase,
    first_phase_jobs,
    generate_with_client,
    run_coroutine,
    translate_targets,
)
from mmed_ift.generate.tasks import english_ift_samples
from mmed_ift.generate.usage import UsageStats
from mmed_ift.pipeline.distributed.llm_gateway import gateway_client
from mmed_ift.pipeline.distributed.rows import (
    ITEM_SCHEMA,
    KEPT,
    item_from_json,
    reject_from_json,
    reject_to_json,
    to_table,
)
from mmed_ift.schemas import Reject, Sample

#: the item rows after the LLM stage: one more column for the batch's stats and rejects
LLM_SCHEMA = ITEM_SCHEMA.append(pa.field("llm", pa.string()))
#: items per LLM batch: enough jobs to keep ``--concurrency`` requests busy within a batch
LLM_BATCH_ROWS = 256


def _owner_keys(phase: Phase, owners: Sequence[int], keys: Sequence[tuple[int, str]], number: int) -> list[list[Any]]:
    """Sort keys of a phase's rejects (``keys[i]``: (group, split) of job i's item row)."""
    found: list[list[Any]] = []
    extras = 0
    for index, outcome in enumerate(phase.outcomes):
        if outcome.reject is None:
            continue
        if index < len(phase.jobs):
            group, split = keys[index]
            found.append([number, 0, group, split, owners[index], index, reject_to_json(outcome.reject)])
        else:
            owner = phase.judge_owners[index - len(phase.jobs)]
            group, split = keys[owner]
            found.append([number, 1, group, split, owners[owner], extras, reject_to_json(outcome.reject)])
            extras += 1
    return found


def llm_batch(batch: pa.Table, config: LLMConfig, languages: list[str], gateway: Any) -> pa.Table:
    """``map_batches`` body: LLM samples into the rows of their items; stats and rejects in ``llm``."""
    rows = batch.to_pylist()
    for row in rows:
        row["llm"] = ""
    # Items that reached generation (kept, or refused by the template): the local build's input.
    order = sorted(
        (index for index, row in enumerate(rows) if row["status"] == KEPT or row["stage"] == "generate"),
        key=lambda index: rows[index]["seq"],
    )
    if not order:
        return to_table(rows, LLM_SCHEMA)
    items = [item_from_json(rows[index]["kind"], rows[index]["item"]) for index in order]
    template: list[Sample] = []
    template_owner: list[int] = []
    split_first: dict[str, int] = {}
    for index in order:
        if rows[index]["status"] != KEPT or not rows[index]["samples"]:
            continue
        for payload in json.loads(rows[index]["samples"]):
            sample = Sample.model_validate(payload)
            template.append(sample)
            template_owner.append(index)
            if sample.lang == "en" and sample.dataset == "ift":
                split = rows[index]["split"]
                split_first[split] = min(split_first.get(split, rows[index]["seq"]), rows[index]["seq"])

    stats = UsageStats()
    started = time.time()

    async def run() -> tuple[Phase, Phase]:
        client = gateway_client(config.client_settings(), gateway, stats)
        try:
            return await generate_with_client(items, template, config, languages, client)
        finally:
            await client.aclose()

    try:
        first, second = run_coroutine(run)
    except LLMSetupError as error:
        # Wrong key, model or URL: the driver stops the build with this message (an exception
        # would reach it wrapped in Ray's, with a worker's traceback).
        rows[order[0]]["llm"] = json.dumps({"setup_error": str(error)}, ensure_ascii=False)
        return to_table(rows, LLM_SCHEMA)
    ended = time.time()

    # Which row each job belongs to: first-phase jobs come item by item ...
    first_owner: list[int] = []
    for index, item in zip(order, items, strict=True):
        first_owner += [index] * len(first_phase_jobs([item], config))
    assert len(first_owner) == len(first.jobs)
    # ... translations sample by sample (template samples, then first-phase samples), target by target.
    generated_owner = [first_owner[i] for i, outcome in enumerate(first.outcomes[: len(first.jobs)])
                       for _ in outcome.samples]  # fmt: skip
    sources = [*zip(template, template_owner, [0] * len(template), strict=True),
               *zip(first.samples, generated_owner, [1] * len(generated_owner), strict=True)]  # fmt: skip
    english = {id(sample) for sample in english_ift_samples([sample for sample, _, _ in sources])}
    targets = len(translate_targets(config, languages)) if second.jobs else 0
    second_owner: list[int] = []
    second_keys: list[tuple[int, str]] = []
    for sample, owner, group in sources:
        if id(sample) in english:
            second_owner += [owner] * targets
            second_keys += [(group, rows[owner]["split"] if group == 0 else "")] * targets
    assert len(second_owner) == len(second.jobs)

    for phase, owners in ((first, first_owner), (second, second_owner)):
        extra: dict[int, list[dict[str, Any]]] = {}
        for job_index, outcome in enumerate(phase.outcomes[: len(phase.jobs)]):
            extra.setdefault(owners[job_index], []).extend(sample.to_row() for sample in outcome.samples)
        for owner, samples in extra.items():
            if samples:
                existing = json.loads(rows[owner]["samples"]) if rows[owner]["samples"] else []
                rows[owner]["samples"] = json.dumps(existing + samples, ensure_ascii=False)

    seqs = [row["seq"] for row in rows]
    rejects = _owner_keys(first, [seqs[i] for i in first_owner], [(0, "")] * len(first.jobs), 0)
    rejects += _owner_keys(second, [seqs[i] for i in second_owner], second_keys, 1)
    rows[order[0]]["llm"] = json.dumps(
        {"stats": stats.to_dict(), "rejects": rejects, "split_first": split_first, "started": started,
         "ended": ended},
        ensure_ascii=False,
    )  # fmt: skip
    return to_table(rows, LLM_SCHEMA)


def _llm_payloads(batch: pa.Table) -> pa.Table:
    """``map_batches`` body: the non-empty ``llm`` cells."""
    import pyarrow.compute as pc

    return batch.filter(pc.not_equal(batch["llm"], "")).select(["llm"])


@dataclass
class LLMTotals:
    """The LLM stage over the whole build: summed stats, rejects in the local order, wall time."""

    stats: UsageStats = field(default_factory=UsageStats)
    rejects: list[Reject] = field(default_factory=list)
    elapsed_s: float = 0.0


def collect_llm(final: Any) -> LLMTotals:
    """Sum the batches' stats and order their rejects as the local build does; a batch's
    :class:`~mmed_ift.generate.client.LLMSetupError` stops the build as the local build does."""
    payloads = [json.loads(row["llm"]) for row in final.map_batches(_llm_payloads, batch_format="pyarrow").take_all()]
    errors = [payload["setup_error"] for payload in payloads if "setup_error" in payload]
    if errors:
        raise BuildError(errors[0])
    totals = LLMTotals()
    split_first: dict[str, int] = {}
    keyed: list[list[Any]] = []
    for payload in payloads:
        totals.stats.merge(UsageStats.from_dict(payload["stats"]))
        for split, seq in payload["split_first"].items():
            split_first[split] = min(split_first.get(split, seq), seq)
        keyed.extend(payload["rejects"])
    if payloads:
        totals.elapsed_s = max(p["ended"] for p in payloads) - min(p["started"] for p in payloads)
    rank = {split: position for position, split in enumerate(sorted(split_first, key=split_first.__getitem__))}
    keyed.sort(key=lambda key: (key[0], key[1], key[2], rank.get(key[3], -1), key[4], key[5]))
    totals.rejects = [reject_from_json(key[-1]) for key in keyed]
    return totals
