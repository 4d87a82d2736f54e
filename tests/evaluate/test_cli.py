"""The evaluate command end to end: files written, counts, intervals, references, API backend."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from mmed_ift.evaluate.errors import EvaluationError
from mmed_ift.evaluate.stats import wilson_interval
from tests.evaluate.conftest import MEDQA_US, run_evaluate, write_mmedbench


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench-data")
    base = {"options": {"A": "aspirine", "B": "metformine", "C": "insuline"}, "answer_idx": "B", "rationale": "r"}
    write_mmedbench(root, "French", [{**base, "question": f"Quel médicament {i} ?"} for i in range(4)])
    multi = {**base, "answer_idx": "A,C"}
    write_mmedbench(root, "Japanese", [{**multi, "question": f"正しいものを選べ {i}。"} for i in range(3)])
    train = root / "mmedbench" / "Train"
    train.mkdir()
    (train / "French.jsonl").write_text(json.dumps({**base, "question": "Exemple ?"}) + "\n", encoding="utf-8")
    return root


def _results(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return loaded


def _row(results: dict[str, Any], benchmark: str, lang: str) -> dict[str, Any]:
    (row,) = [r for r in results["results"] if r["benchmark"] == benchmark and r["lang"] == lang]
    return row


def test_loglik_run_writes_tables_predictions_and_references(tiny_dir: Path, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["--model", str(tiny_dir), "--benchmarks", f"mmedbench,medqa={MEDQA_US}", "--data", str(data)]
    assert run_evaluate([*argv, "--limit", "5", "--shots", "1", "--out", str(out)]) == 0
    results = _results(out)
    assert _row(results, "medqa", "en")["n"] == 5
    assert (_row(results, "mmedbench", "fr")["n"], _row(results, "mmedbench", "ja")["n"]) == (4, 3)
    assert _row(results, "mmedbench", "ja")["multi_answer_items"] == 3
    assert _row(results, "all", "all")["n"] == 12
    predictions = [json.loads(line) for line in (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(predictions) == 12
    for benchmark, lang in (("medqa", "en"), ("mmedbench", "fr"), ("all", "all")):
        row = _row(results, benchmark, lang)
        mine = [p for p in predictions if benchmark in ("all", p["benchmark"]) and lang in ("all", p["lang"])]
        correct = sum(p["correct"] for p in mine)
        assert row["acc"]["correct"] == correct
        assert row["acc"]["ci95"] == pytest.approx(list(wilson_interval(correct, len(mine))))
        assert row["acc_norm"]["correct"] == sum(p["correct_norm"] for p in mine)
    first = next(p for p in predictions if p["benchmark"] == "medqa")
    assert set(first["logprobs"]) == set("ABCD") and first["pred"][0] in "ABCD"
    french = next(p for p in predictions if p["lang"] == "fr")
    assert "Question: Exemple ?" in french["prompt"]  # the one shot from Train/French.jsonl
    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert "## Reference figures (published, not run here)" in markdown
    assert "henrychur.github.io/MultilingualMedQA" in markdown
    assert "| mmedbench | ja | 3 |" in markdown
    assert all(ref["label"] == "published, not run here" for ref in results["references"])


def test_generate_run_counts_unparsed_outputs(tiny_dir: Path, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    argv = ["--model", str(tiny_dir), "--benchmarks", "mmedbench", "--data", str(data), "--lang", "fr"]
    assert run_evaluate([*argv, "--method", "generate", "--max-new-tokens", "4", "--out", str(out)]) == 0
    results = _results(out)
    predictions = [json.loads(line) for line in (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(predictions) == 4 and all(isinstance(p["output"], str) for p in predictions)
    assert _row(results, "mmedbench", "fr")["unparsed"] == sum(p["pred"] is None for p in predictions)
    assert results["settings"]["chat_template"] is True and results["settings"]["prompt_style"] == "recipe"


class _FakeOpenAI(BaseHTTPRequestHandler):
    """Answers every chat completion with the trained answer line for B, and records the requests."""

    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        prompt = body["messages"][-1]["content"]
        answer = "答え：A、C" if "正しいもの" in prompt else "La bonne réponse est la B."
        payload = {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def fake_api() -> Iterator[str]:
    _FakeOpenAI.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_compatible_backend(fake_api: str, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "api"
    argv = ["--model", "served-model", "--api-base", fake_api, "--benchmarks", "mmedbench", "--data", str(data)]
    assert run_evaluate([*argv, "--method", "generate", "--out", str(out)]) == 0
    results = _results(out)
    # fr gold is B and the server says B; ja gold is {A, C} and the server says A、C
    assert _row(results, "mmedbench", "fr")["acc"]["correct"] == 4
    assert _row(results, "mmedbench", "ja")["acc"]["correct"] == 3
    assert len(_FakeOpenAI.requests) == 7
    assert all(r["model"] == "served-model" and r["temperature"] == 0 for r in _FakeOpenAI.requests)
    assert all(r["messages"][-1]["role"] == "user" for r in _FakeOpenAI.requests)


def test_api_cannot_do_loglik(data: Path, tmp_path: Path) -> None:
    argv = ["--model", "m", "--api-base", "http://127.0.0.1:9/v1", "--benchmarks", "mmedbench", "--data", str(data)]
    with pytest.raises(EvaluationError, match="log-likelihood"):
        run_evaluate([*argv, "--out", str(tmp_path)])


def test_no_items_is_an_error_a_user_can_act_on(tiny_dir: Path, data: Path, tmp_path: Path) -> None:
    argv = ["--model", str(tiny_dir), "--benchmarks", "mmedbench", "--data", str(data), "--lang", "zh"]
    with pytest.raises(EvaluationError, match="no benchmark item"):
        run_evaluate([*argv, "--out", str(tmp_path)])
