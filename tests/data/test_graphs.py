"""Graph loaders: every layout the issue lists, written small by the test, and each bad input."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from scipy import io, sparse

from embedlab.data.graph_tasks import load_link_pairs, load_node_labels
from embedlab.data.graphs import load_graph
from embedlab.errors import EmbedlabError

TRIANGLE_PLUS = {("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")}


def _edges(graph) -> set[tuple[str, str]]:
    coo = graph.adj.tocoo()
    return {tuple(sorted((graph.ids[i], graph.ids[j]))) for i, j in
            zip(coo.row, coo.col, strict=True)}


@pytest.mark.parametrize("name,text", [
    ("e.tsv", "a\tb\nb\tc\na\tc\nc\td\n"),
    ("e.csv", "source,target\na,b\nb,c\na,c\nc,d\n"),
    ("e.txt", "# SNAP-style comment\n# FromNodeId ToNodeId\na b\nb  c\na c\nc d\n"),
    ("e.edges", "from to weight\na b 1\nb c 1\na c 1\nc d 1\n"),
    ("e.adjlist", "a b c\nb c\nc d\n"),
])
def test_edge_and_adjacency_lists(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    graph = load_graph(path)
    assert sorted(graph.ids) == ["a", "b", "c", "d"]
    assert _edges(graph) == TRIANGLE_PLUS and graph.n_edges == 4 and not graph.directed
    assert (graph.adj != graph.adj.T).nnz == 0  # undirected: both directions stored


def test_weights_self_loops_duplicates_and_direction(tmp_path: Path):
    path = tmp_path / "w.tsv"
    path.write_text("a\tb\t2.5\nb\ta\t4\na\ta\t1\nb\tc\t1\nb\tc\t3\n")
    graph = load_graph(path)
    row = {n: i for i, n in enumerate(graph.ids)}
    assert graph.weighted and graph.self_loops == 1 and graph.duplicates == 2
    assert graph.adj[row["a"], row["b"]] == 4 and graph.adj[row["b"], row["c"]] == 3
    directed = load_graph(path, directed=True)
    assert directed.n_edges == 3 and directed.adj[row["b"], row["a"]] == 4
    assert directed.adj[row["a"], row["b"]] == 2.5 and directed.adj[row["c"], row["b"]] == 0
    assert all(np.all(np.diff(directed.adj.indices[s:e]) > 0) for s, e in
               zip(directed.adj.indptr[:-1], directed.adj.indptr[1:], strict=True))


def test_isolated_nodes_are_counted(tmp_path: Path):
    path = tmp_path / "g.adjlist"
    path.write_text("a b\nb c\nlonely\n")
    graph = load_graph(path)
    assert graph.ids[-1] == "lonely" and graph.summary()["isolated_nodes"] == 1


def test_graphml_gml_mat_npz_and_networkx_names(tmp_path: Path):
    g = nx.Graph([("x", "y"), ("y", "z")])
    nx.write_graphml(g, tmp_path / "g.graphml")
    nx.write_gml(g, tmp_path / "g.gml")
    for name in ("g.graphml", "g.gml"):
        loaded = load_graph(tmp_path / name)
        assert _edges(loaded) == {("x", "y"), ("y", "z")}
    matrix = sparse.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    io.savemat(tmp_path / "blog.mat", {"network": matrix,
                                       "group": sparse.csr_matrix(np.eye(3)[:, :2])})
    sparse.save_npz(tmp_path / "adj.npz", matrix)
    for name in ("blog.mat", "adj.npz"):
        loaded = load_graph(tmp_path / name)
        assert loaded.ids == ["0", "1", "2"] and _edges(loaded) == {("0", "1"), ("1", "2")}
    labels = load_node_labels(tmp_path / "blog.mat")
    assert labels.ids == ["0", "1"] and labels.labels == [["0"], ["1"]]
    karate = load_graph("karate")
    assert karate.n_nodes == 34 and karate.n_edges == 78


def test_folder_with_edges_file(tmp_path: Path):
    (tmp_path / "edges.tsv").write_text("source\ttarget\n1\t2\n2\t3\n")
    graph = load_graph(tmp_path)
    assert graph.name == tmp_path.name and graph.ids == ["1", "2", "3"]


@pytest.mark.parametrize("text,message", [
    ("", "empty graph file"),
    ("# only a comment\n", "empty graph file"),
    ("a\nb\nc\n", "one column"),
    ("a b 1\nb c heavy\n", "line 2: weight 'heavy' is not a number"),
    ("a b -1\n", "negative edge weights"),
])
def test_bad_graph_files(tmp_path: Path, text: str, message: str):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(EmbedlabError, match=message):
        load_graph(path)


def test_unknown_graph_name_and_format():
    with pytest.raises(EmbedlabError, match="not a graph networkx builds"):
        load_graph("no-such-graph")
    with pytest.raises(EmbedlabError, match="unknown graph format"):
        load_graph("karate", fmt="pajek")


def test_node_labels_layouts_and_errors(tmp_path: Path):
    (tmp_path / "labels.tsv").write_text("node\tlabel\n1\tx\n2\tx|y\n3\ty\n3\tz\n")
    labels = load_node_labels(tmp_path)
    assert labels.ids == ["1", "2", "3"] and labels.labels == [["x"], ["x", "y"], ["y", "z"]]
    assert labels.multi_label
    (tmp_path / "bad.tsv").write_text("1\n")
    with pytest.raises(EmbedlabError, match="row 1 has no label"):
        load_node_labels(tmp_path / "bad.tsv")
    (tmp_path / "empty.tsv").write_text("")
    with pytest.raises(EmbedlabError, match="empty labels file"):
        load_node_labels(tmp_path / "empty.tsv")


def test_link_pairs(tmp_path: Path):
    (tmp_path / "pairs.tsv").write_text("a\tb\t1\nb\tc\t0\tTest\na\tc\t1\ttrain\n")
    pairs = load_link_pairs(tmp_path / "pairs.tsv")
    assert pairs.splits == ["test", "test", "train"] and pairs.labels == [1, 0, 1]
    (tmp_path / "one.tsv").write_text("a\tb\t1\n")
    with pytest.raises(EmbedlabError, match="both edges"):
        load_link_pairs(tmp_path / "one.tsv")
    with pytest.raises(EmbedlabError, match="no link_split.tsv"):
        load_link_pairs(tmp_path)
