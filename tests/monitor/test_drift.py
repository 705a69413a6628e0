from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from embedlab.errors import EmbedlabError
from embedlab.monitor.drift import METHODS, detect_drift


@pytest.fixture(scope="module")
def samples() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(32,)) * 0.5
    same = lambda n: base + rng.normal(size=(n, 32))  # noqa: E731
    return {"a": same(400), "b": same(400), "shifted": same(400) + 0.4}


@pytest.mark.parametrize("method", METHODS)
def test_same_distribution_is_not_drift_and_shift_is(samples, method: str):
    calm = detect_drift(samples["a"], samples["b"], method)
    moved = detect_drift(samples["a"], samples["shifted"], method)
    assert not calm.drift and moved.drift
    assert moved.p_value < calm.p_value and moved.score > calm.score
    assert calm.n_reference == 400 and calm.threshold == 0.01


def test_false_alarm_rate_on_null_samples():
    rng = np.random.default_rng(1)
    alarms = {m: 0 for m in METHODS}
    for trial in range(20):
        x = rng.normal(size=(120, 8))
        for m in METHODS:
            alarms[m] += detect_drift(x[:60], x[60:], m, seed=trial, permutations=99).drift
    assert all(count <= 2 for count in alarms.values()), alarms  # alpha 0.01: ~0.2 expected


def test_ks_matches_scipy_per_dimension(samples):
    result = detect_drift(samples["a"], samples["shifted"], "ks")
    raw = [ks_2samp(samples["a"][:, j], samples["shifted"][:, j]).pvalue for j in range(32)]
    assert result.details["dimensions"] == 32
    assert result.p_value >= min(raw) - 1e-12  # adjusted p-values are never smaller


def test_mmd_statistic_equals_direct_formula(samples):
    from embedlab.monitor.drift import mmd_test

    x, y = samples["a"][:50], samples["shifted"][:50]
    stat, _, details = mmd_test(x, y, permutations=9, rng=np.random.default_rng(0))
    h = details["bandwidth"]

    def k(a, b):
        d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        return np.exp(-d2 / (2 * h * h))

    direct = k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()
    assert stat == pytest.approx(direct, rel=1e-9)


def test_mean_shift_score_is_cosine_distance_of_means(samples):
    result = detect_drift(samples["a"], samples["shifted"], "mean-shift")
    a, b = samples["a"].mean(0), samples["shifted"].mean(0)
    assert result.score == pytest.approx(1 - a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_bad_inputs(samples):
    with pytest.raises(EmbedlabError, match="different dimensions"):
        detect_drift(samples["a"], samples["b"][:, :10])
    with pytest.raises(EmbedlabError, match="at least 20"):
        detect_drift(samples["a"], samples["b"][:5])
    with pytest.raises(EmbedlabError, match="unknown drift method"):
        detect_drift(samples["a"], samples["b"], "wasserstein")
    with pytest.raises(EmbedlabError, match="NaN"):
        detect_drift(samples["a"], np.full((30, 32), np.nan))
