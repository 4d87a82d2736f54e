"""``--llm-mode batch``: the generator's requests as OpenAI Batch API jobs.

A batch costs half the online price at OpenAI and is what ``vllm run-batch`` reads, so a 200k-
sample release is generated this way.  How it works (see :mod:`mmed_ift.generate.deferral`):

1. a *collect round* runs the online generator with the client in collect mode: every request
   whose reply is not cached is recorded instead of sent;
2. the recorded requests are written as Batch API input files (JSONL, ``custom_id`` = the request
   cache key, at most ``max_requests_per_batch`` lines each), uploaded (``POST /v1/files``,
   purpose ``batch``) and submitted (``POST /v1/batches``);
3. each batch is polled with backoff until it ends; its output (and error) file is streamed line
   by line into the request cache;
4. the next round replays those replies and collects what follows from them (repairs of invalid
   replies, judge verdicts, translations of new samples).  A round that collects nothing ends the
   run; its result *is* the online generator's result over the cached replies.

Every step is recorded in :class:`~mmed_ift.generate.batch_store.BatchStore` before the next one,
so a build killed at any point resumes without re-sending completed work: it first finishes every
batch a previous run left unfinished (re-ingesting results is idempotent).  A request that fails
in a batch (an error line, a missing result, an unusable reply) is put in the next batch, up to
``max_failures`` times, then its job is rejected as a failed online request would be.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

from tqdm.auto import tqdm

from mmed_ift.errors import BuildError
from mmed_ift.generate.batch_store import BatchStore, StoredRequest, Upload
from mmed_ift.generate.client import LLMClient, LLMSetupError
from mmed_ift.generate.deferral import DeferredRequests
from mmed_ift.generate.ratelimit import backoff_delay
from mmed_ift.generate.replies import BadReply, completion_from_json, error_message
from mmed_ift.generate.usage import UsageStats

log = logging.getLogger(__name__)

T = TypeVar("T")

#: a batch in one of these states will not change any more
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
ENDPOINT = "/v1/chat/completions"


@dataclass(frozen=True)
class BatchSettings:
    """How batches are made and watched."""

    #: folder of the input files (kept: they are also what ``vllm run-batch`` reads)
    folder: Path
    poll_s: float = 10.0
    max_poll_s: float = 300.0
    #: OpenAI accepts at most 50,000 requests (and 200 MB) per input file
    max_requests_per_batch: int = 50_000
    completion_window: str = "24h"
    #: a request failing in this many batches is given up
    max_failures: int = 3
    #: per-run cap on requests put in batches (``--max-requests``)
    max_requests: int | None = None
    #: retries of a files/batches call on 429, 5xx, timeouts and dropped connections
    max_retries: int = 6
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0


def input_line(model: str, request: StoredRequest) -> dict[str, Any]:
    """One line of a Batch API input file (OpenAI's format, which ``vllm run-batch`` reads too)."""
    return {
        "custom_id": request.key,
        "method": "POST",
        "url": ENDPOINT,
        "body": {"model": model, "messages": request.messages, **request.params},
    }


class BatchRunner:
    """Writes, uploads, submits, polls and ingests batches for one client."""

    def __init__(
        self, client: LLMClient, store: BatchStore, settings: BatchSettings, traffic: UsageStats, progress: bool
    ) -> None:
        self.client = client
        self.store = store
        self.settings = settings
        self.traffic = traffic
        self.progress = progress
        self._rng = random.Random(0)

    async def finish_unfinished(self) -> None:
        """Finish what an interrupted run left: poll its batches, create or upload the rest."""
        unfinished = self.store.unfinished()
        if unfinished:
            log.info("resuming %d unfinished batch(es) from an earlier run", len(unfinished))
            self.traffic.batches["resumed"] += len(unfinished)
            await asyncio.gather(*(self._advance(upload) for upload in unfinished))

    async def submit(self, requests: Sequence[StoredRequest]) -> None:
        """Batch ``requests`` (in key order, so a rerun writes the same files) and see them done."""
        ordered = sorted(requests, key=lambda request: request.key)
        size = self.settings.max_requests_per_batch
        uploads = [self._write(ordered[start : start + size]) for start in range(0, len(ordered), size)]
        await asyncio.gather(*(self._advance(upload) for upload in uploads))

    # -- the steps of one upload -------------------------------------------------------------------

    def _write(self, requests: Sequence[StoredRequest]) -> Upload:
        digest = hashlib.sha256("\n".join(request.key for request in requests).encode()).hexdigest()[:16]
        path = self.settings.folder / f"batch-{digest}.jsonl"
        self._write_file(path, requests)
        self.store.add_upload(str(path), list(requests))
        return Upload(str(path), None, None, "written", len(requests))

    def _write_file(self, path: Path, requests: Sequence[StoredRequest]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8") as handle:
            for request in requests:
                handle.write(json.dumps(input_line(self.client.settings.model, request), ensure_ascii=False) + "\n")
        os.replace(partial, path)

    async def _advance(self, upload: Upload) -> None:
        api = self.client.api
        path = Path(upload.local_file)
        file_id, batch_id = upload.file_id, upload.batch_id
        if file_id is None:
            if not path.exists():  # removed since: its requests are in the store
                stored = [self.store.request(key) for key in self.store.requests_of(upload.local_file)]
                self._write_file(path, [request for request in stored if request is not None])
            uploaded = await self._call("upload", lambda: api.files.create(file=path, purpose="batch"))
            file_id = str(uploaded.id)
            self.store.set_uploaded(upload.local_file, file_id)
        if batch_id is None and upload.status == "uploaded":
            # killed between creating the batch and recording it: find it rather than create another
            batch_id = await self._find_batch(file_id)
            if batch_id is not None:
                self.store.set_submitted(upload.local_file, batch_id)
        if batch_id is None:
            created = await self._call(
                "create",
                lambda: api.batches.create(
                    input_file_id=file_id, endpoint=ENDPOINT, completion_window=self.settings.completion_window
                ),
            )
            batch_id = str(created.id)
            self.store.set_submitted(upload.local_file, batch_id)
            self.traffic.batches["submitted"] += 1
            self.traffic.requests_sent += upload.requests
            log.info("batch %s submitted: %d requests (%s)", batch_id, upload.requests, path.name)
        batch = await self._poll(batch_id, upload.requests)
        await self._ingest(upload.local_file, batch)
        self.client.cache.flush()  # the replies are durable before the upload is marked ingested
        self.store.set_ingested(upload.local_file)
        self.traffic.batches[f"ended:{batch.status}"] += 1

    async def _find_batch(self, file_id: str) -> str | None:
        """The id of a batch already created over ``file_id`` (the most recent 100 are searched)."""
        page = await self._call("list", lambda: self.client.api.batches.list(limit=100))
        for batch in getattr(page, "data", None) or []:
            if getattr(batch, "input_file_id", None) == file_id:
                return str(batch.id)
        return None

    async def _poll(self, batch_id: str, total: int) -> Any:
        delay = self.settings.poll_s
        bar = tqdm(total=total, desc=f"llm batch {batch_id[:16]}", unit="req", disable=not self.progress)
        try:
            while True:
                batch = await self._call("poll", lambda: self.client.api.batches.retrieve(batch_id))
                counts = getattr(batch, "request_counts", None)
                if counts is not None:
                    bar.n = int((counts.completed or 0) + (counts.failed or 0))
                    bar.refresh()
                if batch.status in TERMINAL:
                    return batch
                self.traffic.batches["polls"] += 1
                await asyncio.sleep(delay)
                delay = min(self.settings.max_poll_s, delay * 1.5)
        finally:
            bar.close()

    async def _ingest(self, local_file: str, batch: Any) -> None:
        """Every result line into the cache; what has no usable result counts one failure."""
        expected = set(self.store.requests_of(local_file))
        seen: set[str] = set()
        for file_id in (batch.output_file_id, batch.error_file_id):
            if not file_id:
                continue
            async with self.client.api.files.with_streaming_response.content(file_id) as response:
                async for line in response.iter_lines():
                    if line.strip():
                        self._ingest_line(line, expected, seen)
        missing = sorted(expected - seen)
        if missing:
            why = f"no result in batch {batch.id} (status {batch.status}{_batch_errors(batch)})"
            for key in missing:
                self.store.add_failure(key, why)
            self.traffic.failures["batch_no_result"] += len(missing)

    def _ingest_line(self, line: str, expected: set[str], seen: set[str]) -> None:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            self.traffic.failures["batch_bad_line"] += 1
            return
        key = record.get("custom_id") if isinstance(record, dict) else None
        if key not in expected or key in seen:
            self.traffic.failures["batch_unknown_line"] += 1
            return
        seen.add(key)
        stored = self.store.request(key)
        assert stored is not None, "every expected key is in the store"
        response = record.get("response") or {}
        status = response.get("status_code") if isinstance(response, dict) else None
        body = response.get("body") if isinstance(response, dict) else None
        if status == 200 and isinstance(body, dict):
            try:
                completion = completion_from_json(body)
            except BadReply as error:
                self.store.add_failure(key, f"{error.cause}: {error.detail}")
                self.traffic.failures[error.cause] += 1
                return
            self.client.store_reply(
                key,
                stored.messages,
                stored.params,
                stored.prompt_version,
                completion,
                self.traffic,
                request=stored.text,
            )
            if not completion.content.strip():
                self.store.add_failure(key, "empty reply")
            return
        message = self.client.redact(_line_error(record, body))
        if isinstance(status, int) and status in (400, 422, 500) and self.client.refuses_format(message, stored.params):
            return  # the next round asks again in the weaker mode, under a new key
        permanent = isinstance(status, int) and 400 <= status < 500 and status not in (408, 409, 429)
        times = self.settings.max_failures if permanent else 1
        self.store.add_failure(key, f"HTTP {status}: {message}", times)
        self.traffic.failures[f"batch_http_{status}"] += 1

    async def _call(self, what: str, make: Callable[[], Awaitable[T]]) -> T:
        """A files/batches call, retried on transient faults; a wrong key, URL or API stops the run."""
        import openai

        settings = self.settings
        for attempt in range(settings.max_retries + 1):
            try:
                return await make()
            except (openai.AuthenticationError, openai.PermissionDeniedError) as error:
                raise LLMSetupError(
                    f"the server refused the API key from ${self.client.settings.api_key_env}"
                    f" (HTTP {error.status_code}) for the Batch API ({what})"
                ) from None
            except openai.NotFoundError as error:
                raise LLMSetupError(
                    f"HTTP 404 for the Batch API ({what}): {self.client.redact(error_message(error))};"
                    " a server without /v1/files and /v1/batches needs --llm-mode online"
                ) from None
            except (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError) as error:
                cause = type(error).__name__
            except openai.APIStatusError as error:
                raise BuildError(
                    f"Batch API ({what}): HTTP {error.status_code}: {self.client.redact(error_message(error))}"
                ) from None
            if attempt < settings.max_retries:
                self.traffic.retries[f"batch_{what}"] += 1
                await asyncio.sleep(
                    backoff_delay(attempt, base_s=settings.backoff_base_s, max_s=settings.backoff_max_s, rng=self._rng)
                )
        raise BuildError(
            f"Batch API ({what}): {cause} after {settings.max_retries + 1} attempts; rerun the build to resume"
        )


def _line_error(record: dict[str, Any], body: Any) -> str:
    error = record.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])[:300]
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
    return "no response body"


def _batch_errors(batch: Any) -> str:
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    messages = [str(getattr(error, "message", "")) for error in errors if getattr(error, "message", None)]
    return f": {'; '.join(messages)[:300]}" if messages else ""


async def run_in_batches(
    run_round: Callable[[], Awaitable[T]], client: LLMClient, store: BatchStore, settings: BatchSettings, progress: bool
) -> tuple[T, UsageStats]:
    """Collect rounds of ``run_round`` until one needs nothing that is not cached; its result,
    and the run's traffic (batched requests, replies, tokens) merged with that round's counts."""
    traffic = UsageStats()
    runner = BatchRunner(client, store, settings, traffic, progress)
    await runner.finish_unfinished()
    for round_number in count(1):
        budget = None if settings.max_requests is None else max(0, settings.max_requests - traffic.requests_sent)
        deferred = DeferredRequests(failed=store.failures(), max_failures=settings.max_failures, budget=budget)
        client.deferred = deferred
        client.stats = UsageStats(format_mode=client.format_mode)
        try:
            result = await run_round()
        finally:
            client.deferred = None
        if not deferred.requests:
            break
        log.info("batch round %d: %d request(s) to send", round_number, len(deferred.requests))
        traffic.batches["rounds"] += 1
        await runner.submit(list(deferred.requests.values()))
    final = client.stats
    final.merge(traffic)
    return result, final
