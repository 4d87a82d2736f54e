"""Which rows a group keeps (or repeats) to meet its allocation: seeded, order-independent.

Rows are ranked by a hash of (seed, row id), so the choice does not depend on the order the
sources were read in or on the engine, and a plan made with the same seed selects exactly the
rows the build will.  Downsampling keeps the lowest-ranked rows; upsampling repeats every row
``selected // available`` times and the lowest-ranked ones once more.  A repeated copy gets the
id ``<id>~r<k>`` (row ids stay unique in a dataset).  Kept rows stay in their input order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from mmed_ift.schemas import Sample


def rank(seed: int, sample_id: str) -> bytes:
    return hashlib.blake2b(f"{seed}:{sample_id}".encode(), digest_size=8).digest()


def copies_per_row(ids: Sequence[str], selected: int, seed: int) -> list[int]:
    """How many times each row appears so that ``selected`` rows are chosen (repeats past ``len(ids)``)."""
    if not ids or selected <= 0:
        return [0] * len(ids)
    full, rest = divmod(selected, len(ids))
    times = [full] * len(ids)
    for index in sorted(range(len(ids)), key=lambda index: rank(seed, ids[index]))[:rest]:
        times[index] += 1
    return times


def copies(sample: Sample, times: int) -> list[Sample]:
    """The row itself, then its repeats under ids ``<id>~r1``, ``<id>~r2`` ..."""
    return [sample if copy == 0 else sample.model_copy(update={"id": f"{sample.id}~r{copy}"}) for copy in range(times)]


def select(samples: Sequence[Sample], selected: int, seed: int) -> list[Sample]:
    """``selected`` rows of ``samples`` (repeats allowed past ``len(samples)``), in input order."""
    times = copies_per_row([sample.id for sample in samples], selected, seed)
    return [copy for sample, count in zip(samples, times, strict=True) for copy in copies(sample, count)]
