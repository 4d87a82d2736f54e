"""``--engine`` / ``--ray-address`` / ``--ray-cpus`` and the dispatch between the two engines."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module at start-up; the pipeline loads only for a build
    from mmed_ift.pipeline import BuildConfig, BuildResult

ENGINES: tuple[str, ...] = ("local", "ray")


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("engine")
    group.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local: one process; ray: Ray Data on a local instance or the cluster at --ray-address (same output)",
    )
    group.add_argument(
        "--ray-address",
        default=None,
        help="join this Ray cluster (e.g. ray://head:10001 or auto); default: start a local instance",
    )
    group.add_argument(
        "--ray-cpus", type=int, default=None, help="CPUs of a local Ray instance (default: all of this machine)"
    )
    group.add_argument(
        "--ray-write",
        choices=("auto", "workers", "driver"),
        default="auto",
        help="who writes the parquet shards: workers in parallel (--out must be on a volume every node mounts) or"
        " the driver, streaming; auto: workers on a local instance, driver on a cluster",
    )


def build_with_engine(config: BuildConfig, args: argparse.Namespace) -> BuildResult:
    """Run ``config`` on the engine ``args`` names."""
    if getattr(args, "engine", "local") == "ray":
        from mmed_ift.engine.ray_engine import run_ray_build

        write = getattr(args, "ray_write", "auto")
        return run_ray_build(
            config,
            ray_address=args.ray_address,
            num_cpus=args.ray_cpus,
            write_on_workers=None if write == "auto" else write == "workers",
        )
    from mmed_ift.pipeline import build

    return build(config)


def add_ray_check_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``ray-check``: can this cluster run a build? (Ray reachable, mmed_ift importable on workers.)"""
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
    parser.set_defaults(handler=_run_ray_check)


def _worker_version(batch: dict[str, object]) -> dict[str, object]:
    import socket

    try:
        from mmed_ift import __version__ as version
    except ImportError:
        version = "missing"
    return {"host": [socket.gethostname()], "version": [version]}


def _run_ray_check(args: argparse.Namespace) -> int:
    import ray
    import ray.data

    from mmed_ift import __version__
    from mmed_ift.engine.session import cluster_cpus, ensure_ray

    ensure_ray(args.ray_address, args.ray_cpus)
    cpus = cluster_cpus()
    nodes = [node for node in ray.nodes() if node.get("Alive")]  # type: ignore[no-untyped-call]
    rows = (
        ray.data.range(cpus, override_num_blocks=cpus)
        .map_batches(_worker_version, batch_size=1)  # type: ignore[arg-type]
        .take_all()
    )
    versions = sorted({str(row["version"]) for row in rows})
    print(f"nodes: {len(nodes)}  CPUs: {cpus}  workers' mmed_ift: {', '.join(versions)}  this machine: {__version__}")
    if versions != [__version__]:
        print("error: install this version of mmed_ift[ray] in the cluster's image (see docs/scale-out.md)")
        return 1
    return 0
