"""A small OpenAI-compatible chat server for tests: deterministic answers and injected faults.

The real ``openai`` client talks to it over HTTP on 127.0.0.1, so the generator's request code,
retries, timeouts and connection handling are exercised for real.  It answers
``POST /v1/chat/completions`` (and ``GET /v1/models``) by recognising the task from the output
schema's title in the request (``RationaleOutput``, ``KnowledgeOutput``, ``TranslateOutput``,
``JudgeOutput``) and writing a valid reply from the request's own text, so language and number
checks pass unless a test asks otherwise.

Faults, either for every request (``FakeOpenAI.faults``, consumed first come first served) or
per request with a marker in the source text, ``[[fault:KIND*N]]``, applied the first N times a
request with that first user turn arrives (repair retries keep the first user turn, so they
count too):

* ``429`` (with ``Retry-After``), ``500``, ``503``: an HTTP error;
* ``delay=S``: answer after S seconds (longer than the client's timeout: a timeout);
* ``truncate``: a reply whose JSON is cut in half, ``finish_reason: length``;
* ``drop``: the connection is closed without any response;
* ``badbody``: headers promise more body than is sent before the connection closes;
* ``wrong_answer``: a rationale naming the wrong option; ``wrong_lang``: text in English;
* hostile 200 replies: ``notjson`` (a body that is not JSON), ``wrongtypes`` (``choices`` of
  the wrong types), ``badutf8`` (invalid UTF-8 inside the JSON), ``huge`` (a 2 MB body with its
  Content-Length), ``hugestream`` (2 MB without a Content-Length, until the connection closes),
  ``trickle`` (the body one byte every 50 ms: each read is quick, the whole takes ages),
  ``empty`` (a reply with no content), ``echokey`` (the reply text quotes the bearer token),
  ``echokey400`` (a 400 whose message quotes the bearer token);
* ``schema400``: 400 for any ``response_format`` carrying a schema (a server with plain JSON
  mode only); ``llamacpp500``: what llama-cpp-python does with ``"type": "json_schema"``, a 500
  whose message names ``response_format``.

Every request is recorded with its Authorization header so tests can check the key arrived.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.generate.fake_batches import BatchAPI

MARKER = re.compile(r"\[\[fault:([\w=.]+)\*(\d+)\]\]")
ANY_MARKER = re.compile(r"\s*\[\[[^\]]*\]\]")
TASK = re.compile(r"\b(Rationale|Knowledge|Translate|Judge)Output\b")
OPTION = re.compile(r"^([A-H])\. (.+)$", re.MULTILINE)
TARGET_HINTS = {
    "简体中文": "zh", "日本語": "ja", "français": "fr", "русский": "ru", "español": "es", "into English": "en"
}  # fmt: skip
#: ``translate_mode="phrase"``: a sentence in each language that language ID recognises
PHRASES = {
    "en": "The patient should take this medicine as the doctor prescribed and attend regular check-ups.",
    "zh": "患者应在医生指导下规范用药，并定期到医院复查。",
    "ja": "患者は医師の指示どおりに薬を服用し、定期的に診察を受けてください。",
    "fr": "Le patient doit prendre ce médicament comme le médecin l'a prescrit et consulter régulièrement.",
    "ru": "Пациент должен принимать это лекарство так, как назначил врач, и регулярно проходить осмотр.",
    "es": "El paciente debe tomar este medicamento como lo indicó el médico y acudir a revisiones periódicas.",
}
#: what a "phrase" translation keeps of each source line: its numbers, each with the next word
QUANTITY = re.compile(r"\S*\d\S*(?:\s+\S+)?")  # a token with digits and the word after it (its unit)


@dataclass
class RecordedRequest:
    path: str
    authorization: str | None
    body: dict[str, Any]
    task: str
    fault: str | None
    status: int


@dataclass
class FakeOpenAI:
    """Server state; ``start()`` serves it on a free port of 127.0.0.1."""

    #: applied to every request before answering
    delay_s: float = 0.0
    #: global faults, one per request, first come first served
    faults: list[str] = field(default_factory=list)
    #: English text -> language -> translation, for the translate task; unknown text comes back as is
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    #: text absent from ``translations``: "echo" returns it as is (language ID rejects it), "phrase"
    #: writes each line as :data:`PHRASES` in the target language followed by the line's numbers and
    #: units, keeping option keys (``A. ``): a translation every check accepts
    translate_mode: str = "echo"
    #: refuse every request whose bearer token differs (None: accept any)
    require_key: str | None = None
    retry_after_s: float = 0.0
    model: str = "fake-model"
    requests: list[RecordedRequest] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    marker_counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: ``/v1/files`` and ``/v1/batches`` (tests/generate/fake_batches.py)
    batch_api: BatchAPI = field(init=False)

    def __post_init__(self) -> None:
        self.batch_api = BatchAPI(self)

    @property
    def base_url(self) -> str:
        assert self.server is not None, "call start() first"
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAI:
        state = self

        class Handler(_Handler):
            fake = state

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- bookkeeping used by tests -------------------------------------------------------------------

    def completed(self) -> list[RecordedRequest]:
        with self.lock:
            return [request for request in self.requests if request.status == 200 and request.fault is None]

    def count(self, status: int | None = None, fault: str | None = None) -> int:
        with self.lock:
            return sum(
                1
                for request in self.requests
                if (status is None or request.status == status) and (fault is None or request.fault == fault)
            )

    # -- choosing a fault ----------------------------------------------------------------------------

    def choose_fault(self, body: dict[str, Any]) -> str | None:
        messages = body.get("messages", [])
        first_user = next((m.get("content", "") for m in messages if m.get("role") == "user"), "")
        with self.lock:
            if self.faults:
                return self.faults.pop(0)
            for match in MARKER.finditer(first_user):
                kind, times = match.group(1), int(match.group(2))
                if kind in ("schema400", "llamacpp500"):
                    fmt = body.get("response_format") or {}
                    if kind == "llamacpp500":
                        return kind if fmt.get("type") == "json_schema" else None
                    return kind if fmt.get("type") == "json_schema" or "schema" in fmt else None
                key = (kind, first_user)
                if self.marker_counts[key] < times:
                    self.marker_counts[key] += 1
                    return kind
        return None


def _clean(text: str) -> str:
    return ANY_MARKER.sub("", text).strip()


def answer(fake: FakeOpenAI, body: dict[str, Any], fault: str | None) -> tuple[str, str]:
    """The deterministic reply text for a request and its finish_reason."""
    messages = body.get("messages", [])
    system = next((m["content"] for m in messages if m.get("role") == "system"), "")
    first_user = next((m["content"] for m in messages if m.get("role") == "user"), "")
    found = TASK.search(system + json.dumps(body.get("response_format") or {}))
    task = found.group(1).lower() if found else "chat"
    if task == "rationale":
        reply: dict[str, Any] = _rationale(first_user, fault)
    elif task == "knowledge":
        reply = _knowledge(first_user, fault)
    elif task == "translate":
        reply = _translate(fake, system, first_user)
    elif task == "judge":
        unfaithful = "[[unfaithful]]" in first_user
        reply = {"score": 1 if unfaithful else 5, "reason": "invented dose" if unfaithful else "all supported"}
    else:
        return "Hello from the fake server.", "stop"
    text = json.dumps(reply, ensure_ascii=False)
    if fault == "truncate":
        return text[: len(text) // 2], "length"
    return text, "stop"


def _rationale(user: str, fault: str | None) -> dict[str, Any]:
    options = {key: _clean(text) for key, text in OPTION.findall(user)}
    first_option = OPTION.search(user)
    question = _clean(user[: first_option.start()] if first_option else user)
    last_line = user.strip().splitlines()[-1]
    keys = sorted(set(re.findall(r"[A-H]", re.split(r"[:：]", last_line)[-1])))
    if fault == "wrong_answer":
        keys = [next(key for key in options if key not in keys)]
    if fault == "wrong_lang":
        return {
            "answer": keys,
            "explanation": "This is the correct answer because the guidelines clearly recommend it for this patient.",
            "distractors": [
                {"option": key, "why_wrong": "This option is not recommended here."}
                for key in options
                if key not in keys
            ],
        }
    return {
        "answer": keys,
        "explanation": f"{'; '.join(options.get(key, '') for key in keys)} — {question}",
        "distractors": [
            {"option": key, "why_wrong": f"{text} — {question}"} for key, text in options.items() if key not in keys
        ],
    }


def _knowledge(user: str, fault: str | None) -> dict[str, Any]:
    lines = user.split("\n")
    style = lines[0].split(":")[-1].split("：")[-1].strip()
    source = _clean("\n".join(lines[3:]))
    if style in ("differential_diagnosis", "compare_treatments"):
        return {"applicable": False, "instruction": "", "response": ""}
    if fault == "wrong_lang":
        return {
            "applicable": True,
            "instruction": "Please explain this topic to me in simple words.",
            "response": "This is an English answer that does not follow the requested language at all.",
        }
    first = source.split("\n")[0].strip()
    return {"applicable": True, "instruction": f"{style}: {first}", "response": source}


def _translate(fake: FakeOpenAI, system: str, user: str) -> dict[str, Any]:
    target = next((lang for hint, lang in TARGET_HINTS.items() if hint in system), "")
    turns = json.loads(user)
    known = [fake.translations.get(_clean(turn), {}).get(target) for turn in turns]
    if fake.translate_mode == "phrase":
        turns = [_phrase(turn, target) for turn in turns]
    return {"turns": [text if text is not None else turn for turn, text in zip(turns, known, strict=True)]}


def _phrase(turn: str, target: str) -> str:
    lines = []
    for line in _clean(turn).splitlines():
        option = OPTION.match(line)
        kept = " ".join(QUANTITY.findall(line))
        lines.append(f"{option.group(1) + '. ' if option else ''}{PHRASES[target]} {kept}".rstrip())
    return "\n".join(lines)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (40 ms), which would make every request look 40 ms slow.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        return

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.fake.batch_api.handles(self.path):
            status, payload = self.fake.batch_api.get(self.path)
            if isinstance(payload, bytes):
                self.fake.batch_api.stream_file(self, payload)
            else:
                self._json(status, payload)
        elif self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": self.fake.model, "object": "model"}]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        if fake.batch_api.handles(self.path):
            content_type = self.headers.get("Content-Type", "")
            status, payload = fake.batch_api.post(self.path, content_type, self.rfile.read(length))
            self._json(status, payload)
            return
        body = json.loads(self.rfile.read(length) or b"{}")
        authorization = self.headers.get("Authorization")
        with fake.lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            self._answer(body, authorization)
        finally:
            with fake.lock:
                fake.in_flight -= 1

    def _record(self, body: dict[str, Any], authorization: str | None, fault: str | None, status: int) -> None:
        system = next((m.get("content", "") for m in body.get("messages", []) if m.get("role") == "system"), "")
        found = TASK.search(system)
        task = found.group(1).lower() if found else ""
        with self.fake.lock:
            self.fake.requests.append(RecordedRequest(self.path, authorization, body, task, fault, status))

    def _answer(self, body: dict[str, Any], authorization: str | None) -> None:
        fake = self.fake
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._record(body, authorization, None, 404)
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        if fake.require_key is not None and authorization != f"Bearer {fake.require_key}":
            self._record(body, authorization, "auth", 401)
            self._json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
            return
        fault = fake.choose_fault(body)
        if fake.delay_s:
            time.sleep(fake.delay_s)
        if fault and fault.startswith("delay="):
            time.sleep(float(fault.split("=", 1)[1]))
        if fault in ("429", "500", "503"):
            status = int(fault)
            self._record(body, authorization, fault, status)
            headers = {"Retry-After": str(fake.retry_after_s)} if status == 429 else {}
            self._json(status, {"error": {"message": f"injected {status}", "type": "server_error"}}, headers)
            return
        if fault == "schema400":
            self._record(body, authorization, fault, 400)
            self._json(400, {"error": {"message": "response_format with a schema is not supported"}})
            return
        if fault == "llamacpp500":
            self._record(body, authorization, fault, 500)
            message = "1 validation error: ('body', 'response_format', 'type') Input should be 'text' or 'json_object'"
            self._json(500, {"error": {"message": message, "type": "internal_server_error"}})
            return
        if fault == "drop":
            self._record(body, authorization, fault, 0)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        content, finish_reason = answer(fake, body, fault)
        prompt_chars = sum(len(m.get("content", "")) for m in body.get("messages", []))
        payload = {
            "id": f"chatcmpl-{len(fake.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", fake.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_chars // 4,
                "completion_tokens": len(content) // 4 + 1,
                "total_tokens": prompt_chars // 4 + len(content) // 4 + 1,
            },
        }
        if fault == "badbody":
            self._record(body, authorization, fault, 200)
            data = json.dumps(payload).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault in HOSTILE:
            self._record(body, authorization, fault, 200 if fault != "echokey400" else 400)
            self._hostile(fault, payload, authorization or "")
            return
        # Model-behaviour faults (truncate, wrong_answer, wrong_lang) are answered 200.
        recorded_fault = fault if fault in ("truncate", "wrong_answer", "wrong_lang") else None
        self._record(body, authorization, recorded_fault, 200)
        self._json(200, payload)

    def _raw(self, status: int, data: bytes, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if length:
            self.send_header("Content-Length", str(len(data)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def _hostile(self, fault: str, payload: dict[str, Any], authorization: str) -> None:
        token = authorization.removeprefix("Bearer ")
        if fault == "notjson":
            self._raw(200, b"<html>502 Bad Gateway (but sent as 200)</html>")
        elif fault == "wrongtypes":
            self._raw(200, json.dumps({"choices": "none", "usage": {"prompt_tokens": "many"}}).encode())
        elif fault == "badutf8":
            data = json.dumps(payload).encode("utf-8")
            self._raw(200, data.replace(b'"content": "', b'"content": "\xff\xfe', 1))
        elif fault in ("huge", "hugestream"):
            payload["choices"][0]["message"]["content"] = "x" * (2 * 1024 * 1024)
            self._raw(200, json.dumps(payload).encode(), length=fault == "huge")
        elif fault == "trickle":
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                for index in range(len(data)):
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                self.close_connection = True
        elif fault == "empty":
            payload["choices"][0]["message"]["content"] = ""
            self._raw(200, json.dumps(payload).encode())
        elif fault == "echokey":
            content = payload["choices"][0]["message"]["content"]
            payload["choices"][0]["message"]["content"] = content.replace(
                '"explanation": "', f'"explanation": "{token} ', 1
            )
            self._raw(200, json.dumps(payload).encode())
        elif fault == "echokey400":
            message = f"invalid request for key {token} (Authorization: {authorization})"
            self._raw(400, json.dumps({"error": {"message": message}}).encode())


HOSTILE = ("notjson", "wrongtypes", "badutf8", "huge", "hugestream", "trickle", "empty", "echokey", "echokey400")


def main() -> None:
    """Serve on a port for manual runs and benchmarks: ``python tests/generate/fake_openai_server.py``."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeOpenAI(delay_s=args.delay).start()
    print(fake.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
