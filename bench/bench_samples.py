"""What building template samples without re-validating them would save (issue 17, part 3).

    python bench/bench_samples.py [--n 20000] [--repeats 3]

Reads the ``bench_build`` corpus, then makes every item's template samples three ways,
interleaved, and prints the median CPU of each: the template generator as it is (validated
``Sample(...)``, ``Message(...)``, ``Provenance(...)``), one ``Sample.model_validate`` of plain
dicts, and pydantic's ``model_construct`` (no validation).  Each variant's samples are checked
equal to the generator's, field by field and as JSON, before its time counts.
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

from mmed_ift.generate import template
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.report import new_report
from mmed_ift.pipeline.sources import locate_sources, read_sources
from mmed_ift.schemas import Item, Message, Provenance, Sample, stable_id


def _provenance(item: Item) -> dict[str, Any]:
    return {
        "source": item.source,
        "source_id": item.source_id,
        "split": item.split,
        "license": item.license,
        "generator": template.GENERATOR_NAME,
        "model": None,
        "prompt_version": template.PROMPT_VERSION,
    }


def one_validation(item: Item, task: str, user: str, assistant: str, dataset: str) -> Sample:
    return Sample.model_validate(
        {
            "id": stable_id(item.source, item.source_id, task),
            "lang": item.lang,
            "dataset": dataset,
            "task": task,
            "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}],
            "provenance": _provenance(item),
        }
    )


def constructed(item: Item, task: str, user: str, assistant: str, dataset: str) -> Sample:
    return Sample.model_construct(
        id=stable_id(item.source, item.source_id, task),
        lang=item.lang,
        dataset=dataset,  # type: ignore[arg-type]
        task=task,
        messages=[
            Message.model_construct(role="user", content=user),
            Message.model_construct(role="assistant", content=assistant),
        ],
        provenance=Provenance.model_construct(**_provenance(item)),
    )


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
    validated = template._sample
    reference = [template.generate(item) for item in items]
    reference_json = [sample.model_dump_json() for samples in reference for sample in samples]
    times: dict[str, list[float]] = {"validated (as is)": [], "one model_validate": [], "model_construct": []}
    variants = dict(zip(times, (validated, one_validation, constructed), strict=True))
    try:
        for _ in range(args.repeats):
            for name, make in variants.items():
                template._sample = make  # type: ignore[assignment]
                start = time.process_time()
                made = [template.generate(item) for item in items]
                times[name].append(time.process_time() - start)
                assert made == reference
                assert [sample.model_dump_json() for samples in made for sample in samples] == reference_json
    finally:
        template._sample = validated  # type: ignore[assignment]
    samples = len(reference_json)
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<20} {median:6.2f} s CPU  {median / samples * 1e6:5.1f} us/sample  ({samples:,} samples)")


if __name__ == "__main__":
    main()
