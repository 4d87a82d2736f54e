"""Run one sub-command on its own (``python -m mmed_ift.train``, ``python -m mmed_ift.evaluate``...).

Some commands are started outside the main CLI (``accelerate launch -m mmed_ift.train`` needs a
module of its own); they parse and report errors exactly like ``python -m mmed_ift <command>``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, cast

from mmed_ift.cli.options import OneLineParser
from mmed_ift.errors import MMedIFTError

AddParser = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], Any]


def run_command(prog: str, command: str, add_parser: AddParser, argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``) as ``command``'s arguments and run it."""
    parser = OneLineParser(prog=prog)
    subparsers = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(title="commands", metavar="COMMAND", required=True),
    )
    add_parser(subparsers)
    args = parser.parse_args([command, *(sys.argv[1:] if argv is None else argv)])
    try:
        code: int = args.handler(args)
    except MMedIFTError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code
