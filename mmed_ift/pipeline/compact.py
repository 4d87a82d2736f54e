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

Two more copies per record are layout, not content.  A model's ``__dict__`` as pydantic makes it
is a dict of its own keys (464 bytes for an ``MCQuestion``'s 16 fields); CPython lets the
instances of a class share one table of keys (PEP 412's key-sharing dicts), so each holds only
its values (264 bytes): :meth:`SharedFieldSets.__call__` moves the fields into such a dict, same
keys in the same order and the same values.  And an MC item's option letters are new strings
per record where an adapter makes them (``"a".upper()`` is a new string; ~150 bytes an item):
they become the schema's own ``OPTION_KEYS`` strings, equal and in the same order.  Together
~410 of ~1.8 KB per multiple-choice item (measured on the bench corpus: 1,783 -> 1,369 bytes).
"""

from __future__ import annotations

import operator
from typing import Any, TypeVar

from pydantic import BaseModel

from mmed_ift.schemas import OPTION_KEY_STRINGS

M = TypeVar("M", bound=BaseModel)
#: each option letter as one string object (an equal key of a decoded record maps to it)

#: fields whose equal values items share: low-cardinality strings (few distinct per source),
#: and the MC answer keys (a list, shared by equal content)
SHARED_VALUES: tuple[str, ...] = ("answer", "exam", "subject", "year", "qtype")
#: a bound on the option-key orders remembered (a build meets a handful)
_MAX_KEY_ORDERS = 4096


class SharedFieldSets:
    """Interns the fields-sets of the models it is given, and their :data:`SHARED_VALUES`
    (one instance per build: the tables live as long as the reading does)."""

    def __init__(self) -> None:
        #: field names -> (the shared set, the names of :data:`SHARED_VALUES` among them)
        self._sets: dict[frozenset[str], tuple[set[str], tuple[str, ...]]] = {}
        #: the same, by a fields-set's names in its iteration order: a tuple is made and hashed in
        #: a fraction of a frozenset's time, and equal sets built alike iterate alike (one built
        #: otherwise is one more key, found through ``_sets`` the first time)
        self._by_order: dict[tuple[str, ...], tuple[set[str], tuple[str, ...]]] = {}
        self._values: dict[Any, Any] = {}
        #: per model class: its fields in order, and an instance dict of the class's shared keys
        self._layouts: dict[type, tuple[tuple[str, ...], dict[str, Any]]] = {}
        #: an options dict's keys in order -> the same keys as the schema's strings
        self._letters: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def __call__(self, model: M) -> M:
        """``model``, now sharing its fields-set with every earlier model that set the same fields,
        and each value of its :data:`SHARED_VALUES` with every earlier equal one.

        Written out in one function (it runs once per item read): the lookups that depend only
        on the model's class and field names are tables, so per item it makes one tuple of names,
        one of the ``__dict__``'s keys and one of the option keys."""
        own = model.__pydantic_fields_set__
        found = self._by_order.get(order := tuple(own))
        if found is None:
            found = self._by_order[order] = self._shared_set(own)
        shared, names = found
        if shared is not own:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
        kind = model.__class__
        layout = self._layouts.get(kind)
        if layout is None:
            layout = self._layouts[kind] = _layout(kind)
        fields = model.__dict__
        if tuple(fields) == layout[0]:  # exactly the class's fields in their order
            moved = layout[1].copy()  # a copy of a key-sharing dict shares the keys too
            moved.update(fields)
            object.__setattr__(model, "__dict__", moved)
            fields = moved
        if names:
            values = self._values
            for name in names:
                value = fields[name]
                if isinstance(value, str):
                    fields[name] = values.setdefault(value, value)
                elif isinstance(value, list):  # keyed apart from strings: a tuple never equals a str
                    fields[name] = values.setdefault(tuple(value), value)
        options = fields.get("options")
        if options.__class__ is dict:
            keys = tuple(options)
            letters = self._letters.get(keys)
            if letters is None:
                letters = tuple(OPTION_KEY_STRINGS.get(key, key) for key in keys)
                if len(self._letters) < _MAX_KEY_ORDERS:
                    self._letters[keys] = letters
            if not all(map(operator.is_, keys, letters)):
                fields["options"] = dict(zip(letters, options.values(), strict=True))
        return model

    def _shared_set(self, own: set[str]) -> tuple[set[str], tuple[str, ...]]:
        """The shared set for these field names (``own`` if they are new), and the names of
        :data:`SHARED_VALUES` among them."""
        key = frozenset(own)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = (own, tuple(name for name in SHARED_VALUES if name in own))
        return found

    def __len__(self) -> int:
        return len(self._sets)


def _layout(kind: type[BaseModel]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The fields of ``kind`` in order and an instance dict holding them (values None) made the
    way CPython makes key-sharing dicts: attribute by attribute on a bare instance."""
    names = tuple(kind.model_fields)
    probe = kind.__new__(kind)
    for name in names:
        object.__setattr__(probe, name, None)
    return names, probe.__dict__
