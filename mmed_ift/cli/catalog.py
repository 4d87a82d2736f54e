"""``sources`` and ``schemas``: what the library knows (adapters, record models)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mmed_ift.cli.options import utf8_path

REPO_SCHEMAS_DIR = Path("schemas")


def add_sources_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="list the source adapters",
        description="List every registered source: languages, kinds, license, splits and the file names it expects.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=_run_sources)


def _run_sources(args: argparse.Namespace) -> int:
    from mmed_ift.sources import registry

    specs = [adapter.spec for adapter in registry().values()]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": spec.name,
                        "title": spec.title,
                        "languages": list(spec.languages),
                        "kinds": list(spec.kinds),
                        "license": spec.license,
                        "splits": list(spec.splits),
                        "expected_files": list(spec.expected_files),
                        "hub_id": spec.hub_id,
                        "url": spec.url,
                        "training": spec.training,
                    }
                    for spec in specs
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for spec in specs:
        use = "" if spec.training else " (evaluation only)"
        print(f"{spec.name}: {spec.title}{use}")
        print(f"  languages: {', '.join(spec.languages)}   kinds: {', '.join(spec.kinds)}   license: {spec.license}")
        print(f"  splits: {', '.join(spec.splits)}   hub: {spec.hub_id or '-'}   {spec.url}")
        print(f"  expects under <sources>/{spec.name}/: {', '.join(spec.expected_files)}")
    return 0


def add_schemas_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "schemas",
        help="write the JSON Schema of every record model",
        description="Export the Pydantic models as JSON Schema files (one per model).",
    )
    parser.add_argument("--out", type=utf8_path, default=REPO_SCHEMAS_DIR, help="folder (default: %(default)s)")
    parser.set_defaults(handler=_run_schemas)


def _run_schemas(args: argparse.Namespace) -> int:
    from mmed_ift.schema_export import write_schemas

    for path in write_schemas(args.out):
        print(path)
    return 0
