"""Command line: ``python -m mmed_ift build | sources | schemas``.

Errors the user can fix are printed as one line (``error: ...``) with exit code 2; a traceback
means a bug in this library.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import cast

from mmed_ift.cli.build import add_build_parser, format_summary, run_build_command
from mmed_ift.cli.catalog import add_schemas_parser, add_sources_parser
from mmed_ift.cli.contamination import add_contamination_parser
from mmed_ift.cli.evaluate import add_evaluate_parser
from mmed_ift.cli.options import OneLineParser
from mmed_ift.cli.publish import add_publish_parser
from mmed_ift.cli.ray_check import add_ray_check_parser
from mmed_ift.cli.train import add_train_parser
from mmed_ift.errors import MMedIFTError
from mmed_ift.languages import LANGUAGES

__all__ = ["format_summary", "main", "make_parser"]


def _add_common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """-v/-q/--debug, accepted before or after the sub-command (a sub-command's copy does not
    overwrite what was given before it)."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("-v", "--verbose", action="store_const", const=True, default=default, help="log debug messages")
    parser.add_argument(
        "-q", "--quiet", action="store_const", const=True, default=default, help="only warnings and errors"
    )
    parser.add_argument(
        "--debug", action="store_const", const=True, default=default, help="show the traceback of an unexpected error"
    )


def make_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m mmed_ift",
        description="Build open multilingual medical instruction-tuning datasets (MMed-IFT, MMed-IFT-MC).",
        epilog=f"languages: {', '.join(f'{code} ({lang.name})' for code, lang in LANGUAGES.items())}",
    )
    _add_common(parser, suppress=False)
    subparsers = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(title="commands", metavar="COMMAND"),
    )
    add_build_parser(subparsers)
    add_sources_parser(subparsers)
    add_schemas_parser(subparsers)
    add_publish_parser(subparsers)
    add_ray_check_parser(subparsers)
    add_contamination_parser(subparsers)
    add_train_parser(subparsers)
    add_evaluate_parser(subparsers)
    for sub in subparsers.choices.values():
        _add_common(sub, suppress=True)
    return parser


def _interrupted(args: argparse.Namespace) -> str:
    if getattr(args, "handler", None) is run_build_command:
        return f"interrupted; the previous build in {args.out} is intact"
    return "interrupted"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = make_parser()
    except Exception as error:  # a bug in building the parser: still one line, not a traceback
        print(f"error: unexpected {type(error).__name__} while starting: {error} (a bug in mmed_ift)", file=sys.stderr)
        return 1
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
    except MMedIFTError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # a progress bar may have left the cursor mid-line: the message gets a line of its own
        fresh = "" if getattr(args, "no_progress", True) else "\n"
        print(f"{fresh}{_interrupted(args)}", file=sys.stderr)
        return 130
    except OSError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug: one line for the user, the traceback with --debug
        if args.debug:
            raise
        print(
            f"error: unexpected {type(error).__name__}: {error} (this is a bug in mmed_ift; rerun with --debug"
            " for the traceback and report it)",
            file=sys.stderr,
        )
        return 1
    return code
