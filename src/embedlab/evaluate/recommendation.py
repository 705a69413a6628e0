"""Recommendation: a model fitted on a training split, scored on warm items, cold items and cold
users.

In: a :class:`RecommendationSet` (interactions joined to their catalogue) and a model that can
fit a recommender (:class:`RecommenderModel`: ``fit_recommender(train, items) -> scorer``, the
scorer's ``scores(user, history, candidates)`` giving one score per candidate row; ``user`` is
the training user's code, None for a user training never saw). Out, per part (``warm/``,
``cold-items/``, ``cold-users/``): ``recall@k``, ``ndcg@k`` (binary relevance, trec_eval's
semantics through :func:`embedlab.ranking.metrics.query_metrics`), ``hit@k`` (a target in the top
k) and ``coverage@k`` (the share of the candidate items that appear in someone's top k), for k
in 10 and 20, and ``users`` counted (a part with no users scores NaN); a scorer with a
``report()`` method adds its settings (e.g. the tuned ``alpha``). The primary metric is
``warm/ndcg@20``.

Candidates: warm, the items training has interactions with, less the user's training items;
cold items, the held-out items; cold users, the warm items less their history.
:class:`PopularityModel` is the baseline every recommender is read against (it cannot rank cold
items: they all score 0). Embedding models are wrapped into recommenders by
:mod:`embedlab.recommend.evaluation` (``embedlab eval`` does that for recommendation tasks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from embedlab.data.interactions import Interactions, Items
from embedlab.evaluate.base import Evaluator, NotApplicableError, model_name
from embedlab.evaluate.recommendation_splits import RecSplit, make_split
from embedlab.progress import progress_bar
from embedlab.ranking.metrics import query_metrics

CUTOFFS = (10, 20)
PARTS = ("warm", "cold-items", "cold-users")


@dataclass
class RecommendationSet:
    """Interactions (item codes = catalogue rows) and the catalogue, under one name."""

    name: str
    interactions: Interactions
    items: Items


class Scorer(Protocol):
    """A fitted recommender, as evaluation sees it."""

    def scores(self, user: int | None, history: np.ndarray,
               candidates: np.ndarray) -> np.ndarray:
        """One score per candidate item row."""


@runtime_checkable
class RecommenderModel(Protocol):
    """Something that fits a recommender on training interactions."""

    name: str

    def fit_recommender(self, train: Interactions, items: Items) -> Scorer:
        """A scorer fitted on ``train`` (item codes are rows of ``items``)."""


class _Popularity:
    def __init__(self, counts: np.ndarray) -> None:
        self.counts = counts.astype(np.float32)

    def scores(self, user: int | None, history: np.ndarray,
               candidates: np.ndarray) -> np.ndarray:
        return self.counts[candidates]


class PopularityModel:
    """Items ranked by their number of training interactions, the same for everyone."""

    name = "popularity"

    def fit_recommender(self, train: Interactions, items: Items) -> Scorer:
        return _Popularity(np.bincount(train.items, minlength=len(items)))


def ranking_metrics(ranked: Sequence[int], targets: Sequence[int],
                    cutoffs: Sequence[int] = CUTOFFS) -> dict[str, float]:
    """recall@k, ndcg@k and hit@k of one ranked list of item rows against target rows."""
    scores = query_metrics([str(r) for r in ranked], {str(t): 1 for t in targets},
                           ndcg_at=cutoffs, recall_at=cutoffs, mrr_at=(), map_at=())
    for k in cutoffs:
        scores[f"hit@{k}"] = float(scores[f"recall@{k}"] > 0)
    return scores


def _rank(scores: np.ndarray, candidates: np.ndarray, depth: int, tiebreak: np.ndarray
          ) -> np.ndarray:
    """Candidate rows by score, best first, the top ``depth``; ties in the seeded random order
    ``tiebreak`` (catalogue order often follows popularity: it would favour a model that
    cannot tell the items apart)."""
    order = np.lexsort((tiebreak[candidates], -scores.astype(np.float64)))
    return candidates[order[:depth]]


def _part(name: str, queries: list[tuple[int | None, np.ndarray, np.ndarray, np.ndarray]],
          scorer: Scorer, progress: bool, tiebreak: np.ndarray) -> dict[str, float]:
    """Mean metrics over ``(user, history, candidates, targets)`` queries, and coverage."""
    depth = max(CUTOFFS)
    totals: dict[str, float] = {}
    shown = {k: set() for k in CUTOFFS}  # type: dict[int, set[int]]
    universe: set[int] = set()
    with progress_bar(progress, len(queries), f"recommendation {name}") as advance:
        for user, history, candidates, targets in queries:
            ranked = _rank(scorer.scores(user, history, candidates), candidates, depth,
                           tiebreak)
            for key, value in ranking_metrics(ranked.tolist(), targets.tolist()).items():
                totals[key] = totals.get(key, 0.0) + value
            for k in CUTOFFS:
                shown[k].update(ranked[:k].tolist())
            universe.update(candidates.tolist())
            advance(1)
    n = len(queries)
    if not n:  # nothing to score in this part (e.g. no held-out users): not a number
        totals = {key: float("nan") for key in ranking_metrics([], [0])}
    out = {f"{name}/{key}": value / max(n, 1) for key, value in totals.items()}
    for k in CUTOFFS:
        out[f"{name}/coverage@{k}"] = len(shown[k]) / len(universe) if universe else 0.0
    out[f"{name}/users"] = float(n)
    return out


def evaluate_split(split: RecSplit, items: Items, model: Any, *, progress: bool = False,
                   seed: int = 0) -> dict[str, float]:
    """Fit ``model`` on the split's training part and score the three parts."""
    scorer = model.fit_recommender(split.train, items)
    tiebreak = np.random.default_rng(seed).permutation(len(items))
    warm_items = split.warm_items()
    histories: dict[int, np.ndarray] = {}
    for u, i in zip(split.train.users.tolist(), split.train.items.tolist(), strict=True):
        histories.setdefault(u, []).append(i)  # type: ignore[arg-type]
    histories = {u: np.array(v, dtype=np.int64) for u, v in histories.items()}
    warm = [(u, histories[u], np.setdiff1d(warm_items, histories[u]), targets)
            for u, targets in split.warm.items()]
    cold = [(u, histories[u], split.cold_items, targets)
            for u, targets in split.cold_item_targets.items() if u in histories]
    users = [(None, history, np.setdiff1d(warm_items, history), targets)
             for history, targets in split.cold_users.values()]
    scores: dict[str, float] = {}
    for name, queries in zip(PARTS, (warm, cold, users), strict=True):
        scores.update(_part(name, queries, scorer, progress, tiebreak))
    report = getattr(scorer, "report", None)  # a scorer may report its settings (alpha)
    if callable(report):
        scores.update({k: float(v) for k, v in report().items()})
    return scores


class RecommendationEvaluator(Evaluator):
    """A recommender's scores on one data set (see the module docstring)."""

    kind: ClassVar[str] = "recommendation"
    primary_metric: ClassVar[str] = "warm/ndcg@20"

    def __init__(self, data: RecommendationSet, *, how: str = "leave-last",
                 cold_item_share: float = 0.2, cold_user_share: float = 0.1, seed: int = 0,
                 batch_size: int = 32, progress: bool = False) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data
        self.seed = seed
        self.split = make_split(data.interactions, how=how, cold_item_share=cold_item_share,
                                cold_user_share=cold_user_share, seed=seed)

    def __call__(self, model: Any) -> dict[str, float]:
        if not isinstance(model, RecommenderModel):
            reason = ("it is not a recommender (embedlab eval turns embedding models into "
                      "hybrid and content-only recommenders for this task)")
            raise NotApplicableError(f"model {model_name(model)!r} does not apply to "
                                     f"recommendation: {reason}", reason)
        return evaluate_split(self.split, self.data.items, model, progress=self.progress,
                              seed=self.seed)
