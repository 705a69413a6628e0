"""Image tasks: a linear probe, k-means clustering, and same-class retrieval, on image files.

In: labelled images (:mod:`embedlab.data.image_sets`: "texts" are image paths) and an image
model (``modality = "image"``; a text model does not apply). Out:

- ``image-classification``: the logistic-regression probe of ``classification`` (``accuracy``,
  ``f1_macro``);
- ``image-clustering``: the k-means of ``clustering`` (``v_measure``, ...);
- ``image-retrieval``: every image queries all the others (leave-one-out); the relevant ones are
  those of its class. ``map`` (main; average precision over the whole ranking, averaged over
  queries with at least one relevant image), ``recall@k`` for k in 1, 5, 10 (the metric-learning
  convention: the fraction of queries with a same-class image in the top k) and
  ``precision@k``. ``examples`` keeps a few queries with their nearest neighbours for the
  report's grid. Written with numpy over the full similarity matrix (a set of a few thousand
  images fits); the metrics are checked against scikit-learn in the tests.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.data.datasets import LabelledTexts
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Evaluator
from embedlab.evaluate.classification import ClassificationEvaluator
from embedlab.evaluate.clustering import ClusteringEvaluator

RECALL_AT = (1, 5, 10)


class ImageClassificationEvaluator(ClassificationEvaluator):
    """Linear-probe accuracy on image vectors (see :class:`ClassificationEvaluator`)."""

    kind: ClassVar[str] = "image-classification"
    modality: ClassVar[str] = "image"


class ImageClusteringEvaluator(ClusteringEvaluator):
    """k-means V-measure on image vectors (see :class:`ClusteringEvaluator`)."""

    kind: ClassVar[str] = "image-clustering"
    modality: ClassVar[str] = "image"


def same_class_ranking(vectors: np.ndarray, labels: list[str]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per query: the other items ranked by cosine (ties by position), whether each is of the
    query's class, and how many items of its class there are besides itself."""
    x = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.maximum(norms, 1e-12)
    sims = x @ x.T
    n = len(labels)
    np.fill_diagonal(sims, -np.inf)
    order = np.argsort(-sims, axis=1, kind="stable")[:, : n - 1]
    codes = np.unique(np.asarray(labels), return_inverse=True)[1]
    relevant = codes[order] == codes[:, None]
    counts = np.bincount(codes)[codes] - 1
    return order, relevant, counts


def retrieval_scores(relevant: np.ndarray, counts: np.ndarray,
                     ks: tuple[int, ...] = RECALL_AT) -> dict[str, float]:
    """``map``, ``recall@k`` (hit rate) and ``precision@k`` from :func:`same_class_ranking`."""
    answerable = counts > 0
    if not answerable.any():
        raise EmbedlabError("image-retrieval needs a class with at least two images")
    rel = relevant[answerable].astype(np.float64)
    hits = np.cumsum(rel, axis=1)
    ranks = np.arange(1, rel.shape[1] + 1, dtype=np.float64)
    ap = (hits / ranks * rel).sum(axis=1) / counts[answerable]
    out = {"map": float(ap.mean())}
    for k in ks:
        kk = min(k, rel.shape[1])
        out[f"recall@{k}"] = float((hits[:, kk - 1] > 0).mean())
        out[f"precision@{k}"] = float((hits[:, kk - 1] / k).mean())
    out["queries"] = float(answerable.sum())
    return out


class ImageRetrievalEvaluator(Evaluator):
    """Same-class retrieval among labelled images (see the module docstring)."""

    kind: ClassVar[str] = "image-retrieval"
    primary_metric: ClassVar[str] = "map"
    modality: ClassVar[str] = "image"

    def __init__(self, data: LabelledTexts, *, batch_size: int = 32, progress: bool = False,
                 examples: int = 6, neighbours: int = 5) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data
        self.n_examples = examples
        self.n_neighbours = neighbours
        self.examples: list[dict[str, Any]] = []

    def __call__(self, model: Any) -> dict[str, float]:
        paths, labels = self.data.texts, self.data.labels
        if len(paths) < 2:
            raise EmbedlabError(f"{self.data.name}: image-retrieval needs at least two images")
        vectors = self.encode(model, paths)
        order, relevant, counts = same_class_ranking(vectors, labels)
        scores = retrieval_scores(relevant, counts)
        self.examples = self._examples(order, relevant, paths, labels)
        return scores

    def _examples(self, order: np.ndarray, relevant: np.ndarray, paths: list[str],
                  labels: list[str]) -> list[dict[str, Any]]:
        """The first query of each class (up to ``n_examples``), with its neighbours."""
        firsts = list(dict.fromkeys(labels))[: self.n_examples]
        chosen = [labels.index(label) for label in firsts]
        return [{"query": paths[q], "label": labels[q],
                 "neighbours": [{"path": paths[j], "label": labels[j],
                                 "same": bool(relevant[q, r])}
                                for r, j in enumerate(order[q, : self.n_neighbours])]}
                for q in chosen]
