"""Shared fixtures: a tiny random Llama saved to disk (milliseconds to build) and benchmark files.

The tiny model's tokenizer is trained on the real benchmark samples so that every script in the
tests tokenises into real sub-words rather than bytes only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import VENDORED_REALDATA, require_smollm2

MEDQA_US = VENDORED_REALDATA / "medqa_us"


def _texts() -> list[str]:
    texts = []
    for line in (MEDQA_US / "phrases_no_exclude_test.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts.append(record["question"] + " " + " ".join(record["options"].values()))
    texts += ["Question: Answer: A. B. C. D. E. Context:", "答案：答え：Réponse : Ответ: Respuesta:"] * 5
    return texts


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama + tokenizer written with save_pretrained, loadable by any from_pretrained."""
    from mmed_ift.pretrained import tiny_llama, train_tokenizer

    folder = tmp_path_factory.mktemp("tiny-llama")
    tokenizer = train_tokenizer(_texts(), vocab_size=800)
    model = tiny_llama(tokenizer, seed=3)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny(tiny_dir: Path) -> tuple[Any, Any]:
    from mmed_ift.pretrained import load_model

    model, tokenizer = load_model(str(tiny_dir))
    return model.eval(), tokenizer


@pytest.fixture(scope="session")
def smollm2() -> tuple[Any, Any]:
    from mmed_ift.pretrained import load_model

    require_smollm2()

    model, tokenizer = load_model("smollm2")
    return model.eval(), tokenizer


def write_mmedbench(root: Path, lang_file: str, records: list[dict[str, Any]]) -> Path:
    """A MMedBench Test/<Language>.jsonl in the upstream format."""
    folder = root / "mmedbench" / "Test"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lang_file}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def run_evaluate(argv: list[str]) -> int:
    """``python -m mmed_ift evaluate ARGV`` in this process (its exit code)."""
    from mmed_ift.cli.evaluate import add_evaluate_parser

    parser = argparse.ArgumentParser()
    add_evaluate_parser(parser.add_subparsers())
    args = parser.parse_args(["evaluate", *argv])
    code: int = args.handler(args)
    return code
