"""Drift tests between a reference and a current sample of embeddings.

In: two float matrices ``(n, dim)`` and ``(m, dim)`` of the same model. Out: a
:class:`DriftResult` per method — a score, a p-value, the threshold it is compared with, and a
yes/no. Methods:

- ``mmd``: squared maximum mean discrepancy with an RBF kernel whose bandwidth is the median
  pairwise distance; p-value by permutation (all permutations in one matrix product);
- ``classifier``: a logistic-regression domain classifier's cross-validated ROC AUC (0.5 = no
  drift); p-value from the Mann-Whitney normal approximation of the out-of-fold AUC;
- ``mean-shift``: cosine distance between the two means; p-value by permutation;
- ``ks``: per-dimension two-sample Kolmogorov-Smirnov tests with Benjamini-Hochberg false-
  discovery control; the score is the share of dimensions that moved.

Drift is called when the p-value is below ``alpha`` (default 0.01, a 1% false-alarm rate for a
single test; measured on real data in benchmarks/results.md). Large samples are subsampled
(``max_samples`` per side, reproducibly) so each method stays within seconds on 10,000 vectors.
The statistics are a few lines of numpy each; scipy and scikit-learn do the KS tests and the
classifier.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError

METHODS = ("mmd", "classifier", "mean-shift", "ks")
MIN_SAMPLES = 20
DEFAULT_ALPHA = 0.01


@dataclass
class DriftResult:
    """One method's verdict: ``drift`` is ``p_value < threshold``."""

    method: str
    score: float
    p_value: float
    threshold: float
    drift: bool
    n_reference: int
    n_current: int
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check(reference: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    if ref.ndim != 2 or cur.ndim != 2:
        raise EmbedlabError("drift needs two matrices of vectors (n, dim)")
    if ref.shape[1] != cur.shape[1]:
        raise EmbedlabError(f"the samples have different dimensions: reference {ref.shape[1]}, "
                            f"current {cur.shape[1]} (vectors of different models?)")
    for name, x in (("reference", ref), ("current", cur)):
        if len(x) < MIN_SAMPLES:
            raise EmbedlabError(f"the {name} sample has {len(x)} vectors; a drift test needs at "
                                f"least {MIN_SAMPLES}")
        if not np.isfinite(x).all():
            raise EmbedlabError(f"the {name} sample contains NaN or infinite values")
    return ref, cur


def _subsample(x: np.ndarray, limit: int | None, rng: np.random.Generator) -> np.ndarray:
    if limit is None or len(x) <= limit:
        return x
    return x[np.sort(rng.choice(len(x), size=limit, replace=False))]


def _permutation_weights(n: int, m: int, permutations: int,
                         rng: np.random.Generator) -> np.ndarray:
    """Columns of +1/n and -1/m weights: the observed split first, then random relabellings."""
    base = np.concatenate([np.full(n, 1.0 / n), np.full(m, -1.0 / m)])
    cols = [base] + [base[rng.permutation(n + m)] for _ in range(permutations)]
    return np.stack(cols, axis=1)


def mmd_test(ref: np.ndarray, cur: np.ndarray, *, permutations: int = 200,
             rng: np.random.Generator) -> tuple[float, float, dict[str, Any]]:
    """MMD² (biased estimator), permutation p-value, and the bandwidth used."""
    z = np.vstack([ref, cur])
    sq = np.sum(z * z, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * z @ z.T, 0.0)
    upper = d2[np.triu_indices(len(z), k=1)]
    bandwidth = float(np.sqrt(np.median(upper))) or 1.0
    kernel = np.exp(-d2 / (2 * bandwidth**2))
    w = _permutation_weights(len(ref), len(cur), permutations, rng)
    stats = np.einsum("ip,ip->p", w, kernel @ w)  # w_p^T K w_p for every column at once
    observed = float(stats[0])
    p = float((1 + np.sum(stats[1:] >= observed)) / (1 + permutations))
    return observed, p, {"bandwidth": bandwidth, "permutations": permutations}


def classifier_test(ref: np.ndarray, cur: np.ndarray, *, folds: int = 5,
                    seed: int = 0) -> tuple[float, float, dict[str, Any]]:
    """Out-of-fold ROC AUC of a logistic-regression domain classifier and its p-value."""
    from scipy.stats import norm
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    x = np.vstack([ref, cur])
    y = np.concatenate([np.zeros(len(ref)), np.ones(len(cur))])
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    clf = LogisticRegression(C=1.0, max_iter=300)
    scores = cross_val_predict(clf, x, y, cv=cv, method="decision_function")
    auc = float(roc_auc_score(y, scores))
    n1, n2 = len(ref), len(cur)
    sigma = np.sqrt((n1 + n2 + 1) / (12.0 * n1 * n2))  # null sd of the AUC (Mann-Whitney)
    p = float(norm.sf((auc - 0.5) / sigma))
    return auc, p, {"folds": folds, "null_sd": float(sigma)}


def mean_shift_test(ref: np.ndarray, cur: np.ndarray, *, permutations: int = 200,
                    rng: np.random.Generator) -> tuple[float, float, dict[str, Any]]:
    """Cosine distance between the sample means, permutation p-value."""
    z = np.vstack([ref, cur])
    n, m = len(ref), len(cur)
    orders = [np.arange(n + m)] + [rng.permutation(n + m) for _ in range(permutations)]
    first = np.zeros((n + m, len(orders)))
    for k, order in enumerate(orders):
        first[order[:n], k] = 1.0
    means_a = (first / n).T @ z  # every relabelling's two means in two matrix products
    means_b = ((1.0 - first) / m).T @ z
    denom = np.linalg.norm(means_a, axis=1) * np.linalg.norm(means_b, axis=1)
    stats = 1.0 - np.einsum("pd,pd->p", means_a, means_b) / np.maximum(denom, 1e-12)
    observed = float(stats[0])
    p = float((1 + np.sum(stats[1:] >= observed)) / (1 + permutations))
    return observed, p, {"permutations": permutations}


def ks_test(ref: np.ndarray, cur: np.ndarray, *, q: float = DEFAULT_ALPHA
            ) -> tuple[float, float, dict[str, Any]]:
    """Share of dimensions whose distribution moved (BH at level q), and the smallest adjusted
    p-value (the test's p-value for 'any dimension moved')."""
    from scipy.stats import false_discovery_control, ks_2samp

    p_values = np.atleast_1d(ks_2samp(ref, cur, axis=0).pvalue)
    adjusted = false_discovery_control(p_values, method="bh")
    moved = adjusted < q
    return float(np.mean(moved)), float(np.min(adjusted)), {
        "dimensions_moved": int(moved.sum()), "dimensions": int(len(p_values))}


def check_method(method: str) -> None:
    """Refuse a name that is not one of :data:`METHODS`."""
    if method not in METHODS:
        raise EmbedlabError(f"unknown drift method {method!r}; expected one of: "
                            f"{', '.join(METHODS)}")


def detect_drift(reference: np.ndarray, current: np.ndarray, method: str = "mmd", *,
                 alpha: float = DEFAULT_ALPHA, max_samples: int | None = None,
                 permutations: int = 200, seed: int = 0) -> DriftResult:
    """Run one drift test (see the module docstring) and say whether it calls drift."""
    check_method(method)
    if not 0 < alpha < 1:
        raise EmbedlabError(f"alpha must be between 0 and 1, got {alpha}")
    ref, cur = _check(reference, current)
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    limits = {"mmd": 1000, "classifier": 5000, "mean-shift": None, "ks": None}
    limit = max_samples if max_samples is not None else limits[method]
    r, c = _subsample(ref, limit, rng), _subsample(cur, limit, rng)
    if method == "mmd":
        score, p, details = mmd_test(r, c, permutations=permutations, rng=rng)
    elif method == "classifier":
        score, p, details = classifier_test(r, c, seed=seed)
    elif method == "mean-shift":
        score, p, details = mean_shift_test(r, c, permutations=permutations, rng=rng)
    else:
        score, p, details = ks_test(r, c, q=alpha)
    return DriftResult(method=method, score=score, p_value=p, threshold=alpha,
                       drift=bool(p < alpha), n_reference=len(ref), n_current=len(cur),
                       seconds=round(time.perf_counter() - start, 3), details=details)
