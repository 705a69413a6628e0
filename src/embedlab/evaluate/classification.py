"""Classification: a logistic-regression probe trained on frozen vectors.

In: :class:`~embedlab.data.datasets.ClassificationData` (train and test labelled texts). The
probe (scikit-learn ``LogisticRegression``, lbfgs, up to 1000 iterations, fixed seed) learns from
the train vectors and predicts the test labels. Out: ``accuracy`` (main) and ``f1_macro``.
Texts are encoded with ``kind="query"``.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from embedlab.data.datasets import ClassificationData
from embedlab.evaluate.base import Evaluator


class ClassificationEvaluator(Evaluator):
    """Logistic-regression probe accuracy and macro-F1 (see the module docstring)."""

    kind: ClassVar[str] = "classification"
    primary_metric: ClassVar[str] = "accuracy"

    def __init__(self, data: ClassificationData, *, batch_size: int = 32, progress: bool = False,
                 max_iter: int = 1000, seed: int = 42) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data
        self.max_iter = max_iter
        self.seed = seed

    def __call__(self, model: Any) -> dict[str, float]:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import accuracy_score, f1_score

        train, test = self.data.train, self.data.test
        vectors = self.encode(model, train.texts + test.texts)
        x_train, x_test = vectors[:len(train.texts)], vectors[len(train.texts):]
        probe = LogisticRegression(max_iter=self.max_iter, random_state=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            probe.fit(x_train, np.asarray(train.labels))
        predicted = probe.predict(x_test)
        gold = np.asarray(test.labels)
        return {"accuracy": float(accuracy_score(gold, predicted)),
                "f1_macro": float(f1_score(gold, predicted, average="macro", zero_division=0))}
