"""``ray-check``: can this Ray cluster run ``build --engine ray``?"""

from __future__ import annotations

import argparse

from mmed_ift import __version__


def add_ray_check_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ray-check",
        help="check that a Ray cluster can run `build --engine ray`",
        description=(
            "Connect to the Ray cluster (or start a local instance), run one small task per CPU and report the"
            " nodes, CPUs and the mmed_ift version the workers import. Exit 1 if a worker lacks mmed_ift or has"
            " another version than this machine."
        ),
    )
    parser.add_argument("--ray-address", default=None, help="cluster address (default: start a local instance)")
    parser.add_argument("--ray-cpus", type=int, default=None, help="CPUs of a local instance")
    parser.set_defaults(handler=run_ray_check)


def run_ray_check(args: argparse.Namespace) -> int:
    from mmed_ift.pipeline.distributed.session import check_cluster

    nodes, cpus, versions = check_cluster(args.ray_address, args.ray_cpus)
    print(f"nodes: {nodes}  CPUs: {cpus}  workers' mmed_ift: {', '.join(versions)}  this machine: {__version__}")
    if versions != [__version__]:
        print("error: install this version of mmed_ift[ray] in the cluster's image (see docs/scale-out.md)")
        return 1
    return 0
