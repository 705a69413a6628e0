"""Classification: the logistic-regression probe on frozen vectors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from embedlab.data.datasets import ClassificationData, LabelledTexts
from embedlab.evaluate.classification import ClassificationEvaluator

TOPICS = {"sport": ["goal", "match", "team", "score"], "food": ["pasta", "bread", "cook", "meal"],
          "money": ["bank", "loan", "cash", "price"]}


def make_texts(n: int, seed: int, noise: float = 0.0) -> LabelledTexts:
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    names = list(TOPICS)
    for i in range(n):
        label = names[i % 3]
        words = list(rng.choice(TOPICS[label], 2))
        if rng.random() < noise:
            words = list(rng.choice(TOPICS[names[(i + 1) % 3]], 2))
        texts.append(" ".join(words + list(rng.choice(["the", "a", "today", "we"], 2))))
        labels.append(label)
    return LabelledTexts("topics", texts, labels)


def test_separable_topics_are_classified_well(hash_model) -> None:
    data = ClassificationData("topics", make_texts(60, 0), make_texts(30, 1))
    scores = ClassificationEvaluator(data)(hash_model)
    assert set(scores) == {"accuracy", "f1_macro"}
    assert scores["accuracy"] >= 0.9 and scores["f1_macro"] >= 0.9


def test_scores_equal_sklearn_on_the_same_vectors(hash_model) -> None:
    data = ClassificationData("topics", make_texts(60, 2, noise=0.3), make_texts(45, 3, 0.3))
    scores = ClassificationEvaluator(data)(hash_model)
    probe = LogisticRegression(max_iter=1000, random_state=42)
    probe.fit(hash_model.encode(data.train.texts), data.train.labels)
    predicted = probe.predict(hash_model.encode(data.test.texts))
    assert scores["accuracy"] == pytest.approx(np.mean(predicted == np.array(data.test.labels)))
    assert scores["f1_macro"] == pytest.approx(f1_score(data.test.labels, predicted,
                                                        average="macro"))
    assert 0.3 < scores["accuracy"] < 1.0
