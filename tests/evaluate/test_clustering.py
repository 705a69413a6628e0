"""Clustering: k-means V-measure against the labels."""

from __future__ import annotations

import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import v_measure_score

from embedlab.data.datasets import LabelledTexts
from embedlab.errors import EmbedlabError
from embedlab.evaluate.clustering import ClusteringEvaluator

GROUPS = {"a": "alpha beta gamma", "b": "river lake ocean", "c": "piano violin drum"}


def texts(repeat: int) -> LabelledTexts:
    out, labels = [], []
    for label, words in GROUPS.items():
        for i in range(repeat):
            w = words.split()
            out.append(f"{w[i % 3]} {w[(i + 1) % 3]}")
            labels.append(label)
    return LabelledTexts("groups", out, labels)


def test_distinct_groups_give_v_measure_one(hash_model) -> None:
    scores = ClusteringEvaluator(texts(6))(hash_model)
    assert scores["v_measure"] == pytest.approx(1.0)
    assert scores["ari"] == pytest.approx(1.0)
    assert set(scores) == {"v_measure", "homogeneity", "completeness", "ari"}


def test_v_measure_equals_sklearn_on_the_same_clusters(hash_model) -> None:
    data = texts(6)
    data.labels = [data.labels[(i * 7) % len(data.labels)] for i in range(len(data.labels))]
    scores = ClusteringEvaluator(data)(hash_model)
    k = len(set(data.labels))
    predicted = KMeans(n_clusters=k, n_init=3, random_state=42).fit_predict(
        hash_model.encode(data.texts, kind="query"))
    assert scores["v_measure"] == pytest.approx(v_measure_score(data.labels, predicted))
    assert scores["v_measure"] < 0.9


def test_one_label_is_an_error(hash_model) -> None:
    with pytest.raises(EmbedlabError, match="at least two labels"):
        ClusteringEvaluator(LabelledTexts("one", ["a", "b"], ["x", "x"]))(hash_model)
