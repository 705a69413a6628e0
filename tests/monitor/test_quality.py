from __future__ import annotations

import threading

import numpy as np
import pytest

from embedlab.embedders.base import EncodeStats
from embedlab.errors import EmbedlabError
from embedlab.monitor.quality import SignalWindow, compare_top1


def test_top1_fall_is_detected_and_rise_is_not():
    rng = np.random.default_rng(0)
    ref = rng.normal(0.7, 0.05, 300)
    fell = compare_top1(ref, rng.normal(0.55, 0.05, 300))
    same = compare_top1(ref, rng.normal(0.7, 0.05, 300))
    rose = compare_top1(ref, rng.normal(0.8, 0.05, 300))
    assert fell.drift and fell.fall == pytest.approx(0.15, abs=0.02)
    assert not same.drift and not rose.drift and rose.fall < 0
    with pytest.raises(EmbedlabError, match="at least 20"):
        compare_top1(ref, [0.5] * 3)


def test_window_is_bounded_and_counts_rates():
    w = SignalWindow(size=5)
    w.add_vectors(np.ones((8, 3)))
    assert w.sample().shape == (5, 3)
    w.add_encode_stats(EncodeStats(count=4, encoded=4, truncated=1, oov_tokens=3, tokens=30))
    w.add_encode_stats(EncodeStats(count=1, encoded=1, truncated=0, oov_tokens=0, tokens=10))
    rates = w.rates()
    assert rates["truncated_rate"] == pytest.approx(1 / 5)
    assert rates["oov_rate"] == pytest.approx(3 / 40)
    for score in (0.5, 0.7):
        w.add_top1(score)
    assert w.rates()["top1_mean"] == pytest.approx(0.6)


def test_window_is_thread_safe():
    w = SignalWindow(size=10_000)
    threads = [threading.Thread(target=lambda: [w.add_top1(0.5) for _ in range(1000)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(w.top1) == 4000
