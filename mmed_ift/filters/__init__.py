"""Filters: each step keeps or rejects every record, with a reason code and structured evidence.

The contract is in :mod:`mmed_ift.filters.base` (item filters, key-group and similarity-graph
corpus filters); the chain a build runs and how to add a filter is in :mod:`mmed_ift.filters.chain`.
"""

from mmed_ift.filters.base import Filter, ItemFilter, KeyGroupFilter, Rejection, StepResult, item_text

__all__ = ["Filter", "ItemFilter", "KeyGroupFilter", "Rejection", "StepResult", "item_text"]
