"""Random walks on a CSR graph: node2vec's second-order walks and DeepWalk's first-order ones.

In: a :class:`~embedlab.data.graphs.Graph`, the walks per node, the walk length, ``p``, ``q``
and a seed. Out: an int32 matrix, one walk per row (node rows; ``-1`` pads a walk that reached
a node with no out-edge).

Written here (numba) rather than taken from PecanPy or the ``node2vec`` package because both
pin numpy below 2 and, for the second-order bias, either precompute per-edge tables (memory
grows with the sum of squared degrees) or rebuild each step's distribution over the whole
neighbourhood (PecanPy's SparseOTF: time grows with the hubs' degrees). We sample by rejection
instead (as KnightKing and fastnode2vec do): draw a neighbour x of the current node by edge
weight (uniformly, or by binary search in per-row cumulative weights), then accept it with
probability ``alpha(x) / max(1/p, 1, 1/q)``, where ``alpha`` is ``1/p`` for the previous node,
``1`` for its neighbours (a binary search in its sorted row) and ``1/q`` otherwise. That is
the exact node2vec distribution, with memory linear in edges and a cost per step of a few
binary searches. ``p = q = 1`` skips the test (DeepWalk).

Walks are parallel over cores (numba ``prange``) and reproducible whatever the thread count:
each walk draws from its own counter-based generator (SplitMix64 on the seed and the walk's
number), and the start nodes are shuffled per round by a seeded numpy generator.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, set_num_threads

from embedlab.data.graphs import Graph
from embedlab.errors import EmbedlabError
from embedlab.progress import progress_bar

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_CHUNK = 20_000  # fewest walks per parallel call (the progress bar moves once per call)


@njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _uniform(state: np.uint64) -> tuple[np.uint64, float]:  # pragma: no cover - compiled
    state = state + _GOLDEN
    return state, float(_mix(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def _pick(indptr, cumw, weighted, cur, u) -> int:  # pragma: no cover - compiled
    begin, end = indptr[cur], indptr[cur + 1]
    if not weighted:
        k = begin + np.int64(u * (end - begin))
        return min(k, end - 1)
    row = cumw[begin:end]
    k = begin + np.searchsorted(row, u * row[-1], side="right")
    return min(k, end - 1)


@njit(cache=True, inline="always")
def _linked(indptr, indices, a, b) -> bool:  # pragma: no cover - compiled
    row = indices[indptr[a]:indptr[a + 1]]
    k = np.searchsorted(row, b)
    return k < len(row) and row[k] == b


@njit(cache=True, parallel=True, nogil=True)
def _walk_chunk(indptr, indices, cumw, weighted, starts, first_id, length, inv_p, inv_q,
                seed, out):  # pragma: no cover - compiled
    second_order = inv_p != 1.0 or inv_q != 1.0
    top = max(inv_p, 1.0, inv_q)
    for w in prange(len(starts)):
        state = _mix(np.uint64(seed) * _GOLDEN + np.uint64(first_id + w))
        cur = starts[w]
        prev = -1
        out[w, 0] = cur
        for step in range(1, length):
            if indptr[cur] == indptr[cur + 1]:
                out[w, step:] = -1
                break
            if prev < 0 or not second_order:
                state, u = _uniform(state)
                nxt = indices[_pick(indptr, cumw, weighted, cur, u)]
            else:
                while True:
                    state, u = _uniform(state)
                    nxt = indices[_pick(indptr, cumw, weighted, cur, u)]
                    if nxt == prev:
                        alpha = inv_p
                    elif _linked(indptr, indices, prev, nxt):
                        alpha = 1.0
                    else:
                        alpha = inv_q
                    state, u = _uniform(state)
                    if u * top < alpha:
                        break
            out[w, step] = nxt
            prev = cur
            cur = nxt


def _row_cumsum(graph: Graph) -> np.ndarray:
    """Per-row cumulative weights (row-local), for sampling a neighbour by weight."""
    adj = graph.adj
    total = np.cumsum(adj.data, dtype=np.float64)
    before = np.concatenate([[0.0], total])[adj.indptr[:-1]]
    return total - np.repeat(before, np.diff(adj.indptr))


def random_walks(graph: Graph, *, walks_per_node: int = 10, length: int = 80, p: float = 1.0,
                 q: float = 1.0, seed: int = 42, workers: int | None = None,
                 progress: bool = False) -> np.ndarray:
    """``walks_per_node * n`` walks (rows) of ``length`` node rows; see the module docstring."""
    if p <= 0 or q <= 0:
        raise EmbedlabError(f"p and q must be positive, got p={p}, q={q}")
    if walks_per_node < 1 or length < 2:
        raise EmbedlabError("need at least 1 walk per node and a walk length of at least 2")
    if workers is not None:
        set_num_threads(max(1, min(workers, _max_threads())))
    adj = graph.adj
    indptr = adj.indptr.astype(np.int64)
    indices = adj.indices.astype(np.int32)
    weighted = bool(graph.weighted and adj.nnz and not np.all(adj.data == adj.data[0]))
    cumw = _row_cumsum(graph) if weighted else np.zeros(1, dtype=np.float64)
    n = graph.n_nodes
    total = walks_per_node * n
    out = np.empty((total, length), dtype=np.int32)
    rng = np.random.default_rng(seed)
    starts = np.concatenate([rng.permutation(n) for _ in range(walks_per_node)]).astype(np.int32)
    chunk = max(_CHUNK, total // 100)
    with progress_bar(progress, total, "random walks") as advance:
        for first in range(0, total, chunk):
            part = starts[first:first + chunk]
            _walk_chunk(indptr, indices, cumw, weighted, part, first, length, 1.0 / p, 1.0 / q,
                        seed & 0xFFFFFFFF, out[first:first + len(part)])
            advance(len(part))
    return out


def _max_threads() -> int:
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)
