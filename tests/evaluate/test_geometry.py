"""Geometry: alignment and uniformity (Wang & Isola 2020), anisotropy, silhouette."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from embedlab.data.datasets import TextSet
from embedlab.evaluate.geometry import (
    GeometryEvaluator,
    alignment,
    mean_random_cosine,
    uniformity,
)


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_uniformity_and_alignment_follow_their_definitions() -> None:
    rng = np.random.default_rng(0)
    x = unit(rng.standard_normal((30, 5)))
    pairs = [(i, j) for i in range(30) for j in range(i + 1, 30)]
    expected = np.log(np.mean([np.exp(-2 * np.sum((x[i] - x[j]) ** 2)) for i, j in pairs]))
    assert uniformity(x) == pytest.approx(expected, abs=1e-9)
    y = unit(x + 0.1 * rng.standard_normal(x.shape))
    assert alignment(x, y) == pytest.approx(np.mean(np.sum((x - y) ** 2, axis=1)), abs=1e-9)
    assert alignment(x, x) == 0.0


def test_mean_random_cosine_of_a_cone_and_of_opposites() -> None:
    rng = np.random.default_rng(0)
    same = np.tile(unit(np.ones((1, 4))), (10, 1))
    assert mean_random_cosine(same, 500, rng) == pytest.approx(1.0)
    opposite = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert mean_random_cosine(opposite, 500, rng) == pytest.approx(-1.0)  # never i == j


def test_evaluator_adds_alignment_and_silhouette_where_data_has_them(hash_model) -> None:
    texts = ["red apple", "green apple", "ripe apple", "fast car", "red car", "old car"]
    labels = ["fruit"] * 3 + ["car"] * 3
    plain = GeometryEvaluator(TextSet("t", texts))(hash_model)
    assert set(plain) == {"anisotropy", "uniformity"}
    scores = GeometryEvaluator(TextSet("t", texts, labels, (texts[:3], texts[3:])))(hash_model)
    vectors = hash_model.encode(texts)
    assert scores["silhouette"] == pytest.approx(
        silhouette_score(vectors, labels, metric="cosine"), abs=1e-6)
    assert scores["alignment"] == pytest.approx(alignment(vectors[:3], vectors[3:]), abs=1e-6)
    assert scores["uniformity"] == pytest.approx(uniformity(vectors), abs=1e-6)
    assert scores["silhouette"] > 0  # the shared word groups the texts


def test_large_sets_are_sampled(hash_model) -> None:
    texts = [f"text number {i}" for i in range(300)]
    GeometryEvaluator(TextSet("t", texts), max_texts=50)(hash_model)
    assert hash_model.calls == [(50, "query")]
