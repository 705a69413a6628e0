"""Clustering: k-means on the vectors of labelled texts, scored against the labels.

In: :class:`~embedlab.data.datasets.LabelledTexts`. k-means (scikit-learn, k = number of distinct
labels, 3 restarts, fixed seed) on the L2-normalised vectors. Out: ``v_measure`` (main),
``homogeneity``, ``completeness`` and ``ari`` (adjusted Rand index). Texts are encoded with
``kind="query"``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from embedlab.data.datasets import LabelledTexts
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Evaluator


class ClusteringEvaluator(Evaluator):
    """k-means V-measure against the gold labels (see the module docstring)."""

    kind: ClassVar[str] = "clustering"
    primary_metric: ClassVar[str] = "v_measure"

    def __init__(self, data: LabelledTexts, *, batch_size: int = 32, progress: bool = False,
                 n_init: int = 3, seed: int = 42) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data
        self.n_init = n_init
        self.seed = seed

    def __call__(self, model: Any) -> dict[str, float]:
        from sklearn.cluster import KMeans
        from sklearn.metrics import adjusted_rand_score, homogeneity_completeness_v_measure

        k = len(set(self.data.labels))
        if k < 2 or len(self.data.texts) < k:
            raise EmbedlabError(f"{self.data.name}: clustering needs at least two labels and as "
                                f"many texts as labels ({len(self.data.texts)} texts, {k} labels)")
        vectors = self.encode(model, self.data.texts)
        predicted = KMeans(n_clusters=k, n_init=self.n_init,
                           random_state=self.seed).fit_predict(vectors)
        homogeneity, completeness, v_measure = homogeneity_completeness_v_measure(
            self.data.labels, predicted)
        return {"v_measure": float(v_measure), "homogeneity": float(homogeneity),
                "completeness": float(completeness),
                "ari": float(adjusted_rand_score(self.data.labels, predicted))}
