"""Evaluation harness for medical multiple-choice benchmarks, per language.

``python -m mmed_ift evaluate --model PATH --benchmarks medqa,mmedbench --method loglik`` scores a
model on the held-out splits the source adapters read (log-likelihood with lm-evaluation-harness's
acc / acc_norm, or generation with per-language answer extraction, locally or through an
OpenAI-compatible API) and writes accuracy per benchmark and language with 95 % intervals.

Modules: ``benchmarks`` (which items), ``prompts`` (how they are asked), ``loglik`` (batched
scoring), ``backends`` (generation), ``extract`` (reading answers), ``scoring`` (verdicts),
``stats`` (Wilson intervals), ``results`` (tables and files), ``references`` (published figures),
``runner`` (one run), ``catalog`` (what can be evaluated); the command is :mod:`mmed_ift.cli.evaluate`.
"""

from __future__ import annotations

from mmed_ift.lazy import lazy_getattr

_WHERE = {
    "BENCHMARKS": "mmed_ift.evaluate.catalog",
    "load_benchmark": "mmed_ift.evaluate.benchmarks",
    "BenchmarkNotFoundError": "mmed_ift.evaluate.errors",
    "EvaluationError": "mmed_ift.evaluate.errors",
    "extract_answer": "mmed_ift.evaluate.extract",
    "EvaluationReport": "mmed_ift.evaluate.results",
    "EvalConfig": "mmed_ift.evaluate.runner",
    "evaluate": "mmed_ift.evaluate.runner",
    "wilson_interval": "mmed_ift.evaluate.stats",
}


__getattr__ = lazy_getattr("mmed_ift.evaluate", _WHERE)


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
