"""Items as the local engine holds them for the whole build: one fields-set per distinct set,
one object per distinct value of the fields whose values repeat across records.

Pydantic gives every validated model its own ``__pydantic_fields_set__`` (the names the adapter
passed), a ``set`` of about a dozen names: 728 bytes of a ~2.7 KB multiple-choice item, paid
once per record although a source's records all pass the same fields.  The local engine holds
every training item through the filter chain, so :class:`SharedFieldSets` makes items with equal
field names share one set.  This is safe for our models: they are frozen with ``extra="forbid"``,
so pydantic never adds to the set of an existing model (``model_copy`` copies the set before it
updates it), and nothing in the build reads or changes it.

The same holds for the values of :data:`SHARED_VALUES`: a JSON decoder makes a new string per
record for an exam name, a subject or a year, and pydantic a new list per answer (``["A"]``), so
200k multiple-choice items held ~200 bytes each of copies of a few dozen distinct values (~38 MiB).
Equal values become one object.  Strings are immutable; the answer lists are never changed in
place (the build only reads them: templates join them, checks compare them; a ``model_copy``
shares them already), and the models are frozen, so no field is ever reassigned either.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

#: fields whose equal values items share: low-cardinality strings (few distinct per source),
#: and the MC answer keys (a list, shared by equal content)
SHARED_VALUES: tuple[str, ...] = ("answer", "exam", "subject", "year", "qtype")


class SharedFieldSets:
    """Interns the fields-sets of the models it is given, and their :data:`SHARED_VALUES`
    (one instance per build: the tables live as long as the reading does)."""

    def __init__(self) -> None:
        #: field names -> (the shared set, the names of :data:`SHARED_VALUES` among them)
        self._sets: dict[frozenset[str], tuple[set[str], tuple[str, ...]]] = {}
        self._values: dict[Any, Any] = {}

    def __call__(self, model: M) -> M:
        """``model``, now sharing its fields-set with every earlier model that set the same fields,
        and each value of its :data:`SHARED_VALUES` with every earlier equal one."""
        own = model.__pydantic_fields_set__
        key = frozenset(own)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = (own, tuple(name for name in SHARED_VALUES if name in own))
        shared, names = found
        if shared is not own:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
        if names:
            fields, values = model.__dict__, self._values
            for name in names:
                value = fields[name]
                if isinstance(value, str):
                    fields[name] = values.setdefault(value, value)
                elif isinstance(value, list):  # keyed apart from strings: a tuple never equals a str
                    fields[name] = values.setdefault(tuple(value), value)
        return model

    def __len__(self) -> int:
        return len(self._sets)
