"""Semantic textual similarity: cosine of the two texts' vectors against gold scores.

In: :class:`~embedlab.data.datasets.ScoredPairs`. Out: ``spearman`` (main) and ``pearson``
correlations (scipy) between cosine similarities and gold scores. The same evaluator scores
document similarity (Lee et al. 2005), where the literature reports Pearson first
(:class:`DocumentSimilarityEvaluator`). Texts are encoded with ``kind="query"`` (symmetric task).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.data.datasets import ScoredPairs
from embedlab.evaluate.base import Evaluator, row_cosines


def correlations(predicted: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Spearman and Pearson correlation of two score vectors (0 where one is constant)."""
    from scipy import stats

    predicted = np.asarray(predicted, dtype=np.float64)
    gold = np.asarray(gold, dtype=np.float64)
    if np.ptp(predicted) == 0 or np.ptp(gold) == 0:
        return {"spearman": 0.0, "pearson": 0.0}
    return {"spearman": float(stats.spearmanr(predicted, gold).statistic),
            "pearson": float(stats.pearsonr(predicted, gold).statistic)}


class STSEvaluator(Evaluator):
    """Correlation of cosine similarity with gold similarity scores (see module docstring)."""

    kind: ClassVar[str] = "sts"
    primary_metric: ClassVar[str] = "spearman"

    def __init__(self, data: ScoredPairs, *, batch_size: int = 32, progress: bool = False):
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data

    def similarities(self, model: Any) -> np.ndarray:
        """Cosine similarity of every pair."""
        n = len(self.data.texts1)
        vectors = self.encode(model, self.data.texts1 + self.data.texts2)
        return row_cosines(vectors[:n], vectors[n:])

    def __call__(self, model: Any) -> dict[str, float]:
        return correlations(self.similarities(model), self.data.scores)


class DocumentSimilarityEvaluator(STSEvaluator):
    """STS over document pairs, Pearson first (as Lee et al. 2005 and gensim report it)."""

    kind: ClassVar[str] = "doc-similarity"
    primary_metric: ClassVar[str] = "pearson"
