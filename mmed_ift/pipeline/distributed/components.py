"""Hash partitioning of seqs and pairs, and connected components on Ray Data.

The components are found with large-star / small-star rounds (Kiveris et al., 2014): each round
is one shuffle for each star, vectorised within a partition, and nothing proportional to the
edges goes through the driver.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mmed_ift.errors import BuildError

I64 = npt.NDArray[np.int64]
#: large-star / small-star needs O(log^2 n) rounds; this many means something is wrong
MAX_ROUNDS = 200
EDGE_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64())])
DIRECTED_SCHEMA = pa.schema([("part", pa.int32()), ("a", pa.int64()), ("b", pa.int64())])
STAR_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64()), ("changed", pa.int64())])


# -- partitioning --------------------------------------------------------------------------------


def seq_part(seqs: npt.NDArray[np.int64], partitions: int) -> npt.NDArray[np.int32]:
    """Hash partition of each seq (seqs are (source, record) bit fields, so mix them first)."""
    with np.errstate(over="ignore"):
        mixed = seqs.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return ((mixed >> np.uint64(32)) % np.uint64(partitions)).astype(np.int32)


def pair_part(a: I64, b: I64, partitions: int) -> npt.NDArray[np.int32]:
    with np.errstate(over="ignore"):
        mixed = a.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F) + b.astype(np.uint64)
    return seq_part(mixed.astype(np.int64), partitions)


def table_of(schema: pa.Schema, **columns: Any) -> pa.Table:
    return pa.table({field.name: columns[field.name] for field in schema}, schema=schema)


def ints(batch: pa.Table, name: str) -> I64:
    return np.asarray(batch[name].to_numpy(), dtype=np.int64)


# -- 3. connected components ---------------------------------------------------------------------


def _groups(keys: I64) -> tuple[I64, I64]:
    """Start index and size of each run of equal values in sorted ``keys``."""
    starts = np.concatenate(([0], np.flatnonzero(np.diff(keys) != 0) + 1)).astype(np.int64)
    return starts, np.diff(np.concatenate((starts, [len(keys)]))).astype(np.int64)


def both_directions(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_batches`` body: edge ``(a, b)`` as ``a -> b`` and ``b -> a``, keyed by the source node."""
    a, b = ints(batch, "a"), ints(batch, "b")
    source, target = np.concatenate([a, b]), np.concatenate([b, a])
    return table_of(DIRECTED_SCHEMA, part=seq_part(source, partitions), a=source, b=target)


def by_larger_end(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_batches`` body: edges ``(a, b)``, ``a < b``, keyed by ``b``."""
    a, b = ints(batch, "a"), ints(batch, "b")
    return table_of(DIRECTED_SCHEMA, part=seq_part(b, partitions), a=a, b=b)


def large_star_partition(batch: pa.Table) -> pa.Table:
    """``map_groups`` body: each node ``u`` links its larger neighbours to ``min(u, neighbours)``."""
    pairs = np.unique(np.stack([ints(batch, "a"), ints(batch, "b")], axis=1), axis=0)
    node, neighbour = pairs[:, 0], pairs[:, 1]
    starts, sizes = _groups(node)
    smallest = np.minimum(node[starts], neighbour[starts])  # neighbours are sorted within a node
    low = np.repeat(smallest, sizes)
    larger = neighbour > node
    out = np.unique(np.stack([low[larger], neighbour[larger]], axis=1), axis=0)
    changed = np.zeros(len(out), dtype=np.int64)
    if len(out):
        changed[0] = int((low[larger] != node[larger]).sum())
    return table_of(STAR_SCHEMA, a=out[:, 0], b=out[:, 1], changed=changed)


def small_star_partition(batch: pa.Table) -> pa.Table:
    """``map_groups`` body: each node ``v`` links itself and its smaller neighbours to the smallest."""
    pairs = np.unique(np.stack([ints(batch, "b"), ints(batch, "a")], axis=1), axis=0)
    node, neighbour = pairs[:, 0], pairs[:, 1]  # neighbour < node
    starts, sizes = _groups(node)
    low = np.repeat(neighbour[starts], sizes)  # the smallest neighbour of each node
    rewired = neighbour != low
    to_node = np.stack([neighbour[starts], node[starts]], axis=1)
    to_neighbours = np.stack([low[rewired], neighbour[rewired]], axis=1)
    out = np.unique(np.concatenate([to_node, to_neighbours]), axis=0)
    changed = np.zeros(len(out), dtype=np.int64)
    if len(out):
        changed[0] = int(rewired.sum())
    return table_of(STAR_SCHEMA, a=out[:, 0], b=out[:, 1], changed=changed)


def _star_round(edges: Any, partitions: int, keying: Any, body: Any) -> tuple[Any, int]:
    result = (
        edges.map_batches(keying, batch_format="pyarrow", fn_kwargs={"partitions": partitions})
        .groupby("part", num_partitions=partitions)
        .map_groups(body, batch_format="pyarrow")
        .materialize()
    )
    changed = result.sum("changed") or 0
    return result.select_columns(["a", "b"]), int(changed)


def connected_components(edges: Any, partitions: int) -> tuple[Any, int]:
    """Large-star / small-star (Kiveris et al., 2014) over an edge dataset ``(a, b)``, ``a < b``.

    Returns the star edges ``(root, member)``, one per non-root node, where ``root`` is the
    smallest seq of the member's component, and the number of rounds.  Each round is one
    shuffle for each star; it stops when a round changes no edge.
    """
    for rounds in range(1, MAX_ROUNDS + 1):
        edges, large = _star_round(edges, partitions, both_directions, large_star_partition)
        edges, small = _star_round(edges, partitions, by_larger_end, small_star_partition)
        if large == small == 0:
            return edges, rounds
    raise BuildError(f"near dedup: connected components did not converge in {MAX_ROUNDS} rounds")
