"""The local engine's samples between generation and writing, held as Arrow rows, not models.

A template sample as pydantic models (a ``Sample``, its ``Provenance`` and ``Message``s, each
with a ``__dict__`` and a fields-set) costs several KB; the same row in Arrow's columnar buffers
costs little more than its text.  :class:`SampleStore` takes each sample as it is made (a model,
or - from the template generator - the row itself, built without models), keeps its row in the
published schema (``SAMPLE_FEATURES``), and turns every ``batch_rows`` pending
rows of a (dataset, language, split) into one Arrow record batch.  What the cards need (samples
per source; per language, task and source) is counted as samples arrive.
:func:`~mmed_ift.hub.layout.write_table_shards` then sorts each group by id and writes the same
bytes as writing the sorted models would.

With a ``spill_dir`` each record batch goes to its group's Arrow IPC stream file there as soon
as it is made, so the build holds no sample text while it generates (the corpus's items still
are, and they are let go of as the generator passes them): memory at the write is one group's
rows, read back when the group is written, not the whole output.  Uncompressed IPC is a copy
of the buffers, so spilling costs little CPU, and reading back gives the same batches, so the
same bytes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa

from mmed_ift.hub.layout import SAMPLE_FEATURES
from mmed_ift.schemas import Sample

#: (dataset, language, upstream split)
GroupKey = tuple[str, str, str]


class SampleStore:
    """Samples by dataset, language and upstream split, as Arrow record batches (in memory, or
    spilled to IPC files under ``spill_dir``, which the caller creates and removes)."""

    def __init__(self, batch_rows: int = 4096, spill_dir: Path | None = None) -> None:
        self.batch_rows = batch_rows
        self.spill_dir = spill_dir
        self._schema = SAMPLE_FEATURES.arrow_schema
        self._pending: dict[GroupKey, list[dict[str, Any]]] = defaultdict(list)
        self._batches: dict[GroupKey, list[pa.RecordBatch]] = defaultdict(list)
        #: the open spill file of each group that has one (``spill_dir`` only)
        self._spills: dict[GroupKey, tuple[Path, pa.ipc.RecordBatchStreamWriter]] = {}
        self._rows: Counter[GroupKey] = Counter()
        #: samples per (dataset, language, source, task), in the order first seen: one count
        #: per row feeds both of the cards' tallies (:attr:`used`, :attr:`composition`)
        self._made: Counter[tuple[str, str, str, str]] = Counter()

    def add(self, sample: Sample, split: str) -> None:
        """One sample, filed under ``split`` (the upstream split it is grouped by)."""
        self.add_row(sample.to_row(), split)

    def add_row(self, row: dict[str, Any], split: str) -> None:
        """One sample already in its row form (``Sample.to_row()``; the template generator
        builds rows without the models), filed under ``split``."""
        dataset, lang = row["dataset"], row["lang"]
        key = (dataset, lang, split)
        pending = self._pending[key]
        pending.append(row)
        self._rows[key] += 1
        self._made[(dataset, lang, row["provenance"]["source"], row["task"])] += 1
        if len(pending) >= self.batch_rows:
            self._flush(key)

    @property
    def used(self) -> dict[str, Counter[str]]:
        """dataset -> samples per source (the card's sources)."""
        used: dict[str, Counter[str]] = defaultdict(Counter)
        for (dataset, _, source, _), count in self._made.items():
            used[dataset][source] += count
        return used

    @property
    def composition(self) -> dict[str, Counter[tuple[str, str, str]]]:
        """dataset -> samples per (language, task, source) (the card's composition)."""
        composition: dict[str, Counter[tuple[str, str, str]]] = defaultdict(Counter)
        for (dataset, lang, source, task), count in self._made.items():
            composition[dataset][(lang, task, source)] += count
        return composition

    def _flush(self, key: GroupKey) -> None:
        pending = self._pending.pop(key, [])
        if not pending:
            return
        batch = pa.RecordBatch.from_pylist(pending, schema=self._schema)
        del pending
        if self.spill_dir is None:
            self._batches[key].append(batch)
            return
        if key not in self._spills:
            path = self.spill_dir / f"{len(self._spills):04d}.arrows"
            self._spills[key] = (path, pa.ipc.new_stream(path, self._schema))
        self._spills[key][1].write_batch(batch)

    def counts(self, dataset: str) -> dict[str, dict[str, int]]:
        """language -> upstream split -> rows of ``dataset`` (what :func:`published_splits` reads)."""
        counts: dict[str, dict[str, int]] = {}
        for (name, lang, split), rows in self._rows.items():
            if name == dataset and rows:
                counts.setdefault(lang, {})[split] = rows
        return counts

    def take(self, dataset: str, lang: str, split: str) -> pa.Table:
        """The rows of one group in the order they were added; the store lets go of them (and
        removes their spill file)."""
        key = (dataset, lang, split)
        self._flush(key)
        batches = self._batches.pop(key, [])
        spill = self._spills.pop(key, None)
        if spill is not None:
            path, writer = spill
            writer.close()
            with pa.OSFile(str(path)) as source:  # read into memory, not mapped: the file goes now
                batches = list(pa.ipc.open_stream(source))
            path.unlink()
        return pa.Table.from_batches(batches, schema=self._schema)

    def close(self) -> None:
        """Close the spill files still open (a build that failed before writing every group)."""
        for _, writer in self._spills.values():
            writer.close()
        self._spills.clear()
