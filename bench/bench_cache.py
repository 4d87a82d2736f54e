"""The request cache (sqlite, WAL) at millions of entries: get/put per second and put stalls.

    python bench/bench_cache.py [--entries 1000000] [--ops 20000] [--folder /tmp]

Fills a cache to ``--entries`` rows (bulk insert in one transaction, straight into the table the
cache reads: the fill is set-up, not measured), then times ``--ops`` ``RequestCache.put`` (each
its own committed transaction, as the generator does) and ``--ops`` ``RequestCache.get`` of
random existing keys, through the real class.  Printed for a small cache (10k rows) and the big
one, so O(log n) primary-key lookups show as nearly equal rates; the slowest put shows whether a
WAL checkpoint (every ~1000 pages, run by the committing thread) stalls a writer.

Rows are ~300 bytes (a real request row is 1-3 KB: the database is then larger, the index the
same size, since it holds only the 64-character keys).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmed_ift.generate.cache import CachedResponse, RequestCache

PAYLOAD = "x" * 200


def key_of(index: int) -> str:
    return hashlib.sha256(f"bench-{index}".encode()).hexdigest()


def fill(path: Path, entries: int) -> float:
    RequestCache(path).close()  # creates the schema, in WAL mode
    started = time.perf_counter()
    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "INSERT OR IGNORE INTO responses (key, model, prompt_version, request, content, finish_reason,"
            " prompt_tokens, completion_tokens, created) VALUES (?, 'm', 'v1', '{}', ?, 'stop', 10, 20, 0)",
            ((key_of(index), PAYLOAD) for index in range(entries)),
        )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return time.perf_counter() - started


def measure(path: Path, entries: int, ops: int) -> str:
    cache = RequestCache(path)
    response = CachedResponse(PAYLOAD, "stop", 10, 20)
    slowest = 0.0
    started = time.perf_counter()
    for index in range(ops):
        began = time.perf_counter()
        cache.put(key_of(entries + index), model="m", prompt_version="v1", request={}, response=response)
        slowest = max(slowest, time.perf_counter() - began)
    put_s = time.perf_counter() - started
    rng = random.Random(0)
    keys = [key_of(rng.randrange(entries)) for _ in range(ops)]
    started = time.perf_counter()
    found = sum(cache.get(key) is not None for key in keys)
    get_s = time.perf_counter() - started
    cache.close()
    assert found == ops, (found, ops)
    return (
        f"{entries:>10,}{ops / put_s:>12,.0f}{slowest * 1000:>14.1f}{ops / get_s:>12,.0f}"
        f"{path.stat().st_size / 2**20:>10.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--ops", type=int, default=20_000)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        print(f"{'entries':>10}{'put/s':>12}{'slowest put ms':>14}{'get/s':>12}{'MiB':>10}")
        for entries in (10_000, args.entries):
            path = Path(folder) / f"cache-{entries}.sqlite"
            filled = fill(path, entries)
            print(measure(path, entries, args.ops) + f"   (fill {filled:.1f} s, not measured)", flush=True)


if __name__ == "__main__":
    main()
