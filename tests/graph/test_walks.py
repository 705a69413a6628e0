"""node2vec / DeepWalk walks: the exact second-order distribution, edges only, repeatable."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pytest

from embedlab.data.graphs import from_edges, from_networkx, load_graph
from embedlab.errors import EmbedlabError
from embedlab.graph.walks import random_walks


def _graph(weighted: bool):
    # a square a-b-c-d-a with the diagonal a-c and a tail d-e: every kind of second step
    edges = [("a", "b", 1.0), ("b", "c", 2.0), ("c", "d", 1.0), ("d", "a", 3.0),
             ("a", "c", 1.0), ("d", "e", 0.5)]
    src = np.array([e[0] for e in edges], dtype=object)
    dst = np.array([e[1] for e in edges], dtype=object)
    w = np.array([e[2] for e in edges]) if weighted else None
    return from_edges(src, dst, w, directed=False, name="t")


def _expected(graph, prev: int, cur: int, p: float, q: float) -> dict[int, float]:
    """node2vec's transition probabilities from cur, having come from prev (the paper's)."""
    adj = graph.adj.toarray()
    out = {}
    for x in np.flatnonzero(adj[cur]):
        alpha = 1 / p if x == prev else (1.0 if adj[prev, x] else 1 / q)
        out[int(x)] = adj[cur, x] * alpha
    total = sum(out.values())
    return {x: v / total for x, v in out.items()}


@pytest.mark.parametrize("weighted", [False, True])
def test_second_order_steps_follow_node2vec(weighted: bool):
    graph = _graph(weighted)
    p, q = 0.5, 3.0
    walks = random_walks(graph, walks_per_node=40_000, length=3, p=p, q=q, seed=7)
    for prev, cur in [(0, 1), (0, 2), (2, 3), (3, 0), (1, 2)]:
        rows = walks[(walks[:, 0] == prev) & (walks[:, 1] == cur)]
        seen = Counter(rows[:, 2].tolist())
        for x, prob in _expected(graph, prev, cur, p, q).items():
            assert seen[x] / len(rows) == pytest.approx(prob, abs=0.02), (prev, cur, x)
        assert set(seen) <= set(_expected(graph, prev, cur, p, q))


def test_first_order_steps_follow_the_weights():
    graph = _graph(True)
    walks = random_walks(graph, walks_per_node=30_000, length=2, seed=3)
    adj = graph.adj.toarray()
    for start in range(graph.n_nodes):
        seen = Counter(walks[walks[:, 0] == start, 1].tolist())
        total = sum(seen.values())
        for x in np.flatnonzero(adj[start]):
            assert seen[int(x)] / total == pytest.approx(adj[start, x] / adj[start].sum(),
                                                         abs=0.02)


def test_walks_use_edges_and_are_repeatable_whatever_the_threads():
    graph = load_graph("karate")
    one = random_walks(graph, walks_per_node=3, length=12, p=0.25, q=4, seed=11, workers=1)
    two = random_walks(graph, walks_per_node=3, length=12, p=0.25, q=4, seed=11, workers=2)
    other = random_walks(graph, walks_per_node=3, length=12, p=0.25, q=4, seed=12)
    assert np.array_equal(one, two) and not np.array_equal(one, other)
    adj = graph.adj.toarray() > 0
    assert all(adj[a, b] for row in one for a, b in zip(row[:-1], row[1:], strict=True))
    assert sorted(Counter(one[:, 0].tolist()).values()) == [3] * 34  # 3 walks from each node


def test_directed_dead_end_pads_with_minus_one():
    graph = from_networkx(nx.DiGraph([("a", "b"), ("b", "c")]), name="chain")
    walks = random_walks(graph, walks_per_node=1, length=5, seed=0)
    row = walks[walks[:, 0] == 0][0]
    assert row.tolist() == [0, 1, 2, -1, -1]


def test_bad_parameters():
    graph = load_graph("karate")
    with pytest.raises(EmbedlabError, match="p and q must be positive"):
        random_walks(graph, p=0)
    with pytest.raises(EmbedlabError, match="walk length"):
        random_walks(graph, length=1)
