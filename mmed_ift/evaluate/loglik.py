"""Log-likelihood of continuations given contexts, batched, the way lm-evaluation-harness computes it.

Tokenisation follows the harness (``TemplateLM._encode_pair``): trailing whitespace of the
context moves to the continuation, the pair is tokenised *together* and the continuation is the
tokens after the context's own tokenisation, so a word-initial space merges into the
continuation's first token exactly as in the harness.  Sequences longer than ``max_length`` are
cut from the left.

Batching pads on the left and passes explicit position ids, so every row's continuation sits in
the last positions of the batch; only those positions go through the LM head
(``logits_to_keep``), which keeps memory at batch × continuation × vocabulary instead of
batch × sequence × vocabulary (SmolLM2's vocabulary is 49k).  Requests are sorted by length so a
batch holds similar lengths and little padding.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


@dataclass(frozen=True)
class LoglikResult:
    """Sum of the continuation's token log-probabilities, and whether greedy decoding gives it."""

    logprob: float
    is_greedy: bool
    tokens: int


def encode_pair(tokenizer: PreTrainedTokenizerBase, context: str, continuation: str) -> tuple[list[int], list[int]]:
    """(context ids, continuation ids) exactly as the harness splits a causal-LM request."""
    if not context:
        raise ValueError("the context must not be empty")
    spaces = len(context) - len(context.rstrip())
    if spaces:
        continuation = context[-spaces:] + continuation
        context = context[:-spaces]
    whole: list[int] = tokenizer(context + continuation)["input_ids"]
    context_ids: list[int] = tokenizer(context)["input_ids"]
    return context_ids, whole[len(context_ids) :]


class LoglikScorer:
    """Scores (context, continuation) pairs with a causal LM; ``batch_size=1`` is the one-by-one baseline."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        batch_size: int = 8,
        max_length: int | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = max(1, batch_size)
        configured = getattr(model.config, "max_position_embeddings", None)
        self.max_length = max_length or (int(configured) if configured else 2048)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self.pad_id = int(pad) if pad is not None else 0
        self._keeps_logits = "logits_to_keep" in inspect.signature(model.forward).parameters

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[LoglikResult]:
        """One result per pair, in the order given."""
        encoded = [encode_pair(self.tokenizer, context, continuation) for context, continuation in pairs]
        rows = []
        for context_ids, continuation_ids in encoded:
            if not continuation_ids:
                raise ValueError("a continuation tokenised to nothing; it cannot be scored")
            if len(continuation_ids) > self.max_length:
                raise ValueError(f"a {len(continuation_ids)}-token continuation exceeds max_length {self.max_length}")
            sequence = (context_ids + continuation_ids)[-(self.max_length + 1) :]
            rows.append((sequence[:-1], continuation_ids))
        order = sorted(range(len(rows)), key=lambda index: -len(rows[index][0]))
        results: list[LoglikResult | None] = [None] * len(rows)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            for index, result in zip(batch, self._score_batch([rows[index] for index in batch]), strict=True):
                results[index] = result
        return [result for result in results if result is not None]

    def score_groups(
        self, groups: Sequence[tuple[str, Sequence[str]]], *, share_context: bool = True
    ) -> list[list[LoglikResult]]:
        """Results for (context, continuations) groups, e.g. one MC item and its options.

        When every continuation of a group is a single token (``" A"``, ``" B"``...), all of them
        are read from the same next-token distribution: one forward pass of the context per item
        instead of one per option.  The numbers are the ones :meth:`score` gives, since the harness
        also scores a one-token continuation from the context's last position.
        """
        flat: list[tuple[int, str, str]] = []
        fast: list[tuple[int, list[int], list[int]]] = []
        for index, (context, continuations) in enumerate(groups):
            encoded = [encode_pair(self.tokenizer, context, continuation) for continuation in continuations]
            contexts = {tuple(context_ids) for context_ids, _ in encoded}
            if share_context and len(contexts) == 1 and all(len(ids) == 1 for _, ids in encoded):
                fast.append((index, encoded[0][0][-self.max_length :], [ids[0] for _, ids in encoded]))
            else:
                flat += [(index, context, continuation) for continuation in continuations]
        results: list[list[LoglikResult]] = [[] for _ in groups]
        for index, result in zip(
            [index for index, _, _ in flat], self.score([(c, k) for _, c, k in flat]), strict=True
        ):
            results[index].append(result)
        order = sorted(range(len(fast)), key=lambda position: -len(fast[position][1]))
        for start in range(0, len(order), self.batch_size):
            batch = [fast[position] for position in order[start : start + self.batch_size]]
            for (index, _, tokens), row in zip(
                batch, self._next_token_logprobs([ids for _, ids, _ in batch]), strict=True
            ):
                best = int(row.argmax())
                results[index] = [LoglikResult(float(row[token]), best == token, 1) for token in tokens]
        return results

    def _next_token_logprobs(self, contexts: Sequence[list[int]]) -> Any:
        import torch

        input_ids, attention, positions = self._left_padded(contexts)
        logits = self._logits(input_ids, attention, positions, 1)
        return torch.log_softmax(logits[:, -1].float(), dim=-1)

    def _left_padded(self, sequences: Sequence[list[int]]) -> tuple[Any, Any, Any]:
        import torch

        width = max(len(ids) for ids in sequences)
        input_ids = torch.full((len(sequences), width), self.pad_id, dtype=torch.long)
        attention = torch.zeros((len(sequences), width), dtype=torch.long)
        for row, ids in enumerate(sequences):
            input_ids[row, width - len(ids) :] = torch.tensor(ids, dtype=torch.long)
            attention[row, width - len(ids) :] = 1
        return input_ids, attention, (attention.cumsum(-1) - 1).clamp(min=0)

    def _score_batch(self, rows: Sequence[tuple[list[int], list[int]]]) -> list[LoglikResult]:
        import torch

        keep = max(len(targets) for _, targets in rows)
        input_ids, attention, positions = self._left_padded([inputs for inputs, _ in rows])
        logits = self._logits(input_ids, attention, positions, keep)
        logprobs = torch.log_softmax(logits.float(), dim=-1)
        results = []
        for row, (_, targets) in enumerate(rows):
            target = torch.tensor(targets, dtype=torch.long)
            row_logprobs = logprobs[row, logprobs.shape[1] - len(targets) :]
            picked = row_logprobs.gather(-1, target.unsqueeze(-1)).squeeze(-1)
            greedy = bool((row_logprobs.argmax(-1) == target).all())
            results.append(LoglikResult(float(picked.sum()), greedy, len(targets)))
        return results

    def _logits(self, input_ids: torch.Tensor, attention: torch.Tensor, positions: torch.Tensor, keep: int) -> Any:
        import torch

        kwargs: dict[str, Any] = {"input_ids": input_ids, "attention_mask": attention, "position_ids": positions}
        if self._keeps_logits:
            kwargs["logits_to_keep"] = keep
        with torch.inference_mode():
            logits = self.model(**kwargs).logits
        return logits[:, -keep:]
