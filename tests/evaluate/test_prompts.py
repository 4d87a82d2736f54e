"""Prompts: the harness format byte for byte, the recipe format, few-shot choice, chat rendering."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from mmed_ift.evaluate.prompts import PromptOptions, generation_prompt, loglik_request, pick_shots
from mmed_ift.schemas import MCQuestion


def _item(index: int, lang: str = "en", answer: tuple[str, ...] = ("B",), split: str = "test") -> MCQuestion:
    return MCQuestion(
        source="mmedbench",
        source_id=f"{split}/{lang}/{index}",
        lang=lang,
        split=split,
        question=f"Question number {index}: which drug?",
        options={"A": "aspirin", "B": "metformin", "C": "insulin", "D": "warfarin"},
        answer=list(answer),
    )


def _harness_doc_to_text() -> Any:
    import lm_eval

    path = Path(lm_eval.__file__).parent / "tasks" / "medqa" / "preprocess_medqa.py"
    spec = importlib.util.spec_from_file_location("preprocess_medqa", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.doc_to_text


def test_lmeval_style_is_the_harness_medqa_prompt() -> None:
    item = _item(1)
    doc = {"sent1": item.question, **{f"ending{i}": item.options[k] for i, k in enumerate("ABCD")}}
    request = loglik_request(item, [], PromptOptions())
    assert request.context == _harness_doc_to_text()(doc)
    assert request.continuations == (" A", " B", " C", " D")
    assert request.choices == ("A", "B", "C", "D")


def test_text_continuations_score_the_option_text() -> None:
    request = loglik_request(_item(1), [], PromptOptions(continuation="text"))
    assert request.continuations == (" aspirin", " metformin", " insulin", " warfarin")


def test_recipe_style_uses_the_training_prompt_and_answer_line() -> None:
    item = _item(2, lang="ja")
    request = loglik_request(item, [], PromptOptions(style="recipe"))
    assert request.context.startswith("次の多肢選択問題に答えてください。")
    assert "A. aspirin" in request.context
    assert request.continuations == ("答え：A", "答え：B", "答え：C", "答え：D")


def test_shots_come_from_the_pool_in_the_same_language_and_are_stable() -> None:
    item = _item(0)
    pool = [_item(i, split="train") for i in range(1, 9)] + [_item(50, lang="fr", split="train")]
    shots = pick_shots(item, pool, 3, seed=0)
    assert len(shots) == 3 and all(shot.lang == "en" and shot.split == "train" for shot in shots)
    assert shots == pick_shots(item, pool, 3, seed=0)
    assert pick_shots(item, [item], 2, seed=0) == []  # never the item itself
    request = loglik_request(item, pool, PromptOptions(shots=3))
    assert request.context.count("Question: ") == 4
    assert request.context.count("Answer: B\n\nQuestion") == 3


def test_chat_prompt_puts_shots_in_earlier_turns(tiny: tuple[Any, Any]) -> None:
    _, tokenizer = tiny
    item = _item(0, answer=("A", "C"))
    pool = [_item(i, split="train") for i in range(1, 4)]
    prompt = generation_prompt(item, pool, PromptOptions(style="recipe", chat=True, shots=2))
    assert [m["role"] for m in prompt.messages] == ["user", "assistant", "user", "assistant", "user"]
    assert prompt.messages[1]["content"] == "Answer: B"
    assert "choose all correct options" in prompt.messages[-1]["content"]  # the multi-answer instruction
    request = loglik_request(item, pool, PromptOptions(style="recipe", chat=True), tokenizer)
    assert request.context.endswith("<|im_start|>assistant\n")
    assert request.continuations[0] == "Answer: A<|im_end|>"
