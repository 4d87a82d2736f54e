"""Generation backends: a local transformers model, or any OpenAI-compatible server.

Both take the same :class:`~mmed_ift.evaluate.prompts.GenerationPrompt` and return the text after
the prompt, so a model evaluated in-process and the same model served by vLLM / llama.cpp /
an API can be compared item by item.  Decoding is greedy (temperature 0) in both.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from mmed_ift.evaluate.errors import EvaluationError
from mmed_ift.evaluate.prompts import GenerationPrompt, render_chat

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)


class GenerationBackend(Protocol):
    name: str

    def generate(self, prompts: Sequence[GenerationPrompt]) -> list[str]: ...


class HFGenerator:
    """Greedy batched generation with a transformers causal LM (left padding)."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        batch_size: int = 8,
        max_new_tokens: int = 32,
        name: str = "hf",
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = max(1, batch_size)
        self.max_new_tokens = max_new_tokens
        self.name = name

    def _text(self, prompt: GenerationPrompt) -> str:
        return render_chat(self.tokenizer, prompt.messages) if prompt.chat else prompt.text

    def generate(self, prompts: Sequence[GenerationPrompt]) -> list[str]:
        import torch

        texts = [self._text(prompt) for prompt in prompts]
        order = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
        outputs: list[str] = [""] * len(texts)
        side = self.tokenizer.padding_side
        self.tokenizer.padding_side = "left"
        try:
            for start in range(0, len(order), self.batch_size):
                batch = order[start : start + self.batch_size]
                encoded = self.tokenizer([texts[index] for index in batch], return_tensors="pt", padding=True)
                with torch.inference_mode():
                    generated = self.model.generate(  # type: ignore[operator]
                        **encoded,
                        max_new_tokens=self.max_new_tokens,
                        do_sample=False,
                        pad_token_id=self.tokenizer.pad_token_id,
                    )
                new_tokens = generated[:, encoded["input_ids"].shape[1] :]
                for index, tokens in zip(batch, new_tokens, strict=True):
                    outputs[index] = str(self.tokenizer.decode(tokens, skip_special_tokens=True))
        finally:
            self.tokenizer.padding_side = side
        return outputs


class OpenAIGenerator:
    """Chat completions from an OpenAI-compatible endpoint (vLLM, llama.cpp server, a hosted API)."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None,
        api_key: str | None,
        max_new_tokens: int = 32,
        concurrency: int = 4,
        timeout: float = 120.0,
        max_retries: int = 2,
    ) -> None:
        from openai import OpenAI

        self.model = model
        self.max_new_tokens = max_new_tokens
        self.concurrency = max(1, concurrency)
        self.name = f"openai:{model}"
        self.client = OpenAI(base_url=base_url, api_key=api_key or "sk-none", timeout=timeout, max_retries=max_retries)

    def _one(self, prompt: GenerationPrompt) -> str:
        import openai

        try:
            response: Any = self.client.chat.completions.create(
                model=self.model,
                messages=list(prompt.messages),  # type: ignore[arg-type]
                max_tokens=self.max_new_tokens,
                temperature=0.0,
            )
        except openai.OpenAIError as error:
            raise EvaluationError(f"the OpenAI-compatible server refused a request: {error}") from None
        return str(response.choices[0].message.content or "")

    def generate(self, prompts: Sequence[GenerationPrompt]) -> list[str]:
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(self._one, prompts))
