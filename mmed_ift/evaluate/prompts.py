"""How an MC item becomes a prompt, for log-likelihood scoring and for generation.

Two prompt styles, because they answer two different questions:

* ``lmeval``: lm-evaluation-harness's ``medqa_4options`` format (``Question: ...\\nA. ...\\nAnswer:``
  scored on ``" A"``/``" B"``...).  Numbers are comparable with published harness results, and a
  test checks that our scores equal the harness's on the same model and items.
* ``recipe``: the user turn the MC training recipe writes (:func:`mmed_ift.generate.template.mc_prompt`,
  with the per-language instruction) answered in the fixed per-language answer line
  (``Answer: B``, ``答案：B``...).  This is how a model fine-tuned on MMed-IFT-MC was taught to
  answer, so it measures what the training taught rather than the model's luck with a foreign
  format.

With the chat template on, the prompt is rendered as a conversation and few-shot examples
become earlier user/assistant turns; with it off, everything is one plain text.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mmed_ift.evaluate.catalog import ContinuationKind, PromptStyle
from mmed_ift.generate.template import mc_prompt
from mmed_ift.languages import get_language
from mmed_ift.schemas import MCQuestion

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

#: lm-eval's defaults: between a prompt and its answer, and between few-shot examples
TARGET_DELIMITER = " "
FEWSHOT_DELIMITER = "\n\n"

Message = dict[str, str]


@dataclass(frozen=True)
class PromptOptions:
    style: PromptStyle = "lmeval"
    continuation: ContinuationKind = "letter"
    chat: bool = False
    shots: int = 0
    seed: int = 0


@dataclass(frozen=True)
class LoglikRequest:
    """One item as log-likelihood requests: a shared context and one continuation per option."""

    context: str
    keys: tuple[str, ...]
    #: the text scored after the context, one per option (delimiter included)
    continuations: tuple[str, ...]
    #: lm-eval's "choices": the continuation without the delimiter; acc_norm divides by its length
    choices: tuple[str, ...]


@dataclass(frozen=True)
class GenerationPrompt:
    """What a generation backend is given: chat messages, and the same prompt as plain text."""

    messages: tuple[Message, ...]
    text: str
    chat: bool


def lmeval_question(item: MCQuestion) -> str:
    """lm-eval's medqa_4options ``doc_to_text``; a passage (PubMedQA, RuMedDaNet) goes first."""
    options = "".join(f"{key}. {text}\n" for key, text in item.options.items())
    passage = f"Context: {item.context}\n" if item.context else ""
    return f"{passage}Question: {item.question}\n{options}Answer:"


def _lmeval_target(item: MCQuestion, keys: Sequence[str], kind: ContinuationKind) -> str:
    if kind == "letter":
        return ", ".join(keys)
    return "; ".join(item.options[key] for key in keys)


def _recipe_target(item: MCQuestion, keys: Sequence[str], kind: ContinuationKind) -> str:
    language = get_language(item.lang)
    line = language.format_answer(list(keys))
    if kind == "letter":
        return line
    return "\n".join([line, *(language.format_option(key, item.options[key].strip()) for key in keys)])


def pick_shots(item: MCQuestion, pool: Sequence[MCQuestion], k: int, seed: int) -> list[MCQuestion]:
    """``k`` examples of the item's language, never the item itself; the same on every run."""
    if k <= 0:
        return []
    candidates = [
        shot
        for shot in pool
        if shot.lang == item.lang and shot.source_id != item.source_id and shot.question != item.question
    ]
    rng = random.Random(f"{seed}:{item.source}:{item.source_id}")
    return rng.sample(candidates, min(k, len(candidates)))


def _user_turn(item: MCQuestion, style: PromptStyle) -> str:
    return lmeval_question(item) if style == "lmeval" else mc_prompt(item, get_language(item.lang))


def _target(item: MCQuestion, keys: Sequence[str], options: PromptOptions) -> str:
    if options.style == "lmeval":
        return _lmeval_target(item, keys, options.continuation)
    return _recipe_target(item, keys, options.continuation)


def _chat_messages(item: MCQuestion, shots: Sequence[MCQuestion], options: PromptOptions) -> list[Message]:
    messages: list[Message] = []
    for shot in shots:
        messages.append({"role": "user", "content": _user_turn(shot, options.style)})
        messages.append({"role": "assistant", "content": _target(shot, shot.answer, options)})
    messages.append({"role": "user", "content": _user_turn(item, options.style)})
    return messages


def _plain_text(item: MCQuestion, shots: Sequence[MCQuestion], options: PromptOptions) -> str:
    """The prompt with no chat template: examples and question joined as lm-eval joins them."""
    if options.style == "lmeval":
        parts = [
            f"{lmeval_question(shot)}{TARGET_DELIMITER}{_lmeval_target(shot, shot.answer, options.continuation)}"
            for shot in shots
        ]
        return FEWSHOT_DELIMITER.join([*parts, lmeval_question(item)])
    parts = [
        f"{mc_prompt(shot, get_language(shot.lang))}\n{_recipe_target(shot, shot.answer, options.continuation)}"
        for shot in shots
    ]
    return FEWSHOT_DELIMITER.join([*parts, mc_prompt(item, get_language(item.lang)) + "\n"])


def render_chat(tokenizer: PreTrainedTokenizerBase, messages: Sequence[Message]) -> str:
    """The tokenizer's chat template, ending with the assistant header the answer follows."""
    if not tokenizer.chat_template:
        raise ValueError("the tokenizer has no chat template; run with --chat-template off")
    text = tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)
    return str(text)


def loglik_request(
    item: MCQuestion,
    pool: Sequence[MCQuestion],
    options: PromptOptions,
    tokenizer: PreTrainedTokenizerBase | None = None,
) -> LoglikRequest:
    """Context and per-option continuations for log-likelihood scoring."""
    shots = pick_shots(item, pool, options.shots, options.seed)
    keys = tuple(item.options)
    if options.chat:
        if tokenizer is None:
            raise ValueError("a chat-template prompt needs the tokenizer")
        # the answer is the assistant turn, closed by the end-of-turn token as in training
        context = render_chat(tokenizer, _chat_messages(item, shots, options))
        choices = tuple(_target(item, [key], options) for key in keys)
        closing = tokenizer.eos_token or ""
        return LoglikRequest(context, keys, tuple(choice + closing for choice in choices), choices)
    context = _plain_text(item, shots, options)
    if options.style == "lmeval":
        choices = tuple(_lmeval_target(item, [key], options.continuation) for key in keys)
        return LoglikRequest(context, keys, tuple(TARGET_DELIMITER + choice for choice in choices), choices)
    choices = tuple(_recipe_target(item, [key], options.continuation) for key in keys)
    return LoglikRequest(context, keys, choices, choices)


def generation_prompt(item: MCQuestion, pool: Sequence[MCQuestion], options: PromptOptions) -> GenerationPrompt:
    """The prompt a model answers in free text (the answer is then extracted from its output)."""
    shots = pick_shots(item, pool, options.shots, options.seed)
    if options.chat:
        messages = _chat_messages(item, shots, options)
        return GenerationPrompt(tuple(messages), "\n\n".join(m["content"] for m in messages), True)
    text = _plain_text(item, shots, options)
    return GenerationPrompt(({"role": "user", "content": text},), text, False)
