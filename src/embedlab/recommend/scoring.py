"""Scores of candidate items for one user: content, collaborative, and their blend.

In: the content vectors of the user's history (oldest first) and of the candidates, a user
factor vector and the candidates' item factors. Out: one float per candidate.

- content profiles: ``mean`` (the mean history vector), ``recency`` (weights halving every
  ``half_life`` interactions back from the latest), ``attention`` (per candidate, a softmax over
  the history of its similarities, temperature ``tau``: the history items that resemble the
  candidate count most);
- :func:`blend`: each part standardised over the candidates (z-scores, so the two scales meet),
  then ``alpha * content + (1 - alpha) * collaborative`` with a per-candidate ``alpha`` (one for
  items with interactions, one for items whose factors come from the content map).
"""

from __future__ import annotations

import numpy as np

from embedlab.errors import EmbedlabError

PROFILES = ("mean", "recency", "attention")


def content_scores(history: np.ndarray, candidates: np.ndarray, profile: str = "mean", *,
                   half_life: float = 20.0, tau: float = 0.1) -> np.ndarray:
    """Content scores of ``candidates`` ``[n, d]`` for a history ``[h, d]`` (oldest first)."""
    if len(history) == 0:
        raise EmbedlabError("the history is empty: give at least one item")
    if profile == "mean":
        return candidates @ history.mean(axis=0)
    if profile == "recency":
        age = np.arange(len(history) - 1, -1, -1, dtype=np.float32)
        weights = np.power(np.float32(0.5), age / np.float32(half_life))
        return candidates @ (weights @ history / weights.sum())
    if profile == "attention":
        sims = history @ candidates.T  # [h, n]
        logits = sims / tau
        logits -= logits.max(axis=0, keepdims=True)
        weights = np.exp(logits)
        weights /= weights.sum(axis=0, keepdims=True)
        return (weights * sims).sum(axis=0)
    raise EmbedlabError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")


def standardise(scores: np.ndarray) -> np.ndarray:
    """Zero mean, unit spread over the candidates (all zeros when they are all equal)."""
    scores = scores.astype(np.float32)
    spread = float(scores.std())
    if spread == 0.0 or not np.isfinite(spread):
        return np.zeros_like(scores)
    return (scores - scores.mean()) / spread


def blend(content: np.ndarray, collab: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
    """``alpha * z(content) + (1 - alpha) * z(collab)``; ``alpha`` a number or one per item."""
    return alpha * standardise(content) + (1 - np.asarray(alpha)) * standardise(collab)


def top_k(scores: np.ndarray, k: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first (ties: the lower position first),
    ``exclude`` positions left out."""
    scores = scores.astype(np.float64, copy=True)
    if exclude is not None and len(exclude):
        scores[exclude] = -np.inf
    k = min(k, int(np.isfinite(scores).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]
