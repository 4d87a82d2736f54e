"""Samples kept as Arrow rows (the local engine's store) are written as the same bytes as models."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mmed_ift.generate import template
from mmed_ift.hub.layout import SAMPLE_FEATURES, published_splits, shard_paths
from mmed_ift.pipeline.local import write_dataset_folder
from mmed_ift.pipeline.sample_store import SampleStore
from mmed_ift.schemas import QAPair, Sample


def samples() -> list[tuple[Sample, str]]:
    """QA samples in en (train + validation) and fr (train only: its validation joins train),
    with two samples sharing an id (a tie the sort must keep in order)."""
    made: list[tuple[Sample, str]] = []
    for lang, splits in (("en", ("train", "validation")), ("fr", ("train",))):
        for split in splits:
            for index in range(17):
                question, answer = f"Question {index} {lang}?", f"Answer {index}."
                item = QAPair(source="medquad", source_id=f"{split}{index}", lang=lang, split=split,
                              question=question, answer=answer, license="CC-BY-4.0")  # fmt: skip
                made += [(sample, split) for sample in template.generate(item)]
    first, split = made[0]
    twin = first.model_copy(update={"task": "qa_twin"})
    made.insert(5, (twin, split))
    return made


def written_as_models(folder: Path, made: list[tuple[Sample, str]], max_rows: int) -> dict[str, dict[str, int]]:
    """The writer as it was before the store: models merged per published split, sorted by id
    with Python's stable sort, one ``from_pylist`` table per shard."""
    grouped: dict[str, dict[str, list[Sample]]] = {}
    for sample, split in made:
        grouped.setdefault(sample.lang, {}).setdefault(split, []).append(sample)
    target = published_splits({lang: {s: len(rows) for s, rows in by.items()} for lang, by in grouped.items()})
    counts: dict[str, dict[str, int]] = {}
    for lang in sorted(grouped):
        merged: dict[str, list[Sample]] = {}
        for split in ("train", "validation"):
            merged.setdefault(target.get((lang, split), split), []).extend(grouped[lang].get(split, []))
        for split, rows in merged.items():
            if not rows:
                continue
            ordered = [sample.to_row() for sample in sorted(rows, key=lambda sample: sample.id)]
            for index, relative in enumerate(shard_paths(lang, split, len(ordered), max_rows)):
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                chunk = ordered[index * max_rows : (index + 1) * max_rows]
                table = pa.Table.from_pylist(chunk, schema=SAMPLE_FEATURES.arrow_schema)
                pq.write_table(table, folder / relative, compression="zstd")
            counts.setdefault(lang, {})[split] = len(ordered)
    return counts


def test_store_writes_the_bytes_the_models_would(tmp_path: Path) -> None:
    made = samples()
    expected = written_as_models(tmp_path / "models", made, max_rows=7)
    store = SampleStore(batch_rows=3)  # many small record batches per group
    for sample, split in made:
        store.add(sample, split)
    counts = write_dataset_folder(tmp_path / "store", store, "ift", max_rows=7)
    assert counts == expected == {"en": {"train": 35}, "fr": {"train": 17}}  # en validation joins train
    files = sorted(path.relative_to(tmp_path / "models") for path in (tmp_path / "models").rglob("*.parquet"))
    assert len(files) == 5 + 3
    assert files == sorted(path.relative_to(tmp_path / "store") for path in (tmp_path / "store").rglob("*.parquet"))
    for relative in files:
        assert (tmp_path / "store" / relative).read_bytes() == (tmp_path / "models" / relative).read_bytes()
    shards = sorted((tmp_path / "store" / "data" / "en").glob("train-*.parquet"))
    assert len(shards) == 5
    rows = [(row["id"], row["task"]) for path in shards for row in pq.read_table(path).to_pylist()]
    twin = rows.index((made[0][0].id, "qa_twin"))
    assert rows[twin - 1] == (made[0][0].id, made[0][0].task)  # the tie keeps the order it was added in


def test_store_counts_what_the_cards_need_and_lets_go_of_written_rows() -> None:
    made = samples()
    store = SampleStore(batch_rows=4)
    for sample, split in made:
        store.add(sample, split)
    assert store.counts("ift") == {"en": {"train": 18, "validation": 17}, "fr": {"train": 17}}
    assert store.used["ift"] == {"medquad": len(made)}
    assert sum(store.composition["ift"].values()) == len(made)
    assert store.take("ift", "fr", "train").num_rows == 17
    assert store.take("ift", "fr", "train").num_rows == 0  # taken once: the store no longer holds it


def test_a_spilled_store_writes_the_same_bytes(tmp_path: Path) -> None:
    """Record batches spilled to IPC files and read back at the write: the same files as in memory,
    and each group's spill file is gone once the group is taken."""
    made = samples()
    spill = tmp_path / "spill"
    spill.mkdir()
    kept, spilled = SampleStore(batch_rows=3), SampleStore(batch_rows=3, spill_dir=spill)
    for store in (kept, spilled):
        for sample, split in made:
            store.add(sample, split)
    assert sorted(path.suffix for path in spill.iterdir()) == [".arrows"] * 3  # en train, en validation, fr train
    expected = write_dataset_folder(tmp_path / "kept", kept, "ift", max_rows=7)
    assert write_dataset_folder(tmp_path / "spilled", spilled, "ift", max_rows=7) == expected
    spilled.close()
    assert list(spill.iterdir()) == []
    files = sorted(path.relative_to(tmp_path / "kept") for path in (tmp_path / "kept").rglob("*.parquet"))
    assert len(files) == 8
    for relative in files:
        assert (tmp_path / "spilled" / relative).read_bytes() == (tmp_path / "kept" / relative).read_bytes()
