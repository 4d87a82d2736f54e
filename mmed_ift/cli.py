"""Command line: ``python -m mmed_ift build | sources | schemas``.

Errors the user can fix are printed as one line (``error: ...``) with exit code 2; a traceback
means a bug in this library.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from mmed_ift.engine import add_engine_arguments, add_ray_check_parser, build_with_engine
from mmed_ift.errors import MMedIFTError
from mmed_ift.evaluate.cli import add_evaluate_parser
from mmed_ift.filters.audit import add_contamination_parser
from mmed_ift.filters.chain import add_filter_arguments, filter_options_from_args
from mmed_ift.generate.llm import add_llm_arguments, config_from_args, dry_run, format_plan
from mmed_ift.hub.publish import add_publish_parser
from mmed_ift.languages import LANGUAGE_CODES, LANGUAGES
from mmed_ift.train.cli import add_train_parser

REPO_SCHEMAS_DIR = Path("schemas")


def _add_build(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build MMed-IFT and MMed-IFT-MC for some languages",
        description=(
            "Read the sources, filter, generate samples and write MMed-IFT/ and MMed-IFT-MC/ as"
            " Hugging Face dataset folders plus build_report.json and rejects.jsonl. Without"
            " --sources it builds from the small samples bundled with the package."
        ),
    )
    parser.add_argument(
        "--lang",
        action="append",
        choices=LANGUAGE_CODES,
        default=[],
        help="language to build (repeat for several)",
    )
    parser.add_argument("--all", action="store_true", help="build all six languages")
    parser.add_argument("--out", type=Path, default=Path("mmed_ift_out"), help="output folder (default: %(default)s)")
    parser.add_argument(
        "--sources",
        type=Path,
        default=None,
        help="folder holding one sub-folder per source, named as `mmed_ift sources` lists (default: bundled samples)",
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        dest="source_names",
        help="only use this source (repeat for several; default: all that are found)",
    )
    parser.add_argument(
        "--hub",
        action="append",
        default=[],
        dest="hub_sources",
        metavar="NAME[=REPO][@REV]",
        help="download this source from the Hugging Face Hub (its known dataset id, or REPO) and read it;"
        " needs a network connection",
    )
    parser.add_argument(
        "--license-allow",
        action="append",
        default=[],
        metavar="SPDX_ID",
        help="use only sources under these licenses (repeat: --license-allow MIT --license-allow Apache-2.0)",
    )
    parser.add_argument(
        "--generator",
        choices=["template", "openai"],
        default="template",
        help="sample generator: 'template' is offline and deterministic; 'openai' adds LLM-written samples",
    )
    parser.add_argument("--strict", action="store_true", help="exit non-zero if any record was rejected")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    add_filter_arguments(parser)
    add_llm_arguments(parser)
    add_engine_arguments(parser)
    parser.set_defaults(handler=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from mmed_ift.pipeline import BuildConfig

    languages = tuple(LANGUAGE_CODES) if args.all else tuple(dict.fromkeys(args.lang))
    config = BuildConfig(
        languages=languages,
        out_dir=args.out,
        sources_dir=args.sources,
        source_names=tuple(args.source_names) or None,
        hub_sources=tuple(args.hub_sources),
        license_allow=tuple(args.license_allow),
        generator=args.generator,
        strict=args.strict,
        progress=not args.no_progress,
        filter_options=filter_options_from_args(args),
        llm=config_from_args(args),
    )
    if config.llm is not None and config.llm.dry_run:
        print(format_plan(dry_run(config)))
        return 0
    result = build_with_engine(config, args)
    print(format_summary(result.report.to_dict()))
    print(f"\nwrote {result.out_dir}")
    return 0


def format_summary(report: dict[str, object]) -> str:
    """Plain-text tables of the report: per source and per language."""
    sources = report["sources"]
    assert isinstance(sources, dict)
    lines = [f"{'source':<16}{'found':>6}{'read':>8}{'kept':>8}{'rejected':>10}  top reasons"]
    for name, info in sources.items():
        reasons = sorted(info["rejected_by_reason"].items(), key=lambda pair: -pair[1])[:3]
        shown = ", ".join(f"{reason} {count}" for reason, count in reasons)
        lines.append(
            f"{name:<16}{'yes' if info['found'] else 'no':>6}{info['read']:>8}{info['kept']:>8}"
            f"{info['rejected']:>10}  {shown}"
        )
    lines.append("")
    lines.append(f"{'language':<12}{'MMed-IFT':>10}{'MMed-IFT-MC':>13}")
    languages = report["languages"]
    assert isinstance(languages, dict)
    for lang, counts in languages.items():
        lines.append(f"{lang:<12}{counts.get('MMed-IFT', 0):>10}{counts.get('MMed-IFT-MC', 0):>13}")
    lines.append(f"\nrejected records: {report['rejected_total']} (see rejects.jsonl)")
    return "\n".join(lines)


def _add_sources(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _add_schemas(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "schemas",
        help="write the JSON Schema of every record model",
        description="Export the Pydantic models as JSON Schema files (one per model).",
    )
    parser.add_argument("--out", type=Path, default=REPO_SCHEMAS_DIR, help="folder (default: %(default)s)")
    parser.set_defaults(handler=_run_schemas)


def _run_schemas(args: argparse.Namespace) -> int:
    from mmed_ift.schema_export import write_schemas

    for path in write_schemas(args.out):
        print(path)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mmed_ift",
        description="Build open multilingual medical instruction-tuning datasets (MMed-IFT, MMed-IFT-MC).",
        epilog=f"languages: {', '.join(f'{code} ({lang.name})' for code, lang in LANGUAGES.items())}",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_build(subparsers)
    _add_sources(subparsers)
    _add_schemas(subparsers)
    add_publish_parser(subparsers)
    add_ray_check_parser(subparsers)
    add_contamination_parser(subparsers)
    add_train_parser(subparsers)
    add_evaluate_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
    except MMedIFTError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code
