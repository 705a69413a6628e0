"""Held-out edges for link prediction: ``holdout_edges(graph, share, seed) -> EdgeSplit``.

In: a :class:`~embedlab.data.graphs.Graph` and the share of its edges to hide. Out: the graph
to train on (without the hidden edges), and labelled node pairs: ``test`` rows are the hidden
edges (label 1) and as many sampled non-edges (label 0); ``train`` rows (for the link
classifier) are as many edges of the training graph and other non-edges.

The graph stays connected: the hidden edges never include a random spanning forest's edges
(scipy's minimum spanning tree on random weights), so every connected component stays one.
Where fewer edges than asked lie outside the forest, all of those are hidden and the summary
says how many. Non-edges are drawn uniformly among node pairs that are not edges of the full
graph, so a test non-edge is never a hidden edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embedlab.data.graphs import Graph, from_edges
from embedlab.errors import EmbedlabError


@dataclass
class EdgeSplit:
    """The training graph and the labelled pairs (rows of node numbers of the full graph)."""

    train_graph: Graph
    pairs: np.ndarray  # (m, 2) node rows
    labels: np.ndarray  # (m,) 1 edge / 0 non-edge
    is_test: np.ndarray  # (m,) bool
    asked: int

    @property
    def hidden(self) -> int:
        return int(((self.labels == 1) & self.is_test).sum())

    def rows(self) -> list[tuple[str, str, int, str]]:
        """``(source id, target id, label, split)`` rows, as ``link_split.tsv`` holds them."""
        ids = self.train_graph.ids
        return [(ids[a], ids[b], int(lab), "test" if t else "train")
                for (a, b), lab, t in zip(self.pairs, self.labels, self.is_test, strict=True)]


def _edges(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coo = graph.adj.tocoo()
    keep = coo.row < coo.col if not graph.directed else np.ones(coo.nnz, dtype=bool)
    return coo.row[keep], coo.col[keep], coo.data[keep]


def _forest(graph: Graph, rng: np.random.Generator) -> set[tuple[int, int]]:
    from scipy import sparse
    from scipy.sparse.csgraph import minimum_spanning_tree

    src, dst, _ = _edges(graph)
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    random = sparse.coo_matrix((rng.random(len(lo)) + 0.1, (lo, hi)),
                               shape=graph.adj.shape).tocsr()
    tree = minimum_spanning_tree(random).tocoo()
    return set(zip(np.minimum(tree.row, tree.col).tolist(),
                   np.maximum(tree.row, tree.col).tolist(), strict=True))


def _non_edges(graph: Graph, count: int, rng: np.random.Generator,
               taken: set[int]) -> np.ndarray:
    """``count`` distinct node pairs that are not edges (nor in ``taken``, pair keys
    ``a * n + b``, which grows), drawn uniformly in batches and checked against the sorted
    edge keys."""
    n = graph.n_nodes
    coo = graph.adj.tocoo()
    edges = np.sort(coo.row.astype(np.int64) * n + coo.col)
    out: list[np.ndarray] = []
    found = 0
    for _ in range(1000):
        if found >= count:
            break
        a, b = rng.integers(0, n, (2, 2 * (count - found) + 16))
        if not graph.directed:
            a, b = np.minimum(a, b), np.maximum(a, b)
        keys = a * n + b
        at = np.searchsorted(edges, keys).clip(max=max(len(edges) - 1, 0))
        ok = (a != b) & (edges[at] != keys if len(edges) else True)
        _, first = np.unique(keys, return_index=True)
        unique = np.zeros(len(keys), dtype=bool)
        unique[first] = True
        fresh = [k for k in keys[ok & unique].tolist() if k not in taken][:count - found]
        taken.update(fresh)
        out.append(np.array(fresh, dtype=np.int64))
        found += len(fresh)
    if found < count:
        raise EmbedlabError(f"{graph.name}: too dense to sample {count} non-edges")
    keys = np.concatenate(out)
    return np.stack([keys // n, keys % n], axis=1)


def holdout_edges(graph: Graph, share: float, *, seed: int = 42) -> EdgeSplit:
    """Hide ``share`` of the edges (module docstring)."""
    if not 0 < share < 1:
        raise EmbedlabError(f"--holdout-edges must be between 0 and 1, got {share}")
    rng = np.random.default_rng(seed)
    src, dst, weights = _edges(graph)
    asked = int(round(share * len(src)))
    forest = _forest(graph, rng)
    pairs = list(zip(np.minimum(src, dst).tolist(), np.maximum(src, dst).tolist(), strict=True))
    free = np.array([i for i, e in enumerate(pairs) if e not in forest], dtype=np.int64)
    hidden = rng.permutation(free)[:asked]
    if len(hidden) == 0:
        raise EmbedlabError(f"{graph.name}: no edge can be held out without cutting the graph "
                            "apart (it is a forest)")
    keep = np.ones(len(src), dtype=bool)
    keep[hidden] = False
    train = from_edges(src[keep], dst[keep], weights[keep] if graph.weighted else None,
                       directed=graph.directed, name=graph.name, ids=graph.ids)
    kept_rows = np.flatnonzero(keep)
    train_pos = rng.choice(kept_rows, size=min(len(hidden), len(kept_rows)), replace=False)
    taken: set[int] = set()
    test_neg = _non_edges(graph, len(hidden), rng, taken)
    train_neg = _non_edges(graph, len(train_pos), rng, taken)
    test_pos = np.stack([src[hidden], dst[hidden]], axis=1)
    train_pos_pairs = np.stack([src[train_pos], dst[train_pos]], axis=1)
    all_pairs = np.concatenate([test_pos, test_neg, train_pos_pairs, train_neg])
    labels = np.concatenate([np.ones(len(test_pos)), np.zeros(len(test_neg)),
                             np.ones(len(train_pos_pairs)), np.zeros(len(train_neg))])
    is_test = np.concatenate([np.ones(len(test_pos) + len(test_neg), dtype=bool),
                              np.zeros(len(train_pos_pairs) + len(train_neg), dtype=bool)])
    return EdgeSplit(train, all_pairs.astype(np.int64), labels.astype(np.int64), is_test, asked)
