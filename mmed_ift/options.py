"""Typed options: one dataclass per component, with its defaults, help text and ranges in one place.

A component declares its options with :func:`option`; the command line is generated from those
declarations (:mod:`mmed_ift.cli.options`), and :func:`check_ranges` validates an instance however
it was made (flags, Python, a saved report), naming the flag a user would type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from mmed_ift.errors import MMedIFTError


class OptionError(MMedIFTError, ValueError):
    """An option value out of its range; the message names the option and the range."""


def option(
    default: Any,
    *,
    help: str,
    flag: str | None = None,
    negate: bool = False,
    choices: Sequence[Any] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    metavar: str | None = None,
) -> Any:
    """A dataclass field with what the command line needs to offer it.

    ``flag``: the command-line flag (None: not on the command line).  ``negate``: a boolean
    option whose flag turns it off (``--no-pii``).  ``minimum``/``maximum`` are inclusive bounds,
    ``above`` an exclusive lower bound; None values pass (they mean "choose for me").
    """
    metadata = {
        "help": help,
        "flag": flag,
        "negate": negate,
        "choices": tuple(choices) if choices is not None else None,
        "minimum": minimum,
        "maximum": maximum,
        "above": above,
        "metavar": metavar,
    }
    return dataclasses.field(default=default, metadata=metadata)


def label(field: dataclasses.Field[Any]) -> str:
    """How a user names the option: its flag, or the field name when it has none."""
    return str(field.metadata.get("flag") or field.name)


def describe_range(meta: Mapping[str, Any]) -> str:
    """The allowed range in interval notation: ``(0, 1]``, ``[2, 1024]``, ``at least 1``."""
    low = meta.get("above") if meta.get("above") is not None else meta.get("minimum")
    high = meta.get("maximum")
    if low is not None and high is not None:
        left = "(" if meta.get("above") is not None else "["
        return f"in {left}{low:g}, {high:g}]"
    if low is not None:
        return f"greater than {low:g}" if meta.get("above") is not None else f"at least {low:g}"
    return f"at most {high:g}"


def check_ranges(instance: Any) -> None:
    """Raise :class:`OptionError` for the first field of ``instance`` outside its declared range."""
    for field in dataclasses.fields(instance):
        value = getattr(instance, field.name)
        meta = field.metadata
        if value is None or isinstance(value, bool) or not meta:
            continue
        if meta.get("choices") is not None and value not in meta["choices"]:
            raise OptionError(f"{label(field)} must be one of {', '.join(map(str, meta['choices']))}, got {value!r}")
        if not isinstance(value, int | float):
            continue
        too_low = (meta.get("minimum") is not None and value < meta["minimum"]) or (
            meta.get("above") is not None and value <= meta["above"]
        )
        too_high = meta.get("maximum") is not None and value > meta["maximum"]
        if too_low or too_high:
            raise OptionError(f"{label(field)} must be {describe_range(meta)}, got {value:g}")
