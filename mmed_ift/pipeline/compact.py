"""Items as the local engine holds them for the whole build: one fields-set per distinct set.

Pydantic gives every validated model its own ``__pydantic_fields_set__`` (the names the adapter
passed), a ``set`` of about a dozen names: 728 bytes of a ~2.7 KB multiple-choice item, paid
once per record although a source's records all pass the same fields.  The local engine holds
every training item through the filter chain, so :class:`SharedFieldSets` makes items with equal
field names share one set.  This is safe for our models: they are frozen with ``extra="forbid"``,
so pydantic never adds to the set of an existing model (``model_copy`` copies the set before it
updates it), and nothing in the build reads or changes it.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class SharedFieldSets:
    """Interns the fields-sets of the models it is given (one instance per build)."""

    def __init__(self) -> None:
        self._sets: dict[frozenset[str], set[str]] = {}

    def __call__(self, model: M) -> M:
        """``model``, now sharing its fields-set with every earlier model that set the same fields."""
        own = model.__pydantic_fields_set__
        shared = self._sets.setdefault(frozenset(own), own)
        if shared is not own:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
        return model

    def __len__(self) -> int:
        return len(self._sets)
