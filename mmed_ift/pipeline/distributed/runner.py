"""``build --engine ray``: the local build's stages on Ray Data, with the local build's output.

Stages (each a lazy Ray Data operation unless it says otherwise):

1. read: one task per located source (:mod:`~mmed_ift.pipeline.distributed.read`); materialised,
   because the held-out benchmark items, the read rejects and the per-source counts go to the
   driver;
2. the filter chain, in the chain's order, each filter by its shape
   (:mod:`mmed_ift.filters.base`): item filters as ``map_batches``
   (:mod:`~mmed_ift.pipeline.distributed.items`), key-group filters as a partitioned shuffle,
   similarity-graph filters as ``map_batches`` (bucket keys) + a partitioned shuffle (buckets ->
   candidate pairs) + shuffles that verify the pairs, find the connected components and resolve
   them (:mod:`~mmed_ift.pipeline.distributed.near`);
3. template generation as ``map_batches``; with ``--generator openai``, LLM generation as a second
   ``map_batches`` (:mod:`~mmed_ift.pipeline.distributed.llm_generate`) whose cache and limits are
   one gateway actor's (:mod:`~mmed_ift.pipeline.distributed.llm_gateway`); materialised;
4. report counts from one ``groupby().count()``; rejects (few) and filter statistics to the
   driver; samples exploded, sorted by (dataset, lang, split, id) and streamed into the
   Hub-layout parquet shards; cards, rejects and report by :mod:`mmed_ift.pipeline.output`.

Nothing in here decides whether an item is kept: every decision is made by the filters' own
methods, which is why the two engines agree row for row.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from mmed_ift.errors import BuildError
from mmed_ift.filters.base import Filter, FilterStats, ItemFilter, KeyGroupFilter, Rejection
from mmed_ift.filters.graph import GraphStats, SimilarityGraphFilter
from mmed_ift.generate.llm import LLMConfig, usage_details
from mmed_ift.hub.layout import DATASET_FOLDERS
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.distributed.dedup import (
    add_group_partition,
    band_rows,
    pairs_of_partition,
    resolve_group_partition,
)
from mmed_ift.pipeline.distributed.generate import explode_samples, generate_batch
from mmed_ift.pipeline.distributed.items import apply_item_filter
from mmed_ift.pipeline.distributed.llm_gateway import start_gateway_for
from mmed_ift.pipeline.distributed.llm_generate import LLM_BATCH_ROWS, LLMTotals, collect_llm, llm_batch
from mmed_ift.pipeline.distributed.near import near_decisions
from mmed_ift.pipeline.distributed.read import read_batch
from mmed_ift.pipeline.distributed.rows import ITEM_SCHEMA, item_from_json, item_row, reject_from_json, to_table
from mmed_ift.pipeline.distributed.session import cluster_cpus, ensure_ray
from mmed_ift.pipeline.distributed.stats import STAT_COLUMNS, FoundRejection, merge_stats, record_steps, record_training
from mmed_ift.pipeline.distributed.write import (
    GroupKey,
    output_counts,
    retarget_splits,
    split_targets,
    write_on_workers,
    write_sorted,
)
from mmed_ift.pipeline.local import no_training_records
from mmed_ift.pipeline.output import check_output, finished, staged_output, write_cards, write_rejects
from mmed_ift.pipeline.report import BuildReport, BuildResult, new_report
from mmed_ift.pipeline.sources import Role, locate_sources, rationale_index, reading_config, record
from mmed_ift.pipeline.stages import FilterFactory, default_filters, template_options
from mmed_ift.schemas import Item, Reject

#: rows per shuffle partition: large enough that a map_groups call does real vectorised work
ROWS_PER_PARTITION = 200_000


def _partitions(rows: int) -> int:
    return max(1, min(4 * cluster_cpus(), -(-rows // ROWS_PER_PARTITION)))


def _training_rows(batch: pa.Table) -> pa.Table:
    rows = []
    for row in batch.to_pylist():
        if row["role"] == "training":
            payload = json.loads(row["payload"])
            rows.append(item_row(row["seq"], item_from_json(payload["kind"], payload["item"])))
    return to_table(rows, ITEM_SCHEMA)


def _side_rows(batch: pa.Table) -> pa.Table:
    mask = pc.not_equal(batch["role"], "training")
    return batch.filter(mask)


def _versioned_rows(batch: pa.Table) -> pa.Table:
    """Training rows of releases published in several languages: decontamination links an item's
    language versions, so the driver hands them to the filters as the local engine does."""
    from mmed_ift.filters.decontam_xling import FAMILIES

    mask = pc.and_(pc.equal(batch["role"], "training"), pc.is_in(batch["source"], pa.array(sorted(FAMILIES))))
    return batch.filter(mask)


def _versioned_items(rows: list[dict[str, Any]]) -> list[Item]:
    items = []
    for row in sorted(rows, key=lambda row: row["seq"]):
        payload = json.loads(row["payload"])
        items.append(item_from_json(payload["kind"], payload["item"]))
    return items


def _rejected_rows(batch: pa.Table) -> pa.Table:
    return batch.filter(pc.equal(batch["status"], "rejected")).select(["seq", "reject", "evidence"])


def _stats_cells(batch: pa.Table) -> pa.Table:
    return batch.filter(pc.not_equal(batch["filter_stats"], "")).select(["filter_stats"])


def _account_side_rows(side: list[dict[str, Any]], report: BuildReport) -> tuple[list[Item], list[Reject]]:
    """Held-out items, read rejects and other-language counts, in the local engine's order."""
    held_out: list[Item] = []
    rejects: list[Reject] = []
    for row in sorted(side, key=lambda row: row["seq"]):
        if row["role"] == "other_count":
            report.record_other_language(row["source"], int(row["payload"]))
        elif row["role"] == "selection":
            report.selection[row["source"]] = json.loads(row["payload"])
        elif row["role"] == "reject":
            reject = reject_from_json(row["payload"])
            record(report, Role.REJECT, reject, row["source"])
            rejects.append(reject)
        else:
            payload = json.loads(row["payload"])
            item = item_from_json(payload["kind"], payload["item"])
            record(report, Role.HELD_OUT, item, row["source"])
            held_out.append(item)
    return held_out, rejects


def similarity_graph(ds: Any, step: SimilarityGraphFilter, partitions: int) -> tuple[Any, GraphStats]:
    """Bucketing, pairing, edge checks, clusters and survivors, all as Ray Data shuffles."""
    ds = ds.materialize()
    pairs = (
        ds.map_batches(band_rows, batch_format="pyarrow", fn_kwargs={"step": step, "partitions": partitions})
        .groupby("part", num_partitions=partitions)
        .map_groups(pairs_of_partition, batch_format="pyarrow")
        .materialize()
    )
    if not pairs.count():
        return ds, GraphStats()
    return near_decisions(ds, pairs, step, partitions)


def _apply_filters(ds: Any, steps: list[Filter[Any]], rows: int) -> tuple[Any, dict[str, FilterStats]]:
    """The chain on Ray: each filter by its shape, never by its name or class."""
    partitions = _partitions(rows)
    known: dict[str, FilterStats] = {}
    for step in steps:
        if isinstance(step, ItemFilter):
            ds = ds.map_batches(apply_item_filter, batch_format="pyarrow", fn_kwargs={"step": step})
        elif isinstance(step, KeyGroupFilter):
            ds = (
                ds.map_batches(add_group_partition, batch_format="pyarrow",
                               fn_kwargs={"step": step, "partitions": partitions})
                .groupby("part", num_partitions=partitions)
                .map_groups(resolve_group_partition, batch_format="pyarrow", fn_kwargs={"step": step})
            )  # fmt: skip
        elif isinstance(step, SimilarityGraphFilter):
            ds, known[step.name] = similarity_graph(ds, step, partitions)
        else:
            raise BuildError(f"filter step {step.name!r} has none of the shapes in mmed_ift.filters.base")
    return ds, known


def _filtered_rejects(final: Any, steps: list[Filter[Any]]) -> list[FoundRejection]:
    found = final.map_batches(_rejected_rows, batch_format="pyarrow")
    order = {step.name: index for index, step in enumerate(steps)}
    order["generate"] = len(steps)
    by_name = {step.name: step for step in steps}
    rejects = []
    for row in found.take_all():
        reject = reject_from_json(row["reject"])
        step = by_name.get(reject.stage)
        evidence = step.evidence_from_dict(json.loads(row["evidence"])) if step and row["evidence"] else None
        rejects.append(FoundRejection(int(row["seq"]), Rejection(reject, evidence)))  # type: ignore[arg-type]
    return sorted(rejects, key=lambda found: (order[found.rejection.reject.stage], found.seq))


def _write_folders(staging: Path, samples: Any, report: BuildReport, config: BuildConfig, on_workers: bool) -> None:
    """Hub folders (parquet + card) and the per-task counts of the report."""
    grouped = samples.groupby(["dataset", "lang", "split", "task", "source"]).count().take_all()
    counts: Counter[GroupKey] = Counter()
    used: dict[str, Counter[str]] = {dataset: Counter() for dataset in DATASET_FOLDERS}
    composition: dict[str, Counter[tuple[str, str, str]]] = {dataset: Counter() for dataset in DATASET_FOLDERS}
    for row in grouped:
        counts[(row["dataset"], row["lang"], row["split"])] += row["count()"]
        report.tasks[(row["dataset"], row["lang"], row["task"])] += row["count()"]
        report.source_tasks[(row["dataset"], row["lang"], row["source"], row["task"])] += row["count()"]
        used[row["dataset"]][row["source"]] += row["count()"]
        composition[row["dataset"]][(row["lang"], row["task"], row["source"])] += row["count()"]
    targets = split_targets(counts)
    published: Counter[GroupKey] = Counter()
    for key, rows in counts.items():
        published[(key[0], key[1], targets.get(key, key[2]))] += rows
    counts = published
    samples = samples.map_batches(retarget_splits, batch_format="pyarrow", fn_kwargs={"targets": targets})
    ordered = samples.sort(["dataset", "lang", "split", "id", "seq", "pos"])
    if on_workers:
        write_on_workers(staging, ordered.materialize(), counts)
    else:
        write_sorted(staging, ordered.iter_batches(batch_format="pyarrow", batch_size=10_000), counts)
    write_cards(staging, output_counts(counts), used, report, config, composition)


def _generate_llm(
    generated: Any, llm: LLMConfig, languages: list[str], batch_rows: int, rows: int
) -> tuple[Any, LLMTotals]:
    """The LLM stage: one gateway actor for the build (cache, slots, limits, budget), batches of
    ``batch_rows`` items on the workers; the materialised rows and the summed stats and rejects.

    The rows are first spread over enough blocks for every CPU to run batches (after a shuffle a
    small build sits in one block, which one task would work through batch after batch).
    """
    import ray

    assert llm.cache_path
    gateway = start_gateway_for(llm.client_settings(), llm.cache_path, name=f"mmed_ift_llm_gateway-{uuid.uuid4().hex}")
    try:
        blocks = max(1, min(4 * cluster_cpus(), -(-rows // batch_rows)))
        final = (
            generated.repartition(blocks)
            .map_batches(
                llm_batch,  # type: ignore[arg-type]
                batch_size=batch_rows,
                batch_format="pyarrow",
                fn_kwargs={"config": llm, "languages": languages, "gateway": gateway},
            )
            .materialize()
        )
        totals = collect_llm(final)
        # requests in flight at once, cluster-wide (each batch only sees its own)
        totals.stats.max_in_flight = int(ray.get(gateway.stats.remote())["max_in_flight"])
    finally:
        ray.kill(gateway)
    return final, totals


def run_ray_build(
    config: BuildConfig,
    ray_address: str | None = None,
    num_cpus: int | None = None,
    filters: FilterFactory = default_filters,
    write_on_workers: bool | None = None,
    llm_batch_rows: int = LLM_BATCH_ROWS,
) -> BuildResult:
    """The build of :func:`mmed_ift.pipeline.build` on Ray (a local instance, or the cluster at
    ``ray_address``); same folders, report counts and rejects.

    ``write_on_workers``: parquet shards written by Ray tasks in parallel (the output folder must
    be visible to every node) instead of streamed through the driver; default: on for a local
    instance, off for a cluster.

    With ``--generator openai`` (``config.llm``) the LLM samples are generated in batches of
    ``llm_batch_rows`` items, with the request cache and limits of one gateway actor.
    """
    on_workers = ray_address is None if write_on_workers is None else write_on_workers
    import ray.data

    check_output(config)
    llm = config.llm_config()
    ensure_ray(ray_address, num_cpus, config.progress)
    report = new_report(config.to_dict())
    with report.timed("read"):
        located = locate_sources(config, report)
        tasks = [{"name": adapter.spec.name, "folder": str(folder), "index": index}
                 for index, (adapter, folder) in enumerate(located)]  # fmt: skip
        read: Any = (
            ray.data.from_items(tasks, override_num_blocks=len(tasks))
            .map_batches(
                read_batch,  # type: ignore[arg-type]
                batch_size=1,
                batch_format="pyarrow",
                fn_kwargs={
                    "config": reading_config(config, located),
                    "rationales": rationale_index(config, located),
                },
            )
            .materialize()
        )
        side = read.map_batches(_side_rows, batch_format="pyarrow").take_all()
        held_out, read_rejects = _account_side_rows(side, report)
        versioned = _versioned_items(read.map_batches(_versioned_rows, batch_format="pyarrow").take_all())
        training = read.map_batches(_training_rows, batch_format="pyarrow").materialize()
        del read  # each materialised stage is released as soon as the next one exists
        rows = training.count()
    if not rows:
        raise no_training_records(config, [adapter.spec.name for adapter, _ in located])
    steps = filters(config, held_out, versioned)
    with report.timed("filters+generate"):
        filtered, known = _apply_filters(training, steps, rows)
        del training
        generated = filtered.map_batches(
            generate_batch, batch_format="pyarrow", fn_kwargs={"options": template_options(config)}
        )
        llm_totals = None
        if llm is None:
            final = generated.materialize()
        else:
            final, llm_totals = _generate_llm(generated, llm, list(config.languages), llm_batch_rows, rows)
        stats = final.groupby(STAT_COLUMNS).count().take_all()
        found = _filtered_rejects(final, steps)
        cells = [row["filter_stats"] for row in final.map_batches(_stats_cells, batch_format="pyarrow").take_all()]
    record_training(report, stats)
    record_steps(report, steps, stats, found, merge_stats(steps, cells, known))
    rejects = read_rejects + [found_reject.rejection.reject for found_reject in found]
    if llm is not None and llm_totals is not None:
        generate = report.step("generate")
        for reject in llm_totals.rejects:
            generate.rejected[reject.reason] += 1
        generate.extra["openai"] = usage_details(llm_totals.stats, llm, llm_totals.elapsed_s)
        rejects += llm_totals.rejects

    with staged_output(config, report) as staging, report.timed("write"):
        samples = final.map_batches(explode_samples, batch_format="pyarrow").materialize()
        del final, filtered
        _write_folders(staging, samples, report, config, on_workers)
        write_rejects(staging, rejects)
    return finished(config, report, rejects)
