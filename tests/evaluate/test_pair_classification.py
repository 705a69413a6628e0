"""Pair classification: average precision and best-threshold accuracy/F1, as MTEB reports."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, average_precision_score, f1_score

from embedlab.data.datasets import LabelledPairs
from embedlab.evaluate.pair_classification import (
    PairClassificationEvaluator,
    best_accuracy,
    best_f1,
)


def brute_force(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    thresholds = list(np.unique(scores)) + [np.inf]
    acc = max(accuracy_score(labels, scores >= t) for t in thresholds)
    f1 = max(f1_score(labels, scores >= t, zero_division=0) for t in thresholds)
    return acc, f1


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_best_threshold_metrics_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 80)
    scores = np.round(labels * 0.3 + rng.random(80), 1)  # ties on purpose
    acc, acc_t = best_accuracy(scores, labels)
    f1, f1_t, precision, recall = best_f1(scores, labels)
    expected_acc, expected_f1 = brute_force(scores, labels)
    assert acc == pytest.approx(expected_acc, abs=1e-12)
    assert f1 == pytest.approx(expected_f1, abs=1e-12)
    assert accuracy_score(labels, scores >= acc_t) == pytest.approx(acc)
    assert f1_score(labels, scores >= f1_t) == pytest.approx(f1)
    assert 2 * precision * recall / (precision + recall) == pytest.approx(f1)


def test_all_negative_can_be_best() -> None:
    acc, threshold = best_accuracy(np.array([0.9, 0.8, 0.7]), np.array([0, 0, 0]))
    assert acc == 1.0 and threshold > 0.9 and np.isfinite(threshold)


def test_evaluator_scores_cosines(hash_model) -> None:
    pairs = LabelledPairs(
        "tiny",
        ["how do I reset my card pin", "where is my parcel", "open a savings account",
         "the weather is nice", "cancel my order please", "I lost my phone"],
        ["reset card pin how", "my parcel is where", "buy a red bicycle", "my tax return form",
         "please cancel my order", "green tea recipes"],
        np.array([1, 1, 0, 0, 1, 0]))
    scores = PairClassificationEvaluator(pairs)(hash_model)
    a, b = hash_model.encode(pairs.texts1), hash_model.encode(pairs.texts2)
    cosines = np.sum(a * b, axis=1)
    assert scores["ap"] == pytest.approx(average_precision_score(pairs.labels, cosines))
    assert scores["ap"] == pytest.approx(1.0)  # word overlap separates these pairs
    assert scores["accuracy"] == 1.0 and scores["f1"] == 1.0
    assert set(scores) == {"ap", "accuracy", "f1", "precision", "recall", "accuracy_threshold",
                           "f1_threshold"}
