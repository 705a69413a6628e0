"""Embedding models as recommenders for ``embedlab eval --task recommendation:PATH``.

In: embedding models (names or loaded). Out: :class:`~embedlab.evaluate.recommendation.
RecommenderModel` objects: per embedding model the ``hybrid`` (content + ALS, ``alpha`` tuned
on a validation split of the training part) and ``content`` (content only), and once the
``als`` (collaborative only: items without interactions score 0, it cannot rank them) and
``popularity`` baselines. Each fits on the task's training split with the catalogue's fields
(methods by field name, see :func:`~embedlab.recommend.content.parse_fields`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedlab.data.interactions import Interactions, Items
from embedlab.evaluate.recommendation import PARTS, PopularityModel, Scorer
from embedlab.recommend.collab import CollabConfig
from embedlab.recommend.content import ContentEncoder, parse_fields
from embedlab.recommend.fit import FitConfig, build, fit_recommender
from embedlab.registry import to_embedder


@dataclass
class HybridModel:
    """The embedlab recommender over one embedding model; ``mode`` ``hybrid`` or ``content``
    (``alpha`` fixed at 1)."""

    embedder: Any
    mode: str = "hybrid"
    profile: str = "mean"
    alpha: float | None = None
    collab: CollabConfig = field(default_factory=CollabConfig)
    last: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return f"{self.mode}({self.embedder.name})"

    def fit_recommender(self, train: Interactions, items: Items) -> Scorer:
        alpha = 1.0 if self.mode == "content" else self.alpha
        config = FitConfig(parse_fields(list(items.fields)), collab=self.collab,
                           profile=self.profile, alpha=alpha)
        self.last = fit_recommender(train, items, self.embedder, config)
        return self.last


@dataclass
class ALSModel:
    """implicit's ALS alone: scores are factor dot products; items without interactions get 0."""

    collab: CollabConfig = field(default_factory=CollabConfig)
    name: str = "als"

    def fit_recommender(self, train: Interactions, items: Items) -> Scorer:
        encoder = ContentEncoder(parse_fields("id:category"), "none")
        content = np.eye(len(items), 1, dtype=np.float32)  # unused: alpha is 0
        rec = build(train, items, encoder, content, FitConfig(encoder.fields, self.collab),
                    alphas=(0.0, 0.0))
        rec.factors[~rec.warm] = 0.0
        return rec


def recommendation_models(models: Sequence[Any], *, profile: str = "mean",
                          alpha: float | None = None) -> list[Any]:
    """Hybrid and content-only recommenders of each embedding model, then ALS and popularity."""
    out: list[Any] = []
    for model in models:
        embedder = to_embedder(model)
        out += [HybridModel(embedder, "hybrid", profile, alpha),
                HybridModel(embedder, "content", profile)]
    return [*out, ALSModel(), PopularityModel()]


def recommendation_table(results: Sequence[Any], k: int = 20) -> Any:
    """A rich table of recommendation results: a row per part (warm items, cold items, cold
    users) and metric at ``k`` (recall, nDCG, hit rate, coverage), a column per model; the
    alphas in the last row."""
    from rich.table import Table

    chosen = [r for r in results if r.task == "recommendation"]
    table = Table(title=f"recommendation @{k}")
    table.add_column("dataset")
    table.add_column("part")
    table.add_column("metric")
    for result in chosen:
        table.add_column(result.model, justify="right")
    datasets = list(dict.fromkeys(r.dataset for r in chosen))
    for dataset in datasets:
        row_results = [r if r.dataset == dataset else None for r in chosen]
        for part in PARTS:
            for metric in ("recall", "ndcg", "hit", "coverage"):
                key = f"{part}/{metric}@{k}"
                cells = ["" if r is None or key not in r.scores else f"{r.scores[key]:.4f}"
                         for r in row_results]
                table.add_row(dataset, part, f"{metric}@{k}", *cells)
        alphas = ["" if r is None or "alpha_warm" not in r.scores else
                  f"{r.scores['alpha_warm']:g} / {r.scores['alpha_cold']:g}"
                  for r in row_results]
        table.add_row(dataset, "alpha", "warm / cold", *alphas)
    return table
