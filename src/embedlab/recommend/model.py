"""A fitted hybrid recommender: its arrays, its answers, its folder.

In: the arrays :func:`embedlab.recommend.fit.fit_recommender` learns (or a model folder). Out:
top-k items for a known user (:meth:`Recommender.for_user`), for a history of a user never seen
(:meth:`for_history`, factors by the ALS fold-in), items like an item (:meth:`similar`), and raw
scores over candidate rows for evaluation (:meth:`scores`).

The folder (written by :func:`embedlab.recommend.store.save`): ``embedlab.json`` (the manifest:
model, fields, settings, tuned alphas), ``model.npz`` (users, their factors and histories, the
content map) and ``items.npz`` (everything per item, and the content encoder's vocabularies),
which ``add-items`` replaces in one atomic write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.recommend.collab import fold_in
from embedlab.recommend.content import ContentEncoder
from embedlab.recommend.scoring import blend, content_scores, top_k


@dataclass
class Recommendation:
    """One recommended item: id, blended score, and a label (its first field's text)."""

    item: str
    score: float
    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "score": round(self.score, 6), "label": self.label}


@dataclass
class Recommender:
    """Items (content vectors, collaborative factors, warm flags), users (factors, histories as
    CSR rows of item positions, oldest first) and the blend's settings."""

    encoder: ContentEncoder
    item_ids: list[str]
    labels: list[str]
    content: np.ndarray
    factors: np.ndarray
    warm: np.ndarray
    popularity: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    user_ids: list[str]
    user_factors: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    alpha_warm: float = 0.5
    alpha_cold: float = 0.5
    profile: str = "mean"
    confidence: float = 10.0
    regularization: float = 10.0
    manifest: dict[str, Any] = field(default_factory=dict)
    _item_pos: dict[str, int] = field(default_factory=dict, repr=False)
    _user_pos: dict[str, int] = field(default_factory=dict, repr=False)
    _gram: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the id lookups (after items were added)."""
        self._item_pos = {item: i for i, item in enumerate(self.item_ids)}
        self._user_pos = {user: i for i, user in enumerate(self.user_ids)}
        self._gram = None

    @property
    def alphas(self) -> np.ndarray:
        """The content weight of each item: ``alpha_warm`` or ``alpha_cold``."""
        return np.where(self.warm, self.alpha_warm, self.alpha_cold).astype(np.float32)

    def history(self, user: int) -> np.ndarray:
        """Item positions of a known user's history (by position), oldest first."""
        return self.indices[self.indptr[user]:self.indptr[user + 1]]

    def item_rows(self, items: list[str]) -> np.ndarray:
        """Positions of item ids; an error naming the unknown ones."""
        unknown = [i for i in items if i not in self._item_pos]
        if unknown:
            shown = ", ".join(repr(i) for i in unknown[:5])
            raise EmbedlabError(f"unknown item(s) {shown} ({len(unknown)} of {len(items)}); "
                                "add them with 'embedlab recommend add-items'")
        return np.array([self._item_pos[i] for i in items], dtype=np.int64)

    def user_row(self, user: str) -> int:
        """Position of a known user; an error for a user the model has no interactions of."""
        if user not in self._user_pos:
            raise EmbedlabError(f"unknown user {user!r}: the model has no interactions of this "
                                "user; recommend from a history instead (--history I1,I2,...)")
        return self._user_pos[user]

    def history_factor(self, history: np.ndarray) -> np.ndarray:
        """The collaborative vector of a history (the ALS fold-in over the warm items' Gram)."""
        if self._gram is None:
            y = self.factors[self.warm].astype(np.float64)
            self._gram = y.T @ y
        return fold_in(self.factors, history, confidence=self.confidence,
                       regularization=self.regularization, gram=self._gram)

    def scores(self, user: int | None, history: np.ndarray,
               candidates: np.ndarray | None = None) -> np.ndarray:
        """Blended scores of ``candidates`` (item positions; all items when None) for a known
        user (``user`` its position) or a new one (``user`` None: the fold-in of ``history``)."""
        cand = np.arange(len(self.item_ids)) if candidates is None else candidates
        history = np.asarray(history, dtype=np.int64)
        if len(history) == 0:
            raise EmbedlabError("the history is empty: give at least one item")
        vector = self.user_factors[user] if user is not None else self.history_factor(history)
        collab = self.factors[cand] @ vector
        content = content_scores(self.content[history], self.content[cand], self.profile)
        return blend(content, collab, self.alphas[cand])

    def _answer(self, scores: np.ndarray, k: int, exclude: np.ndarray | None
                ) -> list[Recommendation]:
        rows = top_k(scores, k, exclude)
        return [Recommendation(self.item_ids[r], float(scores[r]), self.labels[r]) for r in rows]

    def for_user(self, user: str, k: int = 10, *, exclude_seen: bool = False
                 ) -> list[Recommendation]:
        """The top ``k`` items for a user the model was fitted on."""
        row = self.user_row(user)
        history = self.history(row)
        if len(history) == 0:
            raise EmbedlabError(f"user {user!r} has no interactions the model kept (all were "
                                "dropped at loading); recommend from a history instead")
        return self._answer(self.scores(row, history), k, history if exclude_seen else None)

    def for_history(self, items: list[str], k: int = 10, *, exclude_seen: bool = True
                    ) -> list[Recommendation]:
        """The top ``k`` items for a new user who interacted with ``items`` (oldest first)."""
        if not items:
            raise EmbedlabError("the history is empty: give at least one item")
        history = self.item_rows(items)
        return self._answer(self.scores(None, history), k, history if exclude_seen else None)

    def similar(self, item: str, k: int = 10) -> list[Recommendation]:
        """Items like ``item``: blended cosine of content vectors and of collaborative factors."""
        row = int(self.item_rows([item])[0])
        content = self.content @ self.content[row]
        norms = np.linalg.norm(self.factors, axis=1)
        norms[norms == 0] = 1.0
        collab = (self.factors @ self.factors[row]) / (norms * norms[row])
        alpha = self.alpha_warm if self.warm[row] else self.alpha_cold
        return self._answer(blend(content, collab, alpha), k, np.array([row]))

    def report(self) -> dict[str, float]:
        """The blend's weights, for evaluation reports."""
        return {"alpha_warm": self.alpha_warm, "alpha_cold": self.alpha_cold}

    def describe(self) -> dict[str, Any]:
        """Counts and settings, for ``embedlab recommend DIR`` without a question and serving."""
        return {"items": len(self.item_ids), "warm_items": int(self.warm.sum()),
                "users": len(self.user_ids), "alpha_warm": self.alpha_warm,
                "alpha_cold": self.alpha_cold, "profile": self.profile,
                "model": self.encoder.model_name,
                "fields": [str(f) for f in self.encoder.fields]}
