"""Pair classification: are two texts paraphrases/duplicates? Scored from their cosine.

In: :class:`~embedlab.data.datasets.LabelledPairs` (label 1 = positive). As MTEB does: ``ap``
(main), the average precision of the cosine as a score for the positive class (scikit-learn);
``accuracy`` and ``f1`` at the best threshold for each (a pair is predicted positive when its
cosine is >= the threshold; every distinct cosine is tried, and "all negative"), with
``accuracy_threshold``, ``f1_threshold`` and the ``precision``/``recall`` at the best F1.
Texts are encoded with ``kind="query"``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.data.datasets import LabelledPairs
from embedlab.evaluate.base import Evaluator, row_cosines


def _sweep(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each threshold (distinct scores, high to low): true and false positives when pairs
    scoring >= it are predicted positive. The first threshold, just above the highest score,
    predicts none."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    last_of_group = np.r_[s[1:] != s[:-1], True]
    tp = np.r_[0, np.cumsum(y)[last_of_group]]
    fp = np.r_[0, np.cumsum(1 - y)[last_of_group]]
    above_all = np.nextafter(s[0], np.inf) if len(s) else 1.0  # predicts no pair positive
    thresholds = np.r_[above_all, s[last_of_group]]
    return thresholds, tp, fp


def best_accuracy(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The best accuracy over thresholds, and its threshold."""
    labels = np.asarray(labels, dtype=np.int64)
    thresholds, tp, fp = _sweep(np.asarray(scores, dtype=np.float64), labels)
    negatives = len(labels) - labels.sum()
    accuracy = (tp + (negatives - fp)) / len(labels)
    i = int(np.argmax(accuracy))
    return float(accuracy[i]), float(thresholds[i])


def best_f1(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float, float, float]:
    """The best F1 over thresholds: ``(f1, threshold, precision, recall)``."""
    labels = np.asarray(labels, dtype=np.int64)
    thresholds, tp, fp = _sweep(np.asarray(scores, dtype=np.float64), labels)
    positives = labels.sum()
    f1 = np.divide(2 * tp, tp + fp + positives, out=np.zeros(len(tp)),
                   where=(tp + fp + positives) > 0)
    i = int(np.argmax(f1))
    precision = tp[i] / (tp[i] + fp[i]) if tp[i] + fp[i] else 0.0
    recall = tp[i] / positives if positives else 0.0
    return float(f1[i]), float(thresholds[i]), float(precision), float(recall)


class PairClassificationEvaluator(Evaluator):
    """Average precision and best-threshold accuracy/F1 of cosine (see the module docstring)."""

    kind: ClassVar[str] = "pair-classification"
    primary_metric: ClassVar[str] = "ap"

    def __init__(self, data: LabelledPairs, *, batch_size: int = 32, progress: bool = False):
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data

    def __call__(self, model: Any) -> dict[str, float]:
        from sklearn.metrics import average_precision_score

        n = len(self.data.texts1)
        vectors = self.encode(model, self.data.texts1 + self.data.texts2)
        scores = row_cosines(vectors[:n], vectors[n:])
        labels = np.asarray(self.data.labels, dtype=np.int64)
        accuracy, acc_threshold = best_accuracy(scores, labels)
        f1, f1_threshold, precision, recall = best_f1(scores, labels)
        return {"ap": float(average_precision_score(labels, scores)), "accuracy": accuracy,
                "f1": f1, "precision": precision, "recall": recall,
                "accuracy_threshold": acc_threshold, "f1_threshold": f1_threshold}
