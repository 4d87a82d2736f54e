"""Filters: batch steps that keep items or reject them with a reason (never silently)."""

from mmed_ift.filters.base import FilterStep, StepResult, item_text

__all__ = ["FilterStep", "StepResult", "item_text"]
