"""The collaborative part: implicit's ALS (or BPR) factors, the ALS fold-in for a history, and
the ridge map from content vectors to item factors.

In: integer-coded interactions (users x items), content vectors. Out: ``user_factors``
``[users, f]`` and ``item_factors`` ``[items, f]`` (float32; the items with no interaction get
zero rows until the map fills them), a user vector for any history (:func:`fold_in`), and the
map's ``(coef, intercept)`` (:func:`fit_content_map`: sklearn's ``RidgeCV`` on the warm items).

:func:`fold_in` is the ALS user step in numpy (solve ``(Y^T C Y + lambda I) p = Y^T C 1`` with
confidence ``c`` on the history's items), so a model folder answers new users without implicit
or a pickled model object at query time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from embedlab.errors import EmbedlabError


@dataclass
class CollabConfig:
    """ALS/BPR settings; ``confidence`` is the weight of an observed interaction."""

    algorithm: str = "als"
    factors: int = 64
    iterations: int = 20
    regularization: float = 10.0
    confidence: float = 10.0
    seed: int = 0


def interaction_matrix(users: np.ndarray, items: np.ndarray, n_users: int, n_items: int,
                       confidence: float) -> sp.csr_matrix:
    """A users x items CSR matrix holding ``confidence`` at each interaction."""
    data = np.full(len(users), confidence, dtype=np.float32)
    matrix = sp.csr_matrix((data, (users, items)), shape=(n_users, n_items), dtype=np.float32)
    matrix.sum_duplicates()
    matrix.data[:] = confidence
    return matrix


def fit_factors(matrix: sp.csr_matrix, config: CollabConfig) -> tuple[np.ndarray, np.ndarray]:
    """User and item factors of ``matrix`` (users x items) with implicit's ALS or BPR."""
    try:
        from implicit.cpu.als import AlternatingLeastSquares
        from implicit.cpu.bpr import BayesianPersonalizedRanking
    except ImportError:
        raise EmbedlabError("the collaborative part needs the 'implicit' package: pip install "
                            "'embedlab[recommend]'") from None
    from threadpoolctl import threadpool_limits

    limits = threadpool_limits(1, "blas")  # implicit's advice: its own threads, 1-thread BLAS
    if config.algorithm == "als":
        model = AlternatingLeastSquares(factors=config.factors, iterations=config.iterations,
                                        regularization=config.regularization,
                                        random_state=config.seed, num_threads=0)
    elif config.algorithm == "bpr":
        model = BayesianPersonalizedRanking(factors=config.factors,
                                            iterations=config.iterations * 5,
                                            regularization=config.regularization,
                                            random_state=config.seed, num_threads=0)
    else:
        limits.unregister()
        raise EmbedlabError(f"unknown collaborative algorithm {config.algorithm!r}; expected "
                            "als or bpr")
    try:
        model.fit(matrix, show_progress=False)
    finally:
        limits.unregister()
    # BPR's factors carry a bias column (1 for users): their dot product includes the bias
    return (np.asarray(model.user_factors, dtype=np.float32),
            np.asarray(model.item_factors, dtype=np.float32))


def fold_in(item_factors: np.ndarray, history: np.ndarray, *, confidence: float,
            regularization: float, gram: np.ndarray | None = None) -> np.ndarray:
    """The ALS user vector of a history (rows of ``item_factors``); ``gram`` is ``Y^T Y``
    (computed when not given)."""
    y = item_factors.astype(np.float64)
    if gram is None:
        gram = y.T @ y
    h = y[np.asarray(history, dtype=np.int64)]
    a = gram + (confidence - 1.0) * (h.T @ h) + regularization * np.eye(y.shape[1])
    b = confidence * h.sum(axis=0)
    return np.linalg.solve(a, b).astype(np.float32)


def fit_content_map(content: np.ndarray, factors: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, float]:
    """Ridge regression from content vectors to item factors (warm items only): ``coef``
    ``[d, f]``, ``intercept`` ``[f]`` and the penalty picked by leave-one-out CV."""
    from sklearn.linear_model import RidgeCV

    if len(content) < 2:
        raise EmbedlabError("need at least two items with interactions to learn the map from "
                            "content to collaborative factors")
    ridge = RidgeCV(alphas=(0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0))
    ridge.fit(content.astype(np.float64), factors.astype(np.float64))
    return (ridge.coef_.T.astype(np.float32), np.asarray(ridge.intercept_, dtype=np.float32),
            float(ridge.alpha_))


def map_content(content: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Item factors predicted from content vectors."""
    return (content @ coef + intercept).astype(np.float32)
