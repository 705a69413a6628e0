"""Node classification: a one-vs-rest logistic-regression probe on node vectors.

In: :class:`~embedlab.data.graph_tasks.NodeLabels` (one or several labels per node). For each
train share 10%, 20%, ..., 90% and each of ``repeats`` splits (seeded shuffles, the same for
every model), one logistic regression per label (scikit-learn, liblinear) learns from the train
nodes; each test node gets its top-k labels by probability, k = its true number of labels (1 for
single-label data), as in the DeepWalk and node2vec papers. Out: ``micro_f1@P`` and
``macro_f1@P`` (mean over the repeats) for each train percentage P, and their means over the
shares; the main score is ``micro_f1@50``. F1 is computed here over the label matrix (checked
against scikit-learn in the tests) so one pass scores every split.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from embedlab.data.graph_tasks import NodeLabels
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Evaluator
from embedlab.evaluate.node_vectors import node_vectors

TRAIN_SHARES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def f1_scores(gold: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Micro- and macro-F1 of two 0/1 label matrices (nodes x labels); a label with no true
    and no predicted node scores 0, as scikit-learn's ``zero_division=0``."""
    gold = gold.astype(bool)
    predicted = predicted.astype(bool)
    tp = (gold & predicted).sum(0).astype(np.float64)
    fp = (~gold & predicted).sum(0).astype(np.float64)
    fn = (gold & ~predicted).sum(0).astype(np.float64)
    micro_den = 2 * tp.sum() + fp.sum() + fn.sum()
    micro = 2 * tp.sum() / micro_den if micro_den else 0.0
    den = 2 * tp + fp + fn
    per_label = np.divide(2 * tp, den, out=np.zeros_like(tp), where=den > 0)
    return float(micro), float(per_label.mean())


def top_k_labels(scores: np.ndarray, k: np.ndarray) -> np.ndarray:
    """A 0/1 matrix with the ``k[i]`` best-scored labels of row i set."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(scores.shape[1])[None, :].repeat(len(scores), 0),
                      axis=1)
    return (ranks < k[:, None]).astype(np.int64)


def probe_scores(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                 seed: int) -> np.ndarray:
    """Per-label probabilities for the test rows from one-vs-rest logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    probe = OneVsRestClassifier(LogisticRegression(solver="liblinear", random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a label absent from a small train share
        probe.fit(x_train, y_train)
        return probe.predict_proba(x_test)


class NodeClassificationEvaluator(Evaluator):
    """Micro/macro-F1 of a one-vs-rest probe at train shares 10-90% (module docstring)."""

    kind: ClassVar[str] = "node-classification"
    modality: ClassVar[str] = "node"
    also_accepts: ClassVar[tuple[str, ...]] = ("text",)  # vectors files keyed by node id
    primary_metric: ClassVar[str] = "micro_f1@50"

    def __init__(self, data: NodeLabels, *, batch_size: int = 256, progress: bool = False,
                 repeats: int = 3, seed: int = 42,
                 shares: tuple[float, ...] = TRAIN_SHARES) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data
        self.repeats = repeats
        self.seed = seed
        self.shares = shares

    def __call__(self, model: Any) -> dict[str, float]:
        from sklearn.preprocessing import MultiLabelBinarizer

        ids = self.data.ids
        if len(ids) < 4:
            raise EmbedlabError(f"{self.data.name}: node classification needs at least 4 "
                                "labelled nodes")
        x = node_vectors(self.embedder(model), ids, what="labelled nodes",
                         batch_size=self.batch_size)
        y = MultiLabelBinarizer().fit_transform(self.data.labels)
        k = y.sum(1)
        out: dict[str, float] = {}
        for share in self.shares:
            micro, macro = [], []
            for rep in range(self.repeats):
                order = np.random.default_rng(self.seed + rep).permutation(len(ids))
                cut = min(max(1, int(round(share * len(ids)))), len(ids) - 1)
                train, test = order[:cut], order[cut:]
                scores = probe_scores(x[train], y[train], x[test], self.seed)
                mi, ma = f1_scores(y[test], top_k_labels(scores, k[test]))
                micro.append(mi)
                macro.append(ma)
            pct = int(round(share * 100))
            out[f"micro_f1@{pct}"] = float(np.mean(micro))
            out[f"macro_f1@{pct}"] = float(np.mean(macro))
        out["micro_f1"] = float(np.mean([v for n, v in out.items() if n.startswith("micro")]))
        out["macro_f1"] = float(np.mean([v for n, v in out.items() if n.startswith("macro")]))
        if self.primary_metric not in out:  # custom shares without 50%
            out[self.primary_metric] = out["micro_f1"]
        return out
