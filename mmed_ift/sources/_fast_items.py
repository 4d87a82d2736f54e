"""Multiple-choice items made without pydantic's validation, where it could only pass.

Every item an adapter makes goes through :meth:`~mmed_ift.sources.base.SourceAdapter.make`,
and pydantic's validation of an :class:`~mmed_ift.schemas.MCQuestion` (its Python validators
above all) is about a fifth of a build's reading CPU.  Most records are plain: exact ``str``
fields, a ``dict`` of option texts keyed by known letters, a ``list`` of answer keys.  For such a
record :func:`plain_mc` checks in one pass what validation checks, makes the values validation
would make (options and answer sorted, a blank rationale or context made ``None``, the defaults
of the fields not passed) and sets them as ``model_construct`` does; anything else (a missing
field, another type, a str subclass, a blank text, an unknown key) returns ``None``, and the
caller validates as before, so every error and reject stays word for word the same.

At import, one item made both ways must come out identical (fields, their order, the
fields-set); if a pydantic release changes what a model holds, the fast path switches itself off.
The leading underscore keeps this module out of the adapter auto-import.
"""

from __future__ import annotations

import operator
from typing import Any, get_args

from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.schemas import OPTION_KEY_STRINGS, OPTION_KEYS, MCQuestion, Split

_FIELDS = tuple(MCQuestion.model_fields)
_DEFAULTS: dict[str, Any] = {
    name: field.get_default(call_default_factory=True)
    for name, field in MCQuestion.model_fields.items()
    if not field.is_required()
}
#: every field in order, the required ones as placeholders that ``fields`` always replaces
_TEMPLATE: dict[str, Any] = {name: _DEFAULTS.get(name) for name in _FIELDS}
_REQUIRED = frozenset(MCQuestion.model_fields) - frozenset(_DEFAULTS)
_ALLOWED = frozenset(MCQuestion.model_fields) - {"kind"}  # ``kind`` passed: validate
#: ``str | None`` fields
_BLANK_TO_NONE = ("rationale", "context")
_OPTIONAL = ("exam", "subject", "year", *_BLANK_TO_NONE)
_LANGUAGES = frozenset(LANGUAGE_CODES)
_SPLITS = frozenset(get_args(Split))
_OPTION_KEYS = frozenset(OPTION_KEYS)
#: every set of option keys in sorted order, as a tuple: options keyed in order need no sort
_IN_ORDER = frozenset(
    tuple(key for bit, key in enumerate(sorted(_OPTION_KEYS)) if mask >> bit & 1)
    for mask in range(1 << len(_OPTION_KEYS))
)
_set = object.__setattr__
_is = operator.is_
#: an option key -> the schema's own string for it (a key that *is* that string is a plain ``str``)
_SCHEMA_KEY = OPTION_KEY_STRINGS.get


def _checked(fields: dict[str, Any]) -> bool:
    """True when validating ``fields`` as an ``MCQuestion`` can only succeed (see the module doc).

    Written out field by field, without a call per field: this runs once per record read."""
    if not fields.keys() >= _REQUIRED or not _ALLOWED.issuperset(fields):  # no set made of the keys
        return False
    get = fields.get
    source, source_id, question = fields["source"], fields["source_id"], fields["question"]
    if (
        source.__class__ is not str or source_id.__class__ is not str or question.__class__ is not str
        or not source or source.isspace() or not source_id or source_id.isspace()
        or not question or question.isspace()
        or get("location", "").__class__ is not str or get("license", "").__class__ is not str
        or get("patient_dialogue", False).__class__ is not bool
        or fields["lang"] not in _LANGUAGES or fields["lang"].__class__ is not str
        or fields["split"] not in _SPLITS or fields["split"].__class__ is not str
    ):  # fmt: skip
        return False
    for name in _OPTIONAL:
        value = get(name)
        if value is not None and value.__class__ is not str:
            return False
    options, answer = fields["options"], fields["answer"]
    if options.__class__ is not dict or len(options) < 2 or answer.__class__ is not list or not answer:
        return False
    if not all(map(_is, options, map(_SCHEMA_KEY, options))) and (
        not _OPTION_KEYS.issuperset(options) or not all(key.__class__ is str for key in options)
    ):  # keys that are the schema's own strings (the adapters' usual case) pass in one C pass
        return False
    for text in options.values():
        if text.__class__ is not str or not text or text.isspace():
            return False
    for key in answer:
        if key.__class__ is not str or key not in options:
            return False
    return len(set(answer)) == len(answer)


def plain_mc(fields: dict[str, Any]) -> MCQuestion | None:
    """``MCQuestion(**fields)`` without validation where it could only pass; ``None`` otherwise."""
    if not _ENABLED or not _checked(fields):
        return None
    values = {**_TEMPLATE, **fields}  # in field order: a merge keeps the first dict's key order
    options = fields["options"]
    values["options"] = options.copy() if tuple(options) in _IN_ORDER else dict(sorted(options.items()))
    values["answer"] = sorted(fields["answer"])
    for name in _BLANK_TO_NONE:
        value = values[name]
        values[name] = value if value and value.strip() else None
    item = MCQuestion.__new__(MCQuestion)
    _set(item, "__dict__", values)
    _set(item, "__pydantic_fields_set__", set(fields))
    _set(item, "__pydantic_extra__", None)
    _set(item, "__pydantic_private__", None)
    return item


def same_item(made: MCQuestion, validated: MCQuestion) -> bool:
    """Equal in everything a model holds: its fields in order, the fields-set, extra and private."""
    return (
        made == validated
        and list(made.__dict__.items()) == list(validated.__dict__.items())
        and made.__pydantic_fields_set__ == validated.__pydantic_fields_set__
        and made.__pydantic_extra__ is validated.__pydantic_extra__
        and made.__pydantic_private__ is validated.__pydantic_private__
    )


def _self_check() -> bool:
    sample: dict[str, Any] = {
        "source": "medqa", "location": "a.jsonl:1", "license": "MIT", "patient_dialogue": False,
        "source_id": "US/train/1", "lang": "en", "split": "train", "question": "Which drug?",
        "options": {"B": "heparin", "A": "aspirin"}, "answer": ["B", "A"], "rationale": " ", "exam": "MedQA",
    }  # fmt: skip
    global _ENABLED
    _ENABLED = True
    made = plain_mc(sample)
    return made is not None and same_item(made, MCQuestion(**sample))


_ENABLED = True
_ENABLED = _self_check()
