"""Verdicts, intervals and batched scores against independently computed expectations."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from mmed_ift.evaluate.loglik import LoglikScorer
from mmed_ift.evaluate.scoring import judge_loglik
from mmed_ift.evaluate.stats import wilson_interval

PAIRS = [
    ("Question: A 45-year-old man has chest pain.\nA. MI\nB. GERD\nAnswer:", " A"),
    ("Question: A 45-year-old man has chest pain.\nA. MI\nB. GERD\nAnswer:", " B"),
    ("Question: Which drug lowers glucose?\nAnswer:", " metformin hydrochloride"),
    ("Context: 答案 Ответ\nQuestion: short", " Réponse : B"),
    ("Question: trailing space moves to the continuation ", "A"),
]


def _reference_logprob(model: Any, tokenizer: Any, context: str, continuation: str) -> float:
    """Unbatched, no padding, full logits: the textbook sum of log p(token | prefix)."""
    stripped = context.rstrip()
    continuation = context[len(stripped) :] + continuation
    context_ids = tokenizer(stripped)["input_ids"]
    whole = tokenizer(stripped + continuation)["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([whole])).logits[0]
    logprobs = torch.log_softmax(logits.double(), dim=-1)
    return sum(float(logprobs[position - 1, whole[position]]) for position in range(len(context_ids), len(whole)))


@pytest.mark.parametrize("batch_size", [1, 3, 16])
def test_scores_equal_the_unbatched_textbook_sum(tiny: tuple[Any, Any], batch_size: int) -> None:
    model, tokenizer = tiny
    scores = LoglikScorer(model, tokenizer, batch_size=batch_size).score(PAIRS)
    expected = [_reference_logprob(model, tokenizer, context, continuation) for context, continuation in PAIRS]
    assert [score.logprob for score in scores] == pytest.approx(expected, abs=1e-4)
    assert all(score.logprob < 0 for score in scores)


def test_shared_context_gives_the_same_numbers_as_one_pass_per_option(tiny: tuple[Any, Any]) -> None:
    model, tokenizer = tiny
    scorer = LoglikScorer(model, tokenizer, batch_size=4)
    groups = [(PAIRS[0][0], [" A", " B", " C", " D"]), (PAIRS[2][0], [" metformin", " insulin glargine"])]
    shared = scorer.score_groups(groups)
    separate = scorer.score_groups(groups, share_context=False)
    for shared_group, separate_group in zip(shared, separate, strict=True):
        assert [s.logprob for s in shared_group] == pytest.approx([s.logprob for s in separate_group], abs=1e-4)
        assert [s.is_greedy for s in shared_group] == [s.is_greedy for s in separate_group]


def test_greedy_flag_marks_the_argmax_token(tiny: tuple[Any, Any]) -> None:
    model, tokenizer = tiny
    context = PAIRS[0][0]
    ids = tokenizer(context)["input_ids"]
    with torch.no_grad():
        best = int(model(torch.tensor([ids])).logits[0, -1].argmax())
    greedy_text = tokenizer.decode([best])
    (score,) = LoglikScorer(model, tokenizer).score([(context, greedy_text)])
    assert score.tokens == 1 and score.is_greedy


def test_acc_acc_norm_and_acc_bytes_follow_the_harness_rules() -> None:
    # acc: highest sum (B); acc_norm: -2/2=-1, -1.5/1, -3/4=-0.75 -> C
    verdict = judge_loglik(["A", "B", "C"], ["aa", "b", "cccc"], [-2.0, -1.5, -3.0], ["C"])
    assert (verdict.pred, verdict.pred_norm, verdict.acc, verdict.acc_norm) == ("B", "C", False, True)
    # one char each, but "é" is 2 bytes: by chars B (-1.0 > -1.5), by bytes A (-0.75 > -1.0)
    verdict = judge_loglik(["A", "B"], ["é", "e"], [-1.5, -1.0], ["A"])
    assert (verdict.pred_norm, verdict.pred_bytes, verdict.acc_bytes) == ("B", "A", True)
    # ties go to the first option, as numpy.argmax
    assert judge_loglik(["A", "B"], ["x", "y"], [-1.0, -1.0], ["B"]).pred == "A"
    # multi-answer: the top option only has to be one of the gold keys
    assert judge_loglik(["A", "B", "C"], ["a", "b", "c"], [-3.0, -1.0, -2.0], ["B", "C"]).acc


@pytest.mark.parametrize(("successes", "total"), [(0, 10), (3, 10), (10, 10), (199, 1273), (1, 1), (57, 60)])
def test_wilson_interval_matches_scipy(successes: int, total: int) -> None:
    from scipy.stats import binomtest

    expected = binomtest(successes, total).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(successes, total)
    assert (low, high) == pytest.approx((expected.low, expected.high), abs=1e-9)
    assert low <= successes / total <= high


def test_wilson_interval_rejects_impossible_counts() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(5, 3)
