"""The pieces of the Ray engine that carry a local rule over, checked against the local code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmed_ift.generate import template
from mmed_ift.hub.layout import write_parquet_shards
from mmed_ift.pipeline.distributed.rows import item_from_json, item_to_json
from mmed_ift.pipeline.distributed.write import write_sorted
from mmed_ift.schemas import MCQuestion, Passage, QAPair
from mmed_ift.text.minhash import LSHParams, Signatures, band_keys, candidate_pairs, pairs_in_runs


def _signatures(count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    signature = rng.integers(0, 50, size=(count, 128), dtype=np.uint64).astype(np.uint32)
    signature[10:50] = signature[10]  # one bucket of 40 (> MAX_BUCKET_ALL_PAIRS): star + chain
    signature[60:63] = signature[60]
    signature[70, :] = signature[71, :]
    signature[80, :14] = signature[81, :14]  # shares only the first band
    return signature


@pytest.mark.parametrize("seed", [0, 1])
def test_partition_pairs_equal_local_candidate_pairs(seed: int) -> None:
    """Band rows split over partitions by key give exactly the local candidate pairs."""
    signature = Signatures(_signatures(200, seed), 128, 1)
    params = LSHParams.for_threshold(0.6)
    expected = candidate_pairs(signature, params)
    seqs = np.arange(200, dtype=np.int64) * 7 + 3  # any increasing numbering of the records
    bands, keys, owners = [], [], []
    for band, values in enumerate(band_keys(signature, params)):
        bands.append(np.full(200, band, dtype=np.int32))
        keys.append(values)
        owners.append(seqs)
    band, key, seq = np.concatenate(bands), np.concatenate(keys), np.concatenate(owners)
    found = [pairs_in_runs([band[key % 3 == part], key[key % 3 == part]], seq[key % 3 == part]) for part in range(3)]
    merged = np.unique(np.concatenate(found), axis=0)
    assert len(expected) > 40
    assert merged.tolist() == (seqs[expected]).tolist()


def test_item_rows_round_trip_every_kind() -> None:
    items = [
        MCQuestion(
            source="medqa",
            source_id="1",
            lang="en",
            split="train",
            question="Q?",
            options={"B": "x", "A": "y"},
            answer=["B"],
            rationale="because",
        ),
        QAPair(source="medquad", source_id="2", lang="en", split="train", question="Q?", answer="A."),
        Passage(source="wikipedia", source_id="3", lang="ja", split="train", title="高血圧", text="本文。"),
    ]
    for item in items:
        assert item_from_json(item.kind, item_to_json(item)) == item


def test_streamed_shards_are_the_local_writer_bytes(tmp_path: Path) -> None:
    import json

    import pyarrow as pa

    items = [
        QAPair(source="medquad", source_id=str(index), lang="en", split="train", question=f"Q{index}?", answer="A.")
        for index in range(25)
    ]
    licensed = [item.model_copy(update={"license": "CC-BY-4.0"}) for item in items]
    samples = [sample for item in licensed for sample in template.generate(item)]
    write_parquet_shards(tmp_path / "local", "en", "train", samples, max_rows=10)
    ordered = sorted(samples, key=lambda sample: sample.id)
    batch = pa.table(
        {
            "dataset": ["ift"] * len(ordered),
            "lang": ["en"] * len(ordered),
            "split": ["train"] * len(ordered),
            "row": [json.dumps(sample.to_row()) for sample in ordered],
        }
    )
    import mmed_ift.pipeline.distributed.write as write

    writer = write.ShardWriter(tmp_path / "ray", {("ift", "en", "train"): len(ordered)}, max_rows=10)
    for row in batch.to_pylist():
        writer.add(("ift", "en", "train"), json.loads(row["row"]))
    writer.close()
    local = sorted((tmp_path / "local").rglob("*.parquet"))
    assert [path.name for path in local] == [f"train-0000{i}-of-00003.parquet" for i in range(3)]
    for path in local:
        assert (tmp_path / "ray" / "MMed-IFT" / path.relative_to(tmp_path / "local")).read_bytes() == path.read_bytes()
    # and write_sorted skips what the local writer does not publish (test split)
    write_sorted(tmp_path / "skip", [batch.set_column(2, "split", pa.array(["test"] * len(ordered)))], {})
    assert not list((tmp_path / "skip").rglob("*.parquet"))
