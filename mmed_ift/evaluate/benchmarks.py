"""Which items each benchmark evaluates, read through the source adapters.

A benchmark is a source adapter plus a selection: the split(s) the literature reports on and,
for sources that mix several tasks, a filter (MedQA's US questions, RuMedBench's RuMedDaNet).
Reading goes through the same adapters as a build, so an evaluation sees exactly the records a
build holds out, parsed by the same code.  Items of the other splits of the same source are
kept apart as the few-shot pool, so a shot is never a test question.

Where the data comes from, per benchmark:

* ``--data DIR``: ``DIR/<source>/`` (the layout of ``build --sources``), default the bundled
  samples;
* ``name=PATH`` in ``--benchmarks``: that folder;
* ``name=OWNER/DATASET``: a Hub dataset; the adapter's ``read_hub`` when it has one, otherwise a
  ``snapshot_download`` of the files the adapter can parse.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mmed_ift.evaluate.catalog import BENCHMARKS, Benchmark
from mmed_ift.evaluate.errors import BenchmarkNotFoundError
from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.base import ReadResult, SourceAdapter

log = logging.getLogger(__name__)

#: ``owner/name``: what a location that is not an existing folder must look like to be a Hub id
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass
class LoadedBenchmark:
    """The evaluated items of one benchmark and the few-shot pool from its other splits."""

    benchmark: Benchmark
    location: str
    items: list[MCQuestion] = field(default_factory=list)
    pool: list[MCQuestion] = field(default_factory=list)
    rejected: int = 0

    @property
    def languages(self) -> list[str]:
        return sorted({item.lang for item in self.items})


def get_benchmark(name: str) -> Benchmark:
    try:
        return BENCHMARKS[name]
    except KeyError:
        raise BenchmarkNotFoundError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}") from None


def parse_benchmark_list(text: str) -> list[tuple[str, str | None]]:
    """``"medqa,mmedbench=Henrychur/MMedBench"`` -> ``[("medqa", None), ("mmedbench", "Henrychur/MMedBench")]``."""
    entries: list[tuple[str, str | None]] = []
    for piece in text.split(","):
        if not piece.strip():
            continue
        name, _, location = piece.partition("=")
        get_benchmark(name.strip())
        entries.append((name.strip(), location.strip() or None))
    if not entries:
        raise BenchmarkNotFoundError("no benchmark named; pass e.g. --benchmarks medqa,mmedbench")
    return entries


def _select(
    benchmark: Benchmark, adapter: SourceAdapter, results: Iterable[ReadResult], location: str
) -> LoadedBenchmark:
    loaded = LoadedBenchmark(benchmark, location)
    for result in results:
        if isinstance(result, Reject):
            loaded.rejected += 1
            continue
        if not isinstance(result, MCQuestion):
            continue
        if not benchmark.keep(result):
            continue
        if benchmark.splits is None or result.split in benchmark.splits:
            loaded.items.append(result)
        elif result.split not in adapter.spec.eval_splits:
            loaded.pool.append(result)
    return loaded


def _hub_results(adapter: SourceAdapter, repo_id: str) -> Iterator[ReadResult]:
    """The adapter's own Hub reader, or a download of the upstream files it can parse."""
    read_hub = getattr(adapter, "read_hub", None)
    if callable(read_hub):
        yield from read_hub(repo_id)
        return
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    patterns = [pattern.removeprefix("**/") for pattern in adapter.spec.expected_files]
    try:
        folder = snapshot_download(
            repo_id=repo_id, repo_type="dataset", allow_patterns=sorted({*patterns, *(f"**/{p}" for p in patterns)})
        )
    except OfflineModeIsEnabled:
        raise BenchmarkNotFoundError(
            f"{adapter.spec.name}: HF_HUB_OFFLINE is set, cannot download {repo_id}; point at local files"
        ) from None
    except (HfHubHTTPError, OSError) as error:
        raise BenchmarkNotFoundError(
            f"{adapter.spec.name}: {repo_id} is no local folder and could not be downloaded from the Hub: {error}"
        ) from None
    yield from adapter.read(Path(folder))


def load_benchmark(name: str, location: str | Path | None = None, data_dir: Path | None = None) -> LoadedBenchmark:
    """Read one benchmark from a folder, a Hub id, ``data_dir/<source>`` or the bundled samples."""
    benchmark = get_benchmark(name)
    adapter = get_source(benchmark.source)
    if location is not None and not Path(location).exists() and HUB_ID.match(str(location)):
        shown = f"hub:{location}"
        try:
            results: Iterable[ReadResult] = list(_hub_results(adapter, str(location)))
        except BenchmarkNotFoundError:
            raise
        except Exception as error:  # datasets/huggingface_hub raise many types; keep their message
            raise BenchmarkNotFoundError(
                f"{name}: {location} is no local folder and could not be read from the Hub: {error}"
            ) from None
    else:
        folder = Path(location) if location is not None else (data_dir or bundled_samples_root()) / benchmark.source
        if not folder.is_dir():
            raise BenchmarkNotFoundError(
                f"{name}: folder {folder} does not exist; put the {benchmark.source} files there"
                f" (expected {list(adapter.spec.expected_files)})"
            )
        shown = str(folder)
        try:
            results = list(adapter.read(folder))
        except BenchmarkNotFoundError:
            raise
        except Exception as error:  # SourceNotFoundError and friends: keep the adapter's message
            raise BenchmarkNotFoundError(f"{name}: {error}") from None
    loaded = _select(benchmark, adapter, results, shown)
    log.info("%s: %d items, %d in the few-shot pool, from %s", name, len(loaded.items), len(loaded.pool), shown)
    return loaded


def restrict(loaded: LoadedBenchmark, languages: Iterable[str] | None, limit: int | None) -> LoadedBenchmark:
    """Keep the asked languages and at most ``limit`` items per language (the first ones, in read order)."""
    wanted = set(languages) if languages else None
    kept: list[MCQuestion] = []
    per_lang: dict[str, int] = {}
    for item in loaded.items:
        if wanted is not None and item.lang not in wanted:
            continue
        if limit is not None and per_lang.get(item.lang, 0) >= limit:
            continue
        per_lang[item.lang] = per_lang.get(item.lang, 0) + 1
        kept.append(item)
    pool = [item for item in loaded.pool if wanted is None or item.lang in wanted]
    return LoadedBenchmark(loaded.benchmark, loaded.location, kept, pool, loaded.rejected)
