"""Node tasks: F1 and AUC checked against scikit-learn on the same inputs, the exact protocol,
unknown nodes, any vectors file keyed by node id, and the report's 2-D map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.multiclass import OneVsRestClassifier

import embedlab
from embedlab.data.graph_tasks import LinkPairs, NodeLabels
from embedlab.embedders.nodes import NodeEmbedder
from embedlab.errors import EmbedlabError
from embedlab.evaluate import run_evaluation, write_report
from embedlab.evaluate.link_prediction import LinkPredictionEvaluator
from embedlab.evaluate.node_classification import (
    NodeClassificationEvaluator,
    f1_scores,
    top_k_labels,
)
from embedlab.evaluate.node_clustering import NodeClusteringEvaluator
from embedlab.evaluate.tasks import parse_task


def _model(n: int = 60, classes: int = 3, noise: float = 0.8, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = [f"n{i}" for i in range(n)]
    labels = [str(i % classes) for i in range(n)]
    centres = rng.normal(size=(classes, 8))
    vectors = centres[[int(x) for x in labels]] + noise * rng.normal(size=(n, 8))
    return NodeEmbedder(ids, vectors.astype(np.float32), name="toy", cache_dir=False), ids, labels


def test_f1_matches_sklearn():
    rng = np.random.default_rng(1)
    gold = (rng.random((50, 6)) < 0.3).astype(int)
    pred = (rng.random((50, 6)) < 0.3).astype(int)
    gold[:, 5] = pred[:, 5] = 0  # a label nobody has: 0, as zero_division=0
    micro, macro = f1_scores(gold, pred)
    assert micro == pytest.approx(f1_score(gold, pred, average="micro", zero_division=0))
    assert macro == pytest.approx(f1_score(gold, pred, average="macro", zero_division=0))


def test_top_k_labels():
    scores = np.array([[0.1, 0.7, 0.2], [0.5, 0.1, 0.4]])
    assert top_k_labels(scores, np.array([1, 2])).tolist() == [[0, 1, 0], [1, 0, 1]]


def test_node_classification_is_the_documented_protocol():
    model, ids, labels = _model()
    data = NodeLabels("toy", ids, [[x] for x in labels])
    scores = NodeClassificationEvaluator(data, repeats=1, seed=7, shares=(0.5,))(model)
    x = model.encode(ids)
    order = np.random.default_rng(7).permutation(len(ids))
    train, test = order[:30], order[30:]
    y = np.array(labels)
    probe = OneVsRestClassifier(LogisticRegression(solver="liblinear", random_state=7))
    predicted = probe.fit(x[train], y[train]).predict(x[test])
    assert scores["micro_f1@50"] == pytest.approx(f1_score(y[test], predicted, average="micro"))
    assert scores["macro_f1@50"] == pytest.approx(f1_score(y[test], predicted, average="macro"))
    full = NodeClassificationEvaluator(data)(model)
    assert {f"micro_f1@{p}" for p in range(10, 100, 10)} <= set(full)
    assert full["micro_f1@90"] > 0.5  # three clusters; chance is 1/3


def test_multi_label_and_unknown_nodes():
    model, ids, labels = _model()
    multi = NodeLabels("toy", ids, [[x, "all"] if i % 2 else [x] for i, x in
                                    enumerate(labels)])
    scores = NodeClassificationEvaluator(multi, repeats=1, shares=(0.5,))(model)
    assert 0 < scores["micro_f1@50"] <= 1
    bad = NodeLabels("toy", ids + ["ghost"], [[x] for x in labels] + [["0"]])
    with pytest.raises(EmbedlabError, match="1 labelled nodes are not nodes of toy.*'ghost'"):
        NodeClassificationEvaluator(bad)(model)


def test_link_prediction_auc_matches_sklearn():
    model, ids, labels = _model(noise=0.3)
    rng = np.random.default_rng(2)
    pairs, gold, splits = [], [], []
    for split in ("train", "test"):
        for _ in range(40):
            a, b = rng.choice(len(ids), 2, replace=False)
            pairs.append((ids[a], ids[b]))
            gold.append(int(labels[a] == labels[b]))
            splits.append(split)
    data = LinkPairs("toy", pairs, gold, splits)
    scores = LinkPredictionEvaluator(data)(model)
    vectors = model.encode([p[0] for p in pairs[40:]]), model.encode([p[1] for p in pairs[40:]])
    cosine = (vectors[0] * vectors[1]).sum(1)
    assert scores["roc_auc_cosine"] == pytest.approx(roc_auc_score(gold[40:], cosine))
    assert scores["roc_auc"] == scores["roc_auc_hadamard"] > 0.8 and scores["pairs"] == 40


def test_node_tasks_parse_and_run_on_a_trained_folder(tmp_path: Path):
    from embedlab.graph.train import GraphTrainConfig, train_graph

    train_graph("karate", tmp_path / "m", GraphTrainConfig(dim=8, walks=4, walk_length=12,
                                                           window=3, holdout_edges=0.3))
    import networkx as nx

    clubs = nx.get_node_attributes(nx.karate_club_graph(), "club")
    (tmp_path / "labels.tsv").write_text("".join(f"{n}\t{c}\n" for n, c in clubs.items()))
    specs = [f"node-classification:{tmp_path / 'labels.tsv'}", f"nodes:{tmp_path}",
             f"node-clustering:{tmp_path / 'labels.tsv'}", f"link-prediction:{tmp_path / 'm'}"]
    kinds = [parse_task(s).kind for s in specs]
    assert kinds == ["node-classification", "node-classification", "node-clustering",
                     "link-prediction"]
    results = run_evaluation([str(tmp_path / "m")], [specs[0], specs[2], specs[3]],
                             progress=False)
    assert [r.main_metric for r in results] == ["micro_f1@50", "v_measure", "roc_auc"]
    points = results[1].points
    assert points and len(points["x"]) == 34 and set(points["labels"]) == set(clubs.values())
    written = write_report(results, tmp_path / "report")
    maps = [p for p in written if p.name.endswith("-map.png")]
    assert len(maps) == 1 and maps[0].stat().st_size > 1000
    assert "points" not in (tmp_path / "report" / "results.json").read_text()


def test_node_clustering_points_and_scores():
    from sklearn.cluster import KMeans
    from sklearn.metrics import v_measure_score

    model, ids, labels = _model()
    evaluator = NodeClusteringEvaluator(NodeLabels("toy", ids, [[x] for x in labels]),
                                        plot=False)
    scores = evaluator(model)
    predicted = KMeans(n_clusters=3, n_init=3, random_state=42).fit_predict(model.encode(ids))
    assert scores["v_measure"] == pytest.approx(v_measure_score(labels, predicted))
    assert evaluator.points is None  # the map is drawn only when asked (see the report test)


def test_a_word2vec_file_keyed_by_node_id_is_a_model(tmp_path: Path):
    model, ids, labels = _model()
    path = tmp_path / "nodes.vec"
    raw = model.matrix
    path.write_text(f"{len(ids)} 8\n" + "".join(
        f"{i} " + " ".join(f"{v:.6f}" for v in row) + "\n" for i, row in zip(ids, raw,
                                                                            strict=True)))
    vectors = embedlab.load(path, cache_dir=False)
    data = NodeLabels("toy", ids, [[x] for x in labels])
    a = NodeClassificationEvaluator(data, repeats=1, shares=(0.5,))(vectors)
    b = NodeClassificationEvaluator(data, repeats=1, shares=(0.5,))(model)
    assert a["micro_f1@50"] == pytest.approx(b["micro_f1@50"])
    with pytest.raises(EmbedlabError, match="not nodes of"):
        NodeClassificationEvaluator(NodeLabels("x", ["zz"] * 4, [["a"]] * 4))(vectors)
