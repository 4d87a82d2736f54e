"""Command-line flags generated from the typed options of a component (:func:`mmed_ift.options.option`).

Defaults, help, choices and ranges live on the dataclass field; this module only translates:
``add_options`` offers every field that has a flag, ``options_from_args`` builds the dataclass
back from the parsed namespace (which validates it).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")


def _dest(field: dataclasses.Field[Any]) -> str:
    return f"opt_{field.name}"


def _type_of(field: dataclasses.Field[Any]) -> Any:
    annotation = str(field.type)
    if annotation.startswith("int"):
        return int
    if annotation.startswith("float"):
        return float
    return str


def add_options(
    group: argparse._ArgumentGroup | argparse.ArgumentParser, options: type[Any], only: tuple[str, ...] | None = None
) -> None:
    """One flag per field of ``options`` that declares one (``only``: just these fields)."""
    for field in dataclasses.fields(options):
        meta = field.metadata
        flag = meta.get("flag")
        if not flag or (only is not None and field.name not in only):
            continue
        default = field.default
        help_text = str(meta["help"])
        if meta.get("negate"):
            group.add_argument(flag, dest=_dest(field), action="store_false", default=default, help=help_text)
            continue
        if str(field.type) == "bool":  # an opt-in switch (default off)
            group.add_argument(flag, dest=_dest(field), action="store_true", default=default, help=help_text)
            continue
        if default is not None:
            help_text += " (default: %(default)s)"
        group.add_argument(
            flag,
            dest=_dest(field),
            type=_type_of(field),
            choices=meta.get("choices"),
            default=default,
            metavar=meta.get("metavar"),
            help=help_text,
        )


def options_from_args(options: type[T], args: argparse.Namespace) -> T:
    """The ``options`` dataclass from the flags ``add_options`` offered (others keep defaults)."""
    values = {
        field.name: getattr(args, _dest(field))
        for field in dataclasses.fields(options)  # type: ignore[arg-type]
        if field.metadata.get("flag") and hasattr(args, _dest(field))
    }
    return options(**values)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``error: ...``) and exit 2, like the library's."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def utf8_path(text: str) -> Path:
    """A path argument; one that is not valid UTF-8 (undecodable bytes on the command line) is
    refused, since it could not be written into the report, the card or the logs."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
        raise argparse.ArgumentTypeError(f"{shown!r} is not valid UTF-8; rename it or choose another path") from None
    return Path(text)
