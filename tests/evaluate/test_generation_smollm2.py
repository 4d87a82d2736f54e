"""Generation mode with a real instruct model: SmolLM2 answers in the trained answer line.

With three examples of the recipe's answer line as earlier chat turns, SmolLM2-135M-Instruct
copies the format, so the extractor must read most of its answers; every verdict must agree with
re-extracting the stored output.  Accuracy itself is not asserted (the model is at chance).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mmed_ift.evaluate.extract import extract_answer
from mmed_ift.evaluate.runner import EvalConfig, evaluate
from tests.evaluate.conftest import write_mmedbench

pytestmark = pytest.mark.slow


def test_smollm2_follows_the_answer_line_and_is_parsed(smollm2: tuple[Any, Any], tmp_path: Path) -> None:
    model, tokenizer = smollm2
    questions = [
        ("Which organ produces insulin?", {"A": "Liver", "B": "Pancreas", "C": "Kidney", "D": "Spleen"}, "B"),
        ("Which vitamin deficiency causes scurvy?", {"A": "Vitamin C", "B": "Vitamin D", "C": "Vitamin K"}, "A"),
        ("What is the normal adult resting heart rate?", {"A": "10-20", "B": "200-250", "C": "60-100"}, "C"),
        ("Which blood cells carry oxygen?", {"A": "Platelets", "B": "Red blood cells", "C": "Neutrophils"}, "B"),
    ]
    records = [{"question": q, "options": o, "answer_idx": a, "rationale": ""} for q, o, a in questions]
    write_mmedbench(tmp_path, "English", records)
    train = tmp_path / "mmedbench" / "Train"
    train.mkdir()
    (train / "English.jsonl").write_text((tmp_path / "mmedbench" / "Test" / "English.jsonl").read_text())
    config = EvalConfig(
        model="smollm2",
        benchmarks=(("mmedbench", None),),
        data_dir=tmp_path,
        method="generate",
        shots=3,
        max_new_tokens=8,
        batch_size=4,
    )
    report = evaluate(config, model=model, tokenizer=tokenizer)
    assert len(report.items) == 4
    parsed = [item for item in report.items if item.pred is not None]
    assert len(parsed) >= 3, [item.output for item in report.items]
    for item in report.items:
        assert item.output is not None and item.prompt.count("Answer the following") == 4
        keys = tuple(questions[int(item.source_id.rsplit("/", 1)[1]) - 1][1])
        assert item.pred == extract_answer(item.output, "en", keys)
        assert item.correct == (item.pred == item.gold)
