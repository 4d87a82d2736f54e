"""Errors of the evaluation harness, as :class:`~mmed_ift.errors.MMedIFTError` so the CLI prints one line."""

from __future__ import annotations

from mmed_ift.errors import MMedIFTError


class EvaluationError(MMedIFTError):
    """The evaluation could not run as asked (bad option, no items, model or API failure)."""


class BenchmarkNotFoundError(EvaluationError):
    """A benchmark name is unknown, or its files are not where the user pointed."""
