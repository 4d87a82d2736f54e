"""Starting or joining Ray: a local instance sized to this machine, or an existing cluster.

``ray.init(address=...)`` joins a running cluster (``ray up``, KubeRay, ``ray start --head``);
without an address a local instance is started with the CPUs asked for and no dashboard (it
costs memory and a port and nobody looks at it during a build).  An instance that is already
running in this process (a test session, a notebook) is reused as it is.
"""

from __future__ import annotations

import logging

from mmed_ift.errors import MMedIFTError


class RayEngineError(MMedIFTError):
    """Ray is missing, or the cluster at ``--ray-address`` cannot be reached."""


def ensure_ray(address: str | None = None, num_cpus: int | None = None, progress: bool = False) -> None:
    """Connect to (or start) Ray once per process and quieten Ray Data for batch builds."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise RayEngineError("the Ray engine needs Ray Data: pip install 'mmed-ift[ray]' (ray[data])") from None
    if not ray.is_initialized():
        try:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as error:
            where = address or "a local instance"
            raise RayEngineError(f"could not start or join Ray at {where}: {error}") from None
    from ray.data.context import ShuffleStrategy

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = progress
    # Sort-based shuffles run as plain tasks; the hash shuffle starts aggregator actors first,
    # which costs seconds per groupby on a small cluster and buys nothing for our few shuffles.
    context.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)


def cluster_cpus() -> int:
    """CPUs Ray can schedule on, used to size the number of shuffle partitions."""
    import ray

    resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
    return max(1, int(resources.get("CPU", 1)))


def _worker_version(batch: dict[str, object]) -> dict[str, object]:
    """Runs on a worker: its host and the mmed_ift version it imports ("missing" if none)."""
    import socket

    try:
        from mmed_ift import __version__ as version
    except ImportError:
        version = "missing"
    return {"host": [socket.gethostname()], "version": [version]}


def check_cluster(address: str | None = None, num_cpus: int | None = None) -> tuple[int, int, list[str]]:
    """(alive nodes, CPUs, the mmed_ift versions the workers import): one small task per CPU."""
    import ray
    import ray.data

    ensure_ray(address, num_cpus)
    cpus = cluster_cpus()
    nodes = [node for node in ray.nodes() if node.get("Alive")]  # type: ignore[no-untyped-call]
    rows = (
        ray.data.range(cpus, override_num_blocks=cpus)
        .map_batches(_worker_version, batch_size=1)  # type: ignore[arg-type]
        .take_all()
    )
    return len(nodes), cpus, sorted({str(row["version"]) for row in rows})
