"""``contamination``: audit a finished build against the benchmark test splits."""

from __future__ import annotations

import argparse

from mmed_ift.cli.options import utf8_path
from mmed_ift.pipeline.config import DEFAULT_OUT


def add_contamination_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "contamination",
        help="audit a finished build against the benchmark test splits",
        description=(
            "Check every row of a build folder against the held-out benchmark items of the sources"
            " (long shared n-grams and near-duplicate questions). Writes contamination_report.json,"
            " sets contamination_found in build_report.json and exits 1 when contamination is found."
        ),
    )
    parser.add_argument("--out", type=utf8_path, default=DEFAULT_OUT, help="build folder (default: %(default)s)")
    parser.add_argument(
        "--sources", type=utf8_path, default=None, help="folder of upstream sources (default: the bundled samples)"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from mmed_ift.pipeline.audit import AUDIT_FILE, audit, record

    result = audit(args.out, args.sources)
    record(args.out, result)
    print(result.table())
    print(f"\nwrote {args.out / AUDIT_FILE}")
    return 1 if result.found else 0
