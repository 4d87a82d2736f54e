"""Keep source ids unique within one read, as the adapter contract requires.

Upstream files sometimes repeat a record (a duplicated line, two cases sharing an ``id``).  The
second copy would give two items the same ``source_id``, which breaks provenance and
decontamination joins, so it is turned into a ``duplicate_id`` reject that names the first.
The leading underscore keeps this module out of the adapter auto-import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mmed_ift.schemas import Reject
from mmed_ift.sources.base import ReadResult, SourceAdapter


def unique_ids(
    adapter: SourceAdapter, results: Iterable[ReadResult], *, clean_at: int | None = None
) -> Iterator[ReadResult]:
    """Pass results through, rejecting any item whose ``source_id`` an earlier item already used.

    With ``clean_at``, each result is first ``adapter.clean(result, clean_at)``: what
    :meth:`~mmed_ift.sources.base.SourceAdapter.finish` does to every record, in this one loop
    rather than in a generator of its own (one layer less per record read)."""
    first_seen: dict[str, str] = {}
    clean = adapter.clean
    for result in results:
        if clean_at is not None:
            result = clean(result, clean_at)
        if isinstance(result, Reject):
            yield result
            continue
        if result.source_id in first_seen:
            yield adapter.reject(
                result.location,
                "duplicate_id",
                f"id {result.source_id!r} was already read at {first_seen[result.source_id]}",
                source_id=result.source_id,
                lang=result.lang,
                split=result.split,
            )
            continue
        first_seen[result.source_id] = result.location
        yield result
