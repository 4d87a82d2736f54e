"""Filters: each step keeps or rejects every record, with a reason code and structured evidence.

The contract is in :mod:`mmed_ift.filters.base` (item filters, key-group filters) and
:mod:`mmed_ift.filters.graph` (similarity-graph filters); the chain a build runs, and how to add a
filter, in :mod:`mmed_ift.filters.chain`.
"""
