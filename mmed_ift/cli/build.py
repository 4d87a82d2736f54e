"""``build``: read the sources, filter, generate samples and write the dataset folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmed_ift.cli.llm_options import add_llm_arguments, config_from_args
from mmed_ift.cli.options import add_options, options_from_args, utf8_path
from mmed_ift.compose.policy import CompositionPolicy
from mmed_ift.errors import BuildError
from mmed_ift.filters.options import FilterOptions
from mmed_ift.languages import LANGUAGE_CODES

# Light imports only: the parser is built for every command, --help included.  The option
# dataclasses are imported from modules that do not load numpy, polars or a model.
from mmed_ift.pipeline.config import DEFAULT_OUT, BuildConfig, EngineOptions
from mmed_ift.wiki_options import WikiOptions


def add_build_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        "--lang", action="append", choices=LANGUAGE_CODES, default=[], help="language to build (repeat)"
    )
    parser.add_argument("--all", action="store_true", help="build all six languages")
    parser.add_argument("--out", type=utf8_path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument(
        "--sources",
        type=utf8_path,
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
    parser.add_argument(
        "--system-message",
        action="store_true",
        help="start every template sample with a short system turn in its language (default: none)",
    )
    add_options(parser, BuildConfig, only=("max_field_chars",))
    add_options(parser.add_argument_group("filters"), FilterOptions)
    add_composition_arguments(parser)
    add_options(parser.add_argument_group("wikipedia"), WikiOptions)
    add_llm_arguments(parser)
    add_options(parser.add_argument_group("engine"), EngineOptions)
    parser.set_defaults(handler=run_build_command)


def add_composition_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "composition",
        "How many training rows per language, source and task (docs/composition.md). Without --target-size every"
        " row is kept.",
    )
    group.add_argument("--target-size", type=int, default=None, help="training rows in the release (both datasets)")
    group.add_argument(
        "--balance",
        default=None,
        help="language shares: natural, equal or temperature:T (0 < T <= 1; e.g. temperature:0.3); default natural",
    )
    group.add_argument("--max-repeats", type=int, default=None, help="a row appears at most N times (default 1)")
    group.add_argument("--min-share", type=float, default=None, help="every language gets at least this share")
    group.add_argument("--max-share", type=float, default=None, help="no language gets more than this share")
    group.add_argument("--composition-seed", type=int, default=None, help="seed of the row choice (default 0)")
    group.add_argument(
        "--composition",
        type=utf8_path,
        default=None,
        metavar="YAML",
        help="a policy file (per-language min/max, per-source weights); the flags above override it",
    )
    group.add_argument(
        "--plan",
        action="store_true",
        help="print and write <out>.plan.json: rows per language x source x task, what the LLM must write,"
        " requests, tokens and cost; builds nothing",
    )


def composition_from_args(args: argparse.Namespace) -> CompositionPolicy | None:
    overrides = {
        "target_size": args.target_size,
        "balance": args.balance,
        "max_repeats": args.max_repeats,
        "min_share": args.min_share,
        "max_share": args.max_share,
        "seed": args.composition_seed,
    }
    if args.composition is not None:
        return CompositionPolicy.from_yaml(args.composition, **overrides)
    if args.target_size is None:
        given = [f"--{name.replace('_', '-')}" for name, value in overrides.items() if value is not None]
        if given or args.plan:
            raise BuildError(f"{', '.join(given) or '--plan'} needs --target-size N (or --composition FILE)")
        return None
    return CompositionPolicy(**{name: value for name, value in overrides.items() if value is not None})


def run_build_command(args: argparse.Namespace) -> int:

    from mmed_ift.pipeline import run_build
    from mmed_ift.pipeline.plan import composition_plan, dry_run, format_composition_plan, format_plan

    config = build_config_from_args(args)
    engine = options_from_args(EngineOptions, args)
    if args.plan:
        plan = composition_plan(config)
        path = config.out_dir.with_name(config.out_dir.name + ".plan.json")
        write_plan(path, plan)
        print(format_composition_plan(plan))
        print(f"\nwrote {path}")
        return 0
    if config.llm is not None and config.llm.dry_run:
        print(format_plan(dry_run(config)))
        return 0
    result = run_build(config, engine)
    print(format_summary(result.report.to_dict()))
    print(f"\nwrote {result.out_dir}")
    return 0


def build_config_from_args(args: argparse.Namespace) -> BuildConfig:
    """The :class:`BuildConfig` of parsed ``build`` flags (also used by ``bench/bench_plan.py``)."""
    languages = tuple(LANGUAGE_CODES) if args.all else tuple(dict.fromkeys(args.lang))
    return BuildConfig(
        languages=languages,
        out_dir=args.out,
        sources_dir=args.sources,
        source_names=tuple(args.source_names) or None,
        hub_sources=tuple(args.hub_sources),
        license_allow=tuple(args.license_allow),
        generator=args.generator,
        strict=args.strict,
        progress=not args.no_progress,
        max_field_chars=args.opt_max_field_chars,
        filter_options=options_from_args(FilterOptions, args),
        llm=config_from_args(args),
        composition=composition_from_args(args),
        system_message=args.system_message,
        wikipedia=options_from_args(WikiOptions, args),
    )


def write_plan(path: Path, plan: dict[str, object]) -> None:
    """``<out>.plan.json``; a file of that name that is not an earlier plan is never overwritten."""
    import json

    if path.exists():
        try:
            earlier = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            earlier = None
        if not (isinstance(earlier, dict) and {"policy", "llm_must_write"} <= set(earlier)):
            raise BuildError(f"{path} exists and is not a plan written by --plan; move it or choose another --out")
    try:
        path.write_text(json.dumps(plan, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise BuildError(f"cannot write the plan to {path}: {error.strerror or error}") from None


def format_summary(report: dict[str, object]) -> str:
    """Plain-text tables of the report: per source (training rows apart from the held-out
    benchmark rows, which only serve decontamination and evaluation) and per language."""
    sources = report["sources"]
    assert isinstance(sources, dict)
    lines = [f"{'source':<16}{'found':>6}{'read':>8}{'training':>10}{'held-out':>10}{'rejected':>10}  top reasons"]
    for name, info in sources.items():
        reasons = sorted(info["rejected_by_reason"].items(), key=lambda pair: -pair[1])[:3]
        shown = ", ".join(f"{reason} {count}" for reason, count in reasons)
        held_out = info.get("held_out", 0)
        lines.append(
            f"{name:<16}{'yes' if info['found'] else 'no':>6}{info['read']:>8}{info['kept'] - held_out:>10}"
            f"{held_out:>10}{info['rejected']:>10}  {shown}"
        )
    lines.append("")
    lines.append(f"{'language':<12}{'MMed-IFT':>10}{'MMed-IFT-MC':>13}")
    languages = report["languages"]
    assert isinstance(languages, dict)
    for lang, counts in languages.items():
        lines.append(f"{lang:<12}{counts.get('MMed-IFT', 0):>10}{counts.get('MMed-IFT-MC', 0):>13}")
    lines.append(f"\nrejected records: {report['rejected_total']} (see rejects.jsonl)")
    return "\n".join(lines)
