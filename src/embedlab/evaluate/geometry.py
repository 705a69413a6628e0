"""Intrinsic geometry of a model's vectors on any text set (no gold scores needed).

In: :class:`~embedlab.data.datasets.TextSet` (texts; labels and positive pairs where the data has
them). On L2-normalised vectors:

- ``anisotropy`` (main): mean cosine of random pairs of different texts -- near 0 is an isotropic
  space, near 1 a narrow cone (Ethayarajh 2019). A description, not a quality score;
- ``uniformity``: ``log mean exp(-2 |x - y|^2)`` over all pairs of a sample (Wang & Isola 2020;
  lower is more uniform);
- ``alignment``: mean ``|x - y|^2`` over positive pairs (Wang & Isola 2020; lower is better),
  where the data has pairs;
- ``silhouette``: cosine silhouette of the labels (scikit-learn), where the data has labels.

Large sets are sampled with a fixed seed: at most ``max_texts`` texts are encoded, 2,000 of them
enter uniformity, 10,000 random pairs the anisotropy, ``max_pairs`` pairs the alignment.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.data.datasets import TextSet
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Evaluator


def uniformity(vectors: np.ndarray, t: float = 2.0) -> float:
    """``log mean exp(-t |x - y|^2)`` over all pairs ``x != y`` of unit vectors."""
    v = np.asarray(vectors, dtype=np.float64)
    n = len(v)
    if n < 2:
        return 0.0
    sq = np.maximum(2.0 - 2.0 * (v @ v.T), 0.0)[np.triu_indices(n, 1)]
    m = float(np.max(-t * sq))
    return m + float(np.log(np.mean(np.exp(-t * sq - m))))


def alignment(first: np.ndarray, second: np.ndarray, alpha: float = 2.0) -> float:
    """Mean ``|x - y|^alpha`` over positive pairs of unit vectors."""
    d = np.linalg.norm(np.asarray(first, np.float64) - np.asarray(second, np.float64), axis=1)
    return float(np.mean(d ** alpha))


def mean_random_cosine(vectors: np.ndarray, pairs: int, rng: np.random.Generator) -> float:
    """Mean cosine of ``pairs`` random pairs of different rows of unit vectors."""
    n = len(vectors)
    i = rng.integers(0, n, pairs)
    j = (i + rng.integers(1, n, pairs)) % n  # j != i
    v = np.asarray(vectors, dtype=np.float64)
    return float(np.mean(np.einsum("ij,ij->i", v[i], v[j])))


class GeometryEvaluator(Evaluator):
    """Anisotropy, uniformity, alignment and silhouette (see the module docstring)."""

    kind: ClassVar[str] = "geometry"
    primary_metric: ClassVar[str] = "anisotropy"

    def __init__(self, data: TextSet, *, batch_size: int = 32, progress: bool = False,
                 max_texts: int = 5_000, max_pairs: int = 5_000, seed: int = 0) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        if len(data.texts) < 2:
            raise EmbedlabError(f"{data.name}: geometry needs at least two texts")
        self.data = data
        self.max_texts = max_texts
        self.max_pairs = max_pairs
        self.seed = seed

    def __call__(self, model: Any) -> dict[str, float]:
        from sklearn.metrics import silhouette_score

        rng = np.random.default_rng(self.seed)
        texts, labels = self.data.texts, self.data.labels
        chosen = np.arange(len(texts))
        if len(texts) > self.max_texts:
            chosen = np.sort(rng.choice(len(texts), self.max_texts, replace=False))
        vectors = self.encode(model, [texts[i] for i in chosen])
        sample = vectors[rng.choice(len(vectors), min(2000, len(vectors)), replace=False)]
        scores = {"anisotropy": mean_random_cosine(vectors, 10_000, rng),
                  "uniformity": uniformity(sample)}
        if self.data.pairs and self.data.pairs[0]:
            first, second = self.data.pairs
            picked = np.arange(len(first))
            if len(first) > self.max_pairs:
                picked = np.sort(rng.choice(len(first), self.max_pairs, replace=False))
            n = len(picked)
            pair_vectors = self.encode(model, [first[i] for i in picked] +
                                       [second[i] for i in picked])
            scores["alignment"] = alignment(pair_vectors[:n], pair_vectors[n:])
        if labels is not None:
            chosen_labels = [labels[i] for i in chosen]
            if 2 <= len(set(chosen_labels)) < len(chosen_labels):
                scores["silhouette"] = float(silhouette_score(vectors, chosen_labels,
                                                              metric="cosine"))
        return scores
