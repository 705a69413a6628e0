"""Fuse ranked lists from dense and BM25 search into one ranking.

- :func:`rrf`, reciprocal rank fusion (Cormack et al. 2009): ``score(d) = sum over lists of
  w / (k + rank(d))`` with ranks from 1 and ``k = 60``; a list that lacks ``d`` adds nothing.
  It needs no score calibration, so it is the default.
- :func:`weighted_sum`: each list's scores min-max normalised to [0, 1] over its own
  candidates (all equal -> 1), then ``sum of w * score``; a missing item counts 0.

In: lists of ``(key, score)`` pairs, best first (keys are document ids or chunk rows). Out: one
list of ``(key, fused score)``, best first; ties keep the order in which keys first appear.
Fusion is a few lines of arithmetic, so it is written here rather than pulled in.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from embedlab.errors import EmbedlabError

K = TypeVar("K", bound=Hashable)
RRF_K = 60
FUSIONS = ("rrf", "weighted")


def _weights(n: int, weights: Sequence[float] | None) -> list[float]:
    if weights is None:
        return [1.0] * n
    if len(weights) != n:
        raise EmbedlabError(f"{len(weights)} fusion weights for {n} ranked lists")
    return [float(w) for w in weights]


def _ordered(scores: dict[K, float]) -> list[tuple[K, float]]:
    order = {key: i for i, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


def rrf(lists: Sequence[Sequence[tuple[K, float]]], k: int = RRF_K,
        weights: Sequence[float] | None = None) -> list[tuple[K, float]]:
    """Reciprocal rank fusion of ranked lists (see the module docstring)."""
    if k < 0:
        raise EmbedlabError(f"the RRF constant must be 0 or more, got {k}")
    fused: dict[K, float] = {}
    for w, ranked in zip(_weights(len(lists), weights), lists, strict=True):
        for rank, (key, _score) in enumerate(ranked, start=1):
            fused[key] = fused.get(key, 0.0) + w / (k + rank)
    return _ordered(fused)


def weighted_sum(lists: Sequence[Sequence[tuple[K, float]]],
                 weights: Sequence[float] | None = None) -> list[tuple[K, float]]:
    """Weighted sum of min-max normalised scores (see the module docstring)."""
    fused: dict[K, float] = {}
    for w, ranked in zip(_weights(len(lists), weights), lists, strict=True):
        if not ranked:
            continue
        values = [s for _, s in ranked]
        low, high = min(values), max(values)
        for key, score in ranked:
            norm = (score - low) / (high - low) if high > low else 1.0
            fused[key] = fused.get(key, 0.0) + w * norm
    return _ordered(fused)


def fuse(dense: Sequence[tuple[K, float]], lexical: Sequence[tuple[K, float]], *,
         method: str = "rrf", alpha: float = 0.5, rrf_k: int = RRF_K) -> list[tuple[K, float]]:
    """Dense and BM25 results fused by ``rrf`` (equal weights) or ``weighted`` (``alpha`` on
    dense, ``1 - alpha`` on BM25)."""
    if method == "rrf":
        return rrf([dense, lexical], k=rrf_k)
    if method == "weighted":
        if not 0.0 <= alpha <= 1.0:
            raise EmbedlabError(f"alpha must be between 0 and 1, got {alpha}")
        return weighted_sum([dense, lexical], weights=[alpha, 1.0 - alpha])
    raise EmbedlabError(f"unknown fusion {method!r}; expected one of: {', '.join(FUSIONS)}")
