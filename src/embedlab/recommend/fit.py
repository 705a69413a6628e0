"""Fit a hybrid recommender: content vectors, ALS factors, the content map, a tuned ``alpha``.

In: interactions joined to their catalogue (item codes are catalogue rows), the catalogue, an
Embedder and a :class:`FitConfig`. Out: a :class:`~embedlab.recommend.model.Recommender`.

Steps: encode every item's fields (:mod:`.content`); unless ``alpha`` is given, tune it on a
validation split of the training data (each user's latest interaction held out, and a share of
the items held out entirely as pretend-new items; ALS and the map fitted on the rest): the
``alpha`` with the best nDCG@20 on the held-out interactions is kept for items with
interactions (``alpha_warm``), the best on the held-out items for items without
(``alpha_cold``); then ALS on all the interactions, the ridge map from content to factors on the
items that have interactions, and factors from the map for the items that have none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedlab.data.interactions import Interactions, Items
from embedlab.errors import EmbedlabError
from embedlab.evaluate.recommendation import ranking_metrics
from embedlab.evaluate.recommendation_splits import make_split
from embedlab.recommend.collab import (
    CollabConfig,
    fit_content_map,
    fit_factors,
    interaction_matrix,
    map_content,
)
from embedlab.recommend.content import ContentEncoder, FieldSpec
from embedlab.recommend.model import Recommender
from embedlab.recommend.scoring import PROFILES, content_scores, standardise
from embedlab.recommend.store import labels_of

ALPHA_GRID = tuple(round(float(a), 2) for a in np.linspace(0.0, 1.0, 11))


@dataclass
class FitConfig:
    """What to fit: fields, collaborative settings, profile, and ``alpha`` (None: tuned)."""

    fields: list[FieldSpec]
    collab: CollabConfig = field(default_factory=CollabConfig)
    profile: str = "mean"
    alpha: float | None = None
    validation_cold_share: float = 0.1
    seed: int = 0

    def check(self) -> None:
        if self.profile not in PROFILES:
            raise EmbedlabError(f"unknown profile {self.profile!r}; expected one of "
                                f"{', '.join(PROFILES)}")
        if self.alpha is not None and not 0 <= self.alpha <= 1:
            raise EmbedlabError(f"alpha must be between 0 and 1, got {self.alpha}")


def _histories(data: Interactions, n_users: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR rows (indptr, item rows) of each user's items, oldest first."""
    when = (np.arange(len(data)) if data.timestamps is None
            else np.argsort(np.argsort(data.timestamps, kind="stable"), kind="stable"))
    order = np.lexsort((when, data.users))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(data.users, minlength=n_users))])
    return indptr.astype(np.int64), data.items[order].astype(np.int64)


def build(data: Interactions, items: Items, encoder: ContentEncoder, content: np.ndarray,
          config: FitConfig, alphas: tuple[float, float] = (0.5, 0.5)) -> Recommender:
    """ALS on ``data``, the content map on its warm items, and the recommender over them."""
    n_users, n_items = len(data.user_ids), len(items)
    collab = config.collab
    matrix = interaction_matrix(data.users, data.items, n_users, n_items, collab.confidence)
    user_factors, factors = fit_factors(matrix, collab)
    popularity = np.bincount(data.items, minlength=n_items).astype(np.int64)
    warm = popularity > 0
    coef, intercept, penalty = fit_content_map(content[warm], factors[warm])
    factors = factors.copy()
    factors[~warm] = map_content(content[~warm], coef, intercept)
    indptr, indices = _histories(data, n_users)
    return Recommender(
        encoder=encoder, item_ids=list(items.ids), labels=labels_of(items), content=content,
        factors=factors, warm=warm, popularity=popularity, coef=coef, intercept=intercept,
        user_ids=list(data.user_ids), user_factors=user_factors, indptr=indptr,
        indices=indices, alpha_warm=alphas[0], alpha_cold=alphas[1], profile=config.profile,
        confidence=collab.confidence, regularization=collab.regularization,
        manifest={"ridge_penalty": penalty})


def _curve(rec: Recommender, queries: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]
           ) -> list[float]:
    """Mean nDCG@20 of each alpha of :data:`ALPHA_GRID` over ``(user, history, candidates,
    targets)`` queries."""
    totals = np.zeros(len(ALPHA_GRID))
    for user, history, cand, targets in queries:
        zc = standardise(content_scores(rec.content[history], rec.content[cand], rec.profile))
        zf = standardise(rec.factors[cand] @ rec.user_factors[user])
        for a, alpha in enumerate(ALPHA_GRID):
            mixed = (alpha * zc + (1 - alpha) * zf).astype(np.float64)
            ranked = cand[np.lexsort((cand, -mixed))[:20]]
            totals[a] += ranked_ndcg(ranked, targets)
    return (totals / max(len(queries), 1)).round(5).tolist()


def ranked_ndcg(ranked: np.ndarray, targets: np.ndarray) -> float:
    """nDCG@20 of a ranked list of rows against target rows."""
    return ranking_metrics(ranked.tolist(), targets.tolist(), cutoffs=(20,))["ndcg@20"]


def tune_alpha(data: Interactions, items: Items, encoder: ContentEncoder, content: np.ndarray,
               config: FitConfig) -> tuple[float, float, dict[str, Any]]:
    """``(alpha_warm, alpha_cold, report)`` from a validation split (module docstring)."""
    split = make_split(data, how="leave-last", cold_item_share=config.validation_cold_share,
                       cold_user_share=0.0, seed=config.seed)
    rec = build(split.train, items, encoder, content, config)
    warm_items = split.warm_items()
    histories = {u: rec.history(u) for u in set(split.warm) | set(split.cold_item_targets)}
    warm = [(u, histories[u], np.setdiff1d(warm_items, histories[u]), t)
            for u, t in split.warm.items() if len(histories[u])]
    cold = [(u, histories[u], split.cold_items, t)
            for u, t in split.cold_item_targets.items() if len(histories[u])]
    warm_curve = _curve(rec, warm) if warm else []
    cold_curve = _curve(rec, cold) if cold else []
    alpha_warm = ALPHA_GRID[int(np.argmax(warm_curve))] if warm_curve else 0.5
    alpha_cold = ALPHA_GRID[int(np.argmax(cold_curve))] if cold_curve else alpha_warm
    report = {"alpha_grid": list(ALPHA_GRID), "validation_warm_ndcg@20": warm_curve,
              "validation_cold_ndcg@20": cold_curve, "validation_users": len(warm),
              "validation_cold_users": len(cold)}
    return float(alpha_warm), float(alpha_cold), report


def fit_recommender(data: Interactions, items: Items, embedder: Any, config: FitConfig, *,
                    model_name: str | None = None, progress: bool = False) -> Recommender:
    """The hybrid recommender of ``data`` over the catalogue ``items`` (module docstring)."""
    config.check()
    if len(data) == 0:
        raise EmbedlabError(f"{data.source}: no interactions to fit on")
    name = model_name or str(getattr(embedder, "name", "model"))
    encoder = ContentEncoder(list(config.fields), name)
    content = encoder.fit({f.name: items.fields[f.name] for f in config.fields}, embedder,
                          progress=progress)
    if config.alpha is not None:
        alphas, report = (config.alpha, config.alpha), {"alpha": "given"}
    else:
        try:
            *pair, report = tune_alpha(data, items, encoder, content, config)
            alphas = (pair[0], pair[1])
        except EmbedlabError as exc:  # too little data to hold any out
            alphas, report = (0.5, 0.5), {"alpha": f"not tuned: {exc}"}
    rec = build(data, items, encoder, content, config, alphas)
    rec.manifest.update({"tuning": report, "interactions": len(data),
                         "collab": vars(config.collab)})
    return rec
