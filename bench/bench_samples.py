"""Template samples as validated models or as rows built without them (issue 17, part 3).

    python bench/bench_samples.py [--n 20000] [--repeats 3]

Reads the ``bench_build`` corpus, then turns every item into its published rows two ways,
interleaved, and prints the median CPU of each: the models path (``template_samples``: validated
``Sample``, ``Message`` and ``Provenance`` models, then ``Sample.to_row``), which the LLM
generator and the composition use, and the rows path (``template_rows``: the drafts' rows with
the schema's checks made directly), which the local engine uses.  The two must give equal rows
before a time counts.  (``model_construct`` was measured here before: it was no cheaper than
validating, so it is not a variant.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import write_corpus

from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.report import new_report
from mmed_ift.pipeline.sources import locate_sources, read_sources
from mmed_ift.pipeline.stages import template_options, template_rows, template_samples
from mmed_ift.schemas import Item, Reject


def by_models(items: list[Item]) -> list[list[dict[str, Any]] | None]:
    options = template_options(None)
    made = [template_samples(item, options) for item in items]
    return [None if isinstance(samples, Reject) else [sample.to_row() for sample in samples] for samples in made]


def by_rows(items: list[Item]) -> list[list[dict[str, Any]] | None]:
    options = template_options(None)
    return [template_rows(item, options) for item in items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write_corpus(Path(folder), args.n, 0)
        config = BuildConfig(
            languages=("en", "fr", "es"), sources_dir=Path(folder), out_dir=Path(folder) / "out", progress=False
        )
        report = new_report(config.to_dict())
        items = read_sources(config, locate_sources(config, report), report).training
    reference = by_models(items)
    times: dict[str, list[float]] = {"models (validated)": [], "rows (no models)": []}
    variants = dict(zip(times, (by_models, by_rows), strict=True))
    for _ in range(args.repeats):
        for name, make in variants.items():
            start = time.process_time()
            made = make(items)
            times[name].append(time.process_time() - start)
            assert made == reference, name
    samples = sum(len(rows) for rows in reference if rows is not None)
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<20} {median:6.2f} s CPU  {median / samples * 1e6:5.1f} us/sample  ({samples:,} samples)")


if __name__ == "__main__":
    main()
