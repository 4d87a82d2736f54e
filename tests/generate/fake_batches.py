"""The OpenAI Batch API for the fake server: ``/v1/files`` and ``/v1/batches``.

What the real API does, at test scale: an uploaded JSONL input file (multipart, purpose
``batch``), a batch created over it, ``GET /v1/batches/{id}`` showing ``validating`` →
``in_progress`` → ``completed``, and output / error files whose lines carry ``custom_id`` and the
chat completion ``response`` (``status_code`` + ``body``).  Each input line is answered by the fake
chat server's own logic (:func:`fake_openai_server.answer`), so a batch reply equals the online
reply to the same request, and the same fault markers apply (HTTP faults become error lines).

Test controls on :class:`BatchAPI`: ``polls_before_done`` (retrieves a batch answers
``in_progress`` before it completes), ``hold`` (while cleared, every batch stays in progress),
``pause_download_after`` + ``download_gate`` (an output file's download stops after N lines until
the gate opens: a client can be killed in the middle of ingesting), ``fail_lines`` (custom ids
answered with an error line once).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.generate.fake_openai_server import FakeOpenAI

HTTP_FAULTS = {"429": 429, "500": 500, "503": 503, "schema400": 400, "llamacpp500": 500}


@dataclass
class Batch:
    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    total: int
    output_file_id: str | None = None
    error_file_id: str | None = None
    completed: int = 0
    failed: int = 0
    polls: int = 0
    status: str = "validating"

    def to_json(self) -> dict[str, Any]:
        done = self.status == "completed"
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "errors": None,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": self.status,
            "output_file_id": self.output_file_id if done else None,
            "error_file_id": self.error_file_id if done else None,
            "created_at": 0,
            "request_counts": {
                "total": self.total,
                "completed": self.completed if done else 0,
                "failed": self.failed if done else 0,
            },
        }


@dataclass
class BatchAPI:
    fake: FakeOpenAI
    polls_before_done: int = 1
    hold: threading.Event = field(default_factory=threading.Event)
    pause_download_after: int | None = None
    download_gate: threading.Event = field(default_factory=threading.Event)
    #: custom ids answered with a 500 error line the first time they are seen
    fail_lines: set[str] = field(default_factory=set)
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, Batch] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    #: custom ids of every input line processed, in order (a re-sent request appears twice)
    processed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.hold.set()

    # -- routing -------------------------------------------------------------------------------------

    def handles(self, path: str) -> bool:
        return path.startswith("/v1/files") or path.startswith("/v1/batches")

    def get(self, path: str) -> tuple[int, Any]:
        parts = path.split("?")[0].strip("/").split("/")
        if parts == ["v1", "batches"]:
            self.calls["list"] += 1
            with self.lock:
                listed = [batch.to_json() for batch in reversed(self.batches.values())]
            return 200, {"object": "list", "data": listed, "has_more": False}
        if parts[:2] == ["v1", "batches"] and len(parts) == 3:
            return self._retrieve(parts[2])
        if parts[:2] == ["v1", "files"] and len(parts) == 4 and parts[3] == "content":
            with self.lock:
                data = self.files.get(parts[2])
            self.calls["content"] += 1
            return (200, data) if data is not None else (404, {"error": {"message": f"no file {parts[2]}"}})
        return 404, {"error": {"message": f"no route {path}"}}

    def post(self, path: str, content_type: str, data: bytes) -> tuple[int, Any]:
        if path.rstrip("/") == "/v1/files":
            return self._upload(content_type, data)
        if path.rstrip("/") == "/v1/batches":
            return self._create(json.loads(data or b"{}"))
        return 404, {"error": {"message": f"no route {path}"}}

    # -- endpoints -----------------------------------------------------------------------------------

    def _upload(self, content_type: str, data: bytes) -> tuple[int, Any]:
        self.calls["upload"] += 1
        boundary = content_type.split("boundary=")[-1].strip('"').encode()
        content = None
        for part in data.split(b"--" + boundary):
            head, _, body = part.partition(b"\r\n\r\n")
            if b'name="file"' in head:
                content = body[: -2] if body.endswith(b"\r\n") else body
        if content is None:
            return 400, {"error": {"message": "no file part"}}
        with self.lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = content
        return 200, {"id": file_id, "object": "file", "bytes": len(content), "created_at": 0,
                     "filename": "input.jsonl", "purpose": "batch", "status": "processed"}  # fmt: skip

    def _create(self, request: dict[str, Any]) -> tuple[int, Any]:
        self.calls["create"] += 1
        with self.lock:
            data = self.files.get(request.get("input_file_id", ""))
        if data is None:
            return 400, {"error": {"message": "unknown input_file_id"}}
        lines = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
        with self.lock:
            batch = Batch(f"batch_{len(self.batches) + 1}", request["input_file_id"], request["endpoint"],
                          request["completion_window"], len(lines))  # fmt: skip
            self.batches[batch.id] = batch
        outputs: list[str] = []
        errors: list[str] = []
        for index, line in enumerate(lines):
            status, body = self._answer_line(line)
            record = {"id": f"batch_req_{batch.id}_{index}", "custom_id": line["custom_id"],
                      "response": {"status_code": status, "request_id": f"req_{index}", "body": body},
                      "error": None}  # fmt: skip
            (outputs if status == 200 else errors).append(json.dumps(record, ensure_ascii=False))
        with self.lock:
            batch.completed, batch.failed = len(outputs), len(errors)
            for lines_out, attribute in ((outputs, "output_file_id"), (errors, "error_file_id")):
                if lines_out:
                    file_id = f"file-{len(self.files) + 1}"
                    self.files[file_id] = ("\n".join(lines_out) + "\n").encode("utf-8")
                    setattr(batch, attribute, file_id)
        return 200, batch.to_json()

    def _retrieve(self, batch_id: str) -> tuple[int, Any]:
        self.calls["retrieve"] += 1
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return 404, {"error": {"message": f"no batch {batch_id}"}}
            batch.polls += 1
            if not self.hold.is_set() or batch.polls <= self.polls_before_done:
                batch.status = "in_progress"
            else:
                batch.status = "completed"
            return 200, batch.to_json()

    def _answer_line(self, line: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        from tests.generate.fake_openai_server import RecordedRequest, answer

        fake = self.fake
        body = line["body"]
        custom_id = line["custom_id"]
        with self.lock:
            self.processed.append(custom_id)
            forced = custom_id in self.fail_lines
            self.fail_lines.discard(custom_id)
        fault = "500" if forced else fake.choose_fault(body)
        status = HTTP_FAULTS.get(fault or "", 200)
        if fault and status == 200 and fault not in ("truncate", "wrong_answer", "wrong_lang", "empty"):
            status = 500  # transport faults (drop, trickle, ...) have no batch equivalent
        with fake.lock:
            fake.requests.append(RecordedRequest("/v1/batches", None, body, "", fault, status))
        if status != 200:
            message = "response_format with a schema is not supported" if fault == "schema400" else f"injected {status}"
            return status, {"error": {"message": message, "type": "server_error"}}
        content, finish_reason = answer(fake, body, fault)
        if fault == "empty":
            content = ""
        prompt_chars = sum(len(message.get("content", "")) for message in body.get("messages", []))
        return 200, {
            "id": f"chatcmpl-{custom_id[:8]}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", fake.model),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}
            ],
            "usage": {
                "prompt_tokens": prompt_chars // 4,
                "completion_tokens": len(content) // 4 + 1,
                "total_tokens": prompt_chars // 4 + len(content) // 4 + 1,
            },
        }

    def stream_file(self, handler: Any, data: bytes) -> None:
        """Send a file, stopping after ``pause_download_after`` lines until ``download_gate`` opens."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        lines = data.splitlines(keepends=True)
        for index, line in enumerate(lines):
            if self.pause_download_after is not None and index == self.pause_download_after:
                handler.wfile.flush()
                deadline = time.monotonic() + 60
                while not self.download_gate.is_set() and time.monotonic() < deadline:
                    time.sleep(0.02)
            handler.wfile.write(line)
        handler.wfile.flush()
