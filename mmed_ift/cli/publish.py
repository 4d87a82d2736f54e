"""``publish``: push a finished build to the Hugging Face Hub."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mmed_ift.cli.common import run_command
from mmed_ift.cli.options import utf8_path
from mmed_ift.pipeline.config import DEFAULT_OUT


def add_publish_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``publish``; its handler returns the exit code like the other commands."""
    parser = subparsers.add_parser(
        "publish",
        help="push a finished build to the Hugging Face Hub",
        description=(
            "Push OUT/MMed-IFT to REPO and OUT/MMed-IFT-MC to REPO-MC, one commit per dataset"
            " (remote data/ files the build no longer has are deleted in the same commit). The token"
            " comes from HF_TOKEN or `hf auth login`. A build whose build_report.json has"
            " contamination_found: true or generate:invalid_sample rejects, a build made without decontamination, or"
            " one whose files no longer match the checksums recorded at build time is refused unless --force."
        ),
    )
    parser.add_argument("--out", type=utf8_path, default=DEFAULT_OUT, help="the build folder (default: %(default)s)")
    parser.add_argument("--repo", required=True, help="dataset repo id for MMed-IFT, e.g. SpassMed/MMed-IFT")
    parser.add_argument(
        "--private", action="store_true", help="create the repos as private (existing repos keep theirs)"
    )
    parser.add_argument("--revision", default=None, metavar="BRANCH", help="push to this branch (created if missing)")
    parser.add_argument("--dry-run", action="store_true", help="list the files that would be uploaded; send nothing")
    parser.add_argument("--force", action="store_true", help="publish even if the build report shows problems")
    parser.set_defaults(handler=run_publish)
    return parser


def run_publish(args: argparse.Namespace) -> int:
    from mmed_ift.hub.publish import publish

    result = publish(
        args.out, args.repo, private=args.private, revision=args.revision, dry_run=args.dry_run, force=args.force
    )
    print(result.summary())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mmed_ift.hub.publish ...``: the same command outside the main CLI."""
    return run_command("python -m mmed_ift.hub.publish", "publish", add_publish_parser, argv)
