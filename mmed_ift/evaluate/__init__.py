"""Evaluation harness for medical multiple-choice benchmarks, per language.

``python -m mmed_ift evaluate --model PATH --benchmarks medqa,mmedbench --method loglik`` scores a
model on the held-out splits the source adapters read (log-likelihood with lm-evaluation-harness's
acc / acc_norm, or generation with per-language answer extraction, locally or through an
OpenAI-compatible API) and writes accuracy per benchmark and language with 95 % intervals.

Modules: ``benchmarks`` (which items), ``prompts`` (how they are asked), ``loglik`` (batched
scoring), ``backends`` (generation), ``extract`` (reading answers), ``scoring`` (verdicts),
``stats`` (Wilson intervals), ``report`` (tables and files), ``references`` (published figures),
``runner`` (one run), ``cli`` (the command).
"""

from __future__ import annotations

from mmed_ift.evaluate.benchmarks import BENCHMARKS, load_benchmark
from mmed_ift.evaluate.errors import BenchmarkNotFoundError, EvaluationError
from mmed_ift.evaluate.extract import extract_answer
from mmed_ift.evaluate.results import EvaluationReport
from mmed_ift.evaluate.runner import EvalConfig, evaluate
from mmed_ift.evaluate.stats import wilson_interval

__all__ = [
    "BENCHMARKS",
    "BenchmarkNotFoundError",
    "EvalConfig",
    "EvaluationError",
    "EvaluationReport",
    "evaluate",
    "extract_answer",
    "load_benchmark",
    "wilson_interval",
]
