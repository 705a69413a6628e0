"""train-graph as a library: repeatable vectors, the model folder, held-out edges, isolated
nodes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

import embedlab
from embedlab.data.graphs import load_graph
from embedlab.errors import EmbedlabError
from embedlab.graph.split import holdout_edges
from embedlab.graph.train import GraphTrainConfig, train_graph

TINY = dict(dim=8, walks=4, walk_length=12, window=3)


def test_same_seed_same_vectors_other_seed_other_vectors(tmp_path: Path):
    config = GraphTrainConfig(p=0.5, q=2.0, seed=5, **TINY)
    train_graph("karate", tmp_path / "a", config)
    train_graph("karate", tmp_path / "b", GraphTrainConfig(p=0.5, q=2.0, seed=5, workers=1,
                                                           **TINY))
    train_graph("karate", tmp_path / "c", GraphTrainConfig(p=0.5, q=2.0, seed=6, **TINY))
    a, b, c = (np.load(tmp_path / n / "vectors.npy") for n in "abc")
    assert np.array_equal(a, b) and not np.allclose(a, c)


def test_model_folder_loads_as_a_node_embedder(tmp_path: Path):
    report = train_graph("karate", tmp_path / "m", GraphTrainConfig(algo="deepwalk", **TINY))
    manifest = json.loads((tmp_path / "m" / "embedlab.json").read_text())
    assert manifest["kind"] == "node2vec" and manifest["algo"] == "deepwalk"
    assert report.graph["nodes"] == 34 and report.walks == 34 * 4 and report.steps == 34 * 4 * 12
    model = embedlab.load(tmp_path / "m")
    assert model.modality == "node" and model.dim == 8
    raw = np.load(tmp_path / "m" / "vectors.npy")
    got = model.encode(["0", "33", 33], normalize=False)
    assert np.allclose(got, raw[[0, 33, 33]])
    with pytest.raises(EmbedlabError, match="'nope' is not a node of m"):
        model.encode(["0", "nope"])
    # the word2vec text export holds the same vectors
    lines = (tmp_path / "m" / "vectors.txt").read_text().splitlines()
    assert lines[0] == "34 8"
    node, *values = lines[34].split()
    assert node == "33" and np.allclose([float(v) for v in values], raw[33], atol=1e-5)


def test_isolated_nodes_get_the_zero_vector(tmp_path: Path):
    (tmp_path / "g.adjlist").write_text("a b c\nb c\nc d\nalone\n")
    report = train_graph(tmp_path / "g.adjlist", tmp_path / "m", GraphTrainConfig(**TINY))
    assert report.isolated_nodes == 1 and any("zero vector" in n for n in report.notes)
    model = embedlab.load(tmp_path / "m")
    vectors = model.encode(["alone", "a"], normalize=False)
    assert not vectors[0].any() and vectors[1].any()


def test_holdout_keeps_the_graph_connected_and_writes_the_split(tmp_path: Path):
    graph = load_graph("karate")
    split = holdout_edges(graph, 0.5, seed=1)
    assert connected_components(split.train_graph.adj)[0] == 1
    assert split.train_graph.n_edges == graph.n_edges - split.hidden
    hidden = {tuple(p) for p, lab, t in zip(split.pairs, split.labels, split.is_test, strict=True)
              if lab and t}
    assert len(hidden) == split.hidden and split.hidden == split.asked == 39
    adj = graph.adj.toarray()
    train_adj = split.train_graph.adj.toarray()
    assert all(adj[a, b] and not train_adj[a, b] for a, b in hidden)
    negatives = split.pairs[split.labels == 0]
    assert len(negatives) == 2 * split.hidden and not any(adj[a, b] for a, b in negatives)
    train_graph("karate", tmp_path / "m", GraphTrainConfig(holdout_edges=0.5, seed=1, **TINY))
    rows = (tmp_path / "m" / "link_split.tsv").read_text().splitlines()
    assert rows[0] == "source\ttarget\tlabel\tsplit" and len(rows) == 1 + 4 * 39


def test_bad_settings(tmp_path: Path):
    with pytest.raises(EmbedlabError, match="--p and --q apply to node2vec"):
        train_graph("karate", tmp_path / "x", GraphTrainConfig(algo="deepwalk", p=2.0))
    with pytest.raises(EmbedlabError, match="unknown algorithm"):
        train_graph("karate", tmp_path / "x", GraphTrainConfig(algo="line"))
    with pytest.raises(EmbedlabError, match="between 0 and 1"):
        train_graph("karate", tmp_path / "x", GraphTrainConfig(holdout_edges=1.5, **TINY))
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("x")
    with pytest.raises(EmbedlabError, match="not empty"):
        train_graph("karate", tmp_path / "full", GraphTrainConfig(**TINY))
    assert not (tmp_path / "x").exists()
