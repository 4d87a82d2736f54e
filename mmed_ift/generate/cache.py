"""On-disk request cache for the LLM generator (one sqlite file).

Why sqlite: every completed response is committed as soon as it arrives, so a build killed with
SIGKILL loses at most the requests that were in flight; the next run finds every completed one
here and sends only the rest.  Inside an event loop, the replies handled in one turn of the loop
share one transaction, committed first thing in the next turn (before any other reply is handled):
a commit per reply cost more CPU than the rest of storing it.  Without a running loop every
``put`` commits before it returns.  WAL mode lets a second process (a test, ``sqlite3`` on the
command line) read the file while a build writes it.

The key is a hash of everything that determines the answer: model, messages, sampling parameters
and prompt version.  The base URL and the API key are deliberately *not* part of it: the key is a
secret (it must never reach the disk) and the same model behind another URL gives the same
answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    request TEXT NOT NULL,
    content TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def encode(value: Any) -> str:
    """The one JSON encoding of the cache: compact, sorted keys, UTF-8 kept (what keys hash)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def request_key(model: str, messages: list[dict[str, str]], params: dict[str, Any], prompt_version: str) -> str:
    """Hash of (model, messages, parameters, prompt version), stable across runs and machines.

    Parameters are serialised with sorted keys so dict order never changes the key.
    """
    return key_of(model, encode(messages), encode(params), prompt_version)


def key_of(model: str, messages_json: str, params_json: str, prompt_version: str) -> str:
    """:func:`request_key` from messages and parameters already encoded with :func:`encode`.

    Why: the client encodes a request's messages once for its key and its cache row, and the
    parameters (schema included, the same for every request of a task) once per run.  The bytes
    hashed are those of ``encode({"model", "messages", "params", "prompt_version"})``: sorted
    keys put the four fields in this order, so every existing key stays valid.
    """
    payload = (
        f'{{"messages":{messages_json},"model":{encode(model)},"params":{params_json},'
        f'"prompt_version":{encode(prompt_version)}}}'
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def request_text(messages_json: str, params_json: str) -> str:
    """The ``request`` column of a cache row, ``encode({"messages", "params"})``, from its parts."""
    return f'{{"messages":{messages_json},"params":{params_json}}}'


@dataclass(frozen=True)
class CachedResponse:
    """What the generator needs from a response; usage is kept so cost can be reported on reruns."""

    content: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int


def open_db(path: Path, schema: str) -> sqlite3.Connection:
    """The cache file (created with its folder), shared by threads, in WAL mode, with ``schema``.
    isolation_level=None: autocommit, each statement is its own durable transaction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db


class RequestCache:
    """Thread-safe get/put over one sqlite file; every ``put`` is committed before it returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_db(path, _SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta(name, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        #: a commit is scheduled on the running event loop (puts since then share its transaction)
        self._commit_scheduled = False
        self._closed = False

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            row = self._db.execute(
                "SELECT content, finish_reason, prompt_tokens, completion_tokens FROM responses WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        return CachedResponse(content=row[0], finish_reason=row[1], prompt_tokens=row[2], completion_tokens=row[3])

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        with self._lock:
            return self._db.execute("SELECT 1 FROM responses WHERE key = ?", (key,)).fetchone() is not None

    def put(
        self,
        key: str,
        *,
        model: str,
        prompt_version: str,
        request: dict[str, Any] | str,
        response: CachedResponse,
    ) -> None:
        """Store one response.  ``request`` holds messages and parameters only, never credentials:
        a dict, or its :func:`encode` text (:func:`request_text`) when the caller has it already."""
        text = request if isinstance(request, str) else encode(request)
        with self._lock:
            if not self._db.in_transaction:
                self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO responses"
                " (key, model, prompt_version, request, content, finish_reason, prompt_tokens, completion_tokens,"
                " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    model,
                    prompt_version,
                    text,
                    response.content,
                    response.finish_reason,
                    response.prompt_tokens,
                    response.completion_tokens,
                    time.time(),
                ),
            )
            if self._commit_scheduled:
                return
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self._db.execute("COMMIT")
                return
            loop.call_soon(self.flush)
            self._commit_scheduled = True

    def flush(self) -> None:
        """Commit the puts not yet committed (they are already visible to this object's reads)."""
        with self._lock:
            self._commit_scheduled = False
            if not self._closed and self._db.in_transaction:
                self._db.execute("COMMIT")

    def get_meta(self, name: str) -> str | None:
        """A small fact learnt about a server (e.g. which response_format it accepts)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)", (name, value))

    def keys(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT key FROM responses")}

    def __len__(self) -> int:
        with self._lock:
            count: int = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        return count

    def close(self) -> None:
        self.flush()
        with self._lock:
            self._closed = True
            self._db.close()
