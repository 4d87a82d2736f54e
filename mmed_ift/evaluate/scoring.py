"""Turning model outputs into per-item verdicts.

Log-likelihood (lm-evaluation-harness's ``multiple_choice`` rules, ``ConfigurableTask.process_results``):

* ``acc``: the option whose continuation has the highest summed log-probability is the prediction;
* ``acc_norm``: the same after dividing each sum by the length in characters of the choice string
  (the continuation without its leading delimiter), so long option texts are not penalised for
  having more tokens;
* ``acc_bytes``: divided by the UTF-8 byte length instead (the harness reports this too; it differs
  from ``acc_norm`` for non-Latin scripts, where a character is 2-3 bytes).

Ties go to the first option, as ``numpy.argmax`` does in the harness.  A log-likelihood
prediction is always one option, so a multi-answer item (FrenchMedMCQA, some IgakuQA and MMedBench
items) counts as correct when the prediction is *one of* the correct keys: the harness's
``multiple_target`` rule.  Generation is stricter: the extracted set of keys must equal the gold
set exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LoglikVerdict:
    pred: str
    pred_norm: str
    pred_bytes: str
    acc: bool
    acc_norm: bool
    acc_bytes: bool


def _argmax(values: Sequence[float]) -> int:
    best = 0
    for index, value in enumerate(values):
        if value > values[best]:
            best = index
    return best


def judge_loglik(
    keys: Sequence[str], choices: Sequence[str], logprobs: Sequence[float], gold: Sequence[str]
) -> LoglikVerdict:
    """Predictions and hits for one item from its per-option summed log-probabilities."""
    if not (len(keys) == len(choices) == len(logprobs)) or not keys:
        raise ValueError("keys, choices and log-probabilities must be non-empty and of the same length")
    by_chars = [value / max(1, len(choice)) for value, choice in zip(logprobs, choices, strict=True)]
    by_bytes = [value / max(1, len(choice.encode("utf-8"))) for value, choice in zip(logprobs, choices, strict=True)]
    pred = keys[_argmax(logprobs)]
    pred_norm = keys[_argmax(by_chars)]
    pred_bytes = keys[_argmax(by_bytes)]
    correct = set(gold)
    return LoglikVerdict(pred, pred_norm, pred_bytes, pred in correct, pred_norm in correct, pred_bytes in correct)


def judge_generation(extracted: Sequence[str] | None, gold: Sequence[str]) -> bool:
    """A generated answer is right only when its set of keys is exactly the gold set."""
    return extracted is not None and set(extracted) == set(gold)
