"""What a batch-mode run has handed to the server, kept in the request cache's sqlite file.

Why on disk, and why there: a batch job lives for hours on the server while the build may be
killed at any moment.  Each step of a submission is committed *before* the next one starts
(input file written → uploaded → batch created → results ingested), so a restarted build knows
exactly where every batch stands: it polls a batch it already created instead of creating
another, creates the batch for a file it already uploaded, and re-ingests a result file whose
ingestion was cut off (ingestion is idempotent: replies are keyed by request).  Keeping the state
in the cache file means one file holds everything a resumed run needs, and deleting it starts
afresh, as deleting the cache always has.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmed_ift.generate.cache import encode, open_db, request_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_uploads (
    local_file TEXT PRIMARY KEY,
    file_id TEXT,
    batch_id TEXT,
    status TEXT NOT NULL,
    requests INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_requests (
    key TEXT PRIMARY KEY,
    local_file TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    request TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
"""

#: an upload's life: written locally → uploaded (file id known) → submitted (batch id known) → ingested
STATUSES = ("written", "uploaded", "submitted", "ingested")


@dataclass(frozen=True)
class Upload:
    """One batch input file and how far its submission got."""

    local_file: str
    file_id: str | None
    batch_id: str | None
    status: str
    requests: int


@dataclass(frozen=True)
class StoredRequest:
    """A request as it was put in a batch: enough to cache its reply under the same key."""

    key: str
    prompt_version: str
    messages: list[dict[str, str]]
    params: dict[str, Any]
    failures: int
    #: ``messages`` and ``params`` as the store keeps them (a request cache row's text), when read back
    text: str | None = None


class BatchStore:
    """Batch submissions and their requests; every write is committed before it returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_db(path, _SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- uploads -----------------------------------------------------------------------------------

    def add_upload(self, local_file: str, requests: list[StoredRequest]) -> None:
        """Record a written input file and its requests, in one transaction (both or neither)."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO batch_uploads (local_file, file_id, batch_id, status, requests, created)"
                " VALUES (?, NULL, NULL, 'written', ?, ?)",
                (local_file, len(requests), time.time()),
            )
            self._db.executemany(
                "INSERT INTO batch_requests (key, local_file, prompt_version, request, failures) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET local_file = excluded.local_file",
                [
                    (
                        request.key,
                        local_file,
                        request.prompt_version,
                        request_text(encode(request.messages), encode(request.params)),
                        request.failures,
                    )
                    for request in requests
                ],
            )

    def set_uploaded(self, local_file: str, file_id: str) -> None:
        self._update(local_file, "UPDATE batch_uploads SET file_id = ?, status = 'uploaded'", file_id)

    def set_submitted(self, local_file: str, batch_id: str) -> None:
        self._update(local_file, "UPDATE batch_uploads SET batch_id = ?, status = 'submitted'", batch_id)

    def set_ingested(self, local_file: str) -> None:
        with self._lock:
            self._db.execute("UPDATE batch_uploads SET status = 'ingested' WHERE local_file = ?", (local_file,))

    def _update(self, local_file: str, statement: str, value: str) -> None:
        with self._lock:
            self._db.execute(f"{statement} WHERE local_file = ?", (value, local_file))

    def unfinished(self) -> list[Upload]:
        """Uploads not yet ingested, oldest first: what a resumed run must finish first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT local_file, file_id, batch_id, status, requests FROM batch_uploads"
                " WHERE status != 'ingested' ORDER BY created, local_file"
            ).fetchall()
        return [Upload(*row) for row in rows]

    def uploads(self) -> list[Upload]:
        with self._lock:
            rows = self._db.execute(
                "SELECT local_file, file_id, batch_id, status, requests FROM batch_uploads ORDER BY created, local_file"
            ).fetchall()
        return [Upload(*row) for row in rows]

    def batched_requests(self) -> int:
        """Requests put in batches by every run on this cache (what ``--max-requests`` counts)."""
        with self._lock:
            total: int | None = self._db.execute("SELECT SUM(requests) FROM batch_uploads").fetchone()[0]
        return total or 0

    # -- requests ----------------------------------------------------------------------------------

    def request(self, key: str) -> StoredRequest | None:
        with self._lock:
            row = self._db.execute(
                "SELECT key, prompt_version, request, failures FROM batch_requests WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        body = json.loads(row[2])
        return StoredRequest(row[0], row[1], body["messages"], body["params"], row[3], row[2])

    def requests_of(self, local_file: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key FROM batch_requests WHERE local_file = ? ORDER BY key", (local_file,)
            ).fetchall()
        return [row[0] for row in rows]

    def add_failure(self, key: str, error: str, times: int = 1) -> None:
        """Count a failed result (``times`` > 1: a failure that retrying cannot fix, e.g. HTTP 400)."""
        with self._lock:
            self._db.execute(
                "UPDATE batch_requests SET failures = failures + ?, last_error = ? WHERE key = ?",
                (times, error[:500], key),
            )

    def failures(self) -> dict[str, tuple[int, str]]:
        """Requests that failed in a batch at least once: key → (times, last error)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, failures, last_error FROM batch_requests WHERE failures > 0"
            ).fetchall()
        return {row[0]: (row[1], row[2] or "") for row in rows}
