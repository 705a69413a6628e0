"""Link prediction: score held-out edges against sampled non-edges with node vectors.

In: :class:`~embedlab.data.graph_tasks.LinkPairs` (``embedlab train-graph --holdout-edges``
writes them beside the model it trained without those edges). Two scores per test pair: the
cosine of the two node vectors, and a logistic regression on their Hadamard (element-wise)
product, trained on the ``train`` pairs (edges of the training graph and other non-edges), as in
the node2vec paper. Out: ``roc_auc`` (main: Hadamard, or cosine where there are no train
pairs), ``roc_auc_hadamard``, ``roc_auc_cosine`` (scikit-learn ``roc_auc_score``) and
``pairs`` (test pairs).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from embedlab.data.graph_tasks import LinkPairs
from embedlab.evaluate.base import Evaluator
from embedlab.evaluate.node_vectors import node_vectors


class LinkPredictionEvaluator(Evaluator):
    """ROC-AUC of Hadamard-feature logistic regression and of cosine (module docstring)."""

    kind: ClassVar[str] = "link-prediction"
    modality: ClassVar[str] = "node"
    also_accepts: ClassVar[tuple[str, ...]] = ("text",)  # vectors files keyed by node id
    primary_metric: ClassVar[str] = "roc_auc"

    def __init__(self, data: LinkPairs, *, batch_size: int = 256, progress: bool = False,
                 seed: int = 42) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data
        self.seed = seed

    def __call__(self, model: Any) -> dict[str, float]:
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score

        nodes = list(dict.fromkeys(n for pair in self.data.pairs for n in pair))
        vectors = node_vectors(self.embedder(model), nodes, what="nodes of the pairs",
                               batch_size=self.batch_size)
        row = {n: i for i, n in enumerate(nodes)}
        a = vectors[[row[s] for s, _ in self.data.pairs]]
        b = vectors[[row[t] for _, t in self.data.pairs]]
        labels = np.asarray(self.data.labels)
        test = np.asarray([s == "test" for s in self.data.splits])
        cosine = np.einsum("ij,ij->i", a, b)  # the vectors are unit length
        out = {"roc_auc_cosine": float(roc_auc_score(labels[test], cosine[test])),
               "pairs": float(test.sum())}
        train = ~test
        if train.any() and len(set(labels[train].tolist())) == 2:
            features = a * b
            probe = LogisticRegression(max_iter=1000, random_state=self.seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                probe.fit(features[train], labels[train])
            scores = probe.decision_function(features[test])
            out["roc_auc_hadamard"] = float(roc_auc_score(labels[test], scores))
        out["roc_auc"] = out.get("roc_auc_hadamard", out["roc_auc_cosine"])
        return out
