"""Node clustering: k-means on node vectors against their labels, and a 2-D map of the nodes.

In: :class:`~embedlab.data.graph_tasks.NodeLabels` (a node with several labels counts under
its first). k-means (scikit-learn, k = number of labels, 3 restarts, fixed seed) on the
L2-normalised vectors. Out: ``v_measure`` (main), ``homogeneity``, ``completeness``, ``ari``.
The evaluator also keeps ``points`` (2-D coordinates and the label of each node: t-SNE up to
:data:`TSNE_MAX` nodes, PCA above, both seeded) for the report's scatter plot coloured by label.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.data.graph_tasks import NodeLabels
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Evaluator
from embedlab.evaluate.node_vectors import node_vectors

TSNE_MAX = 1000


def two_d(vectors: np.ndarray, seed: int) -> tuple[np.ndarray, str]:
    """2-D coordinates of the rows, and the method's name (t-SNE, or PCA for many rows)."""
    if 5 <= len(vectors) <= TSNE_MAX:
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, (len(vectors) - 1) / 3))
        return TSNE(n_components=2, init="pca", perplexity=perplexity, max_iter=500,
                    random_state=seed).fit_transform(vectors), "t-SNE"
    from sklearn.decomposition import PCA

    return PCA(n_components=2, random_state=seed).fit_transform(vectors), "PCA"


class NodeClusteringEvaluator(Evaluator):
    """k-means V-measure of node vectors against labels (see the module docstring)."""

    kind: ClassVar[str] = "node-clustering"
    modality: ClassVar[str] = "node"
    also_accepts: ClassVar[tuple[str, ...]] = ("text",)  # vectors files keyed by node id
    primary_metric: ClassVar[str] = "v_measure"

    def __init__(self, data: NodeLabels, *, batch_size: int = 256, progress: bool = False,
                 n_init: int = 3, seed: int = 42, plot: bool = True) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data
        self.n_init = n_init
        self.seed = seed
        self.plot = plot
        self.points: dict[str, Any] | None = None

    def __call__(self, model: Any) -> dict[str, float]:
        from sklearn.cluster import KMeans
        from sklearn.metrics import adjusted_rand_score, homogeneity_completeness_v_measure

        labels = [ls[0] for ls in self.data.labels]
        k = len(set(labels))
        if k < 2 or len(labels) <= k:
            raise EmbedlabError(f"{self.data.name}: node clustering needs at least two labels "
                                f"and more nodes than labels ({len(labels)} nodes, {k} labels)")
        vectors = node_vectors(self.embedder(model), self.data.ids, what="labelled nodes",
                               batch_size=self.batch_size)
        predicted = KMeans(n_clusters=k, n_init=self.n_init,
                           random_state=self.seed).fit_predict(vectors)
        homogeneity, completeness, v_measure = homogeneity_completeness_v_measure(
            labels, predicted)
        if self.plot:
            xy, method = two_d(vectors, self.seed)
            self.points = {"x": xy[:, 0].tolist(), "y": xy[:, 1].tolist(), "labels": labels,
                           "method": method}
        return {"v_measure": float(v_measure), "homogeneity": float(homogeneity),
                "completeness": float(completeness),
                "ari": float(adjusted_rand_score(labels, predicted))}
