from __future__ import annotations

import asyncio

import numpy as np
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from embedlab.errors import EmbedlabError
from embedlab.monitor.live import LiveDriftMonitor


def test_periodic_check_exports_scores_and_detects_a_shift():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(300, 16))
    monitor = LiveDriftMonitor(reference, methods=("mmd", "ks"), window=200, interval_s=0.05,
                               min_current=100)
    registry = CollectorRegistry()
    monitor.register(registry)
    assert monitor.check() == {}  # window still empty: nothing to test yet
    monitor.observe(rng.normal(size=(150, 16)))
    calm = monitor.check()
    assert not any(r.drift for r in calm.values()) and monitor.checks == 1
    monitor.observe(rng.normal(size=(200, 16)) + 0.6)  # the window now holds only shifted rows
    shifted = monitor.check()
    assert all(r.drift for r in shifted.values())
    text = generate_latest(registry).decode()
    assert 'embedlab_drift_detected{method="mmd"} 1.0' in text
    assert "embedlab_drift_window_vectors 200.0" in text
    status = monitor.status()
    assert status["drift"] is True and status["checks"] == 2 and len(status["results"]) == 2


def test_background_task_runs_off_the_request_path():
    rng = np.random.default_rng(1)
    monitor = LiveDriftMonitor(rng.normal(size=(100, 8)), interval_s=0.02, min_current=50)
    monitor.observe(rng.normal(size=(60, 8)) + 1.0)

    async def scenario() -> None:
        monitor.start()
        for _ in range(200):
            await asyncio.sleep(0.02)
            if monitor.checks:
                break
        await monitor.stop()

    asyncio.run(scenario())
    assert monitor.checks >= 1 and monitor.status()["drift"] is True


def test_signals_and_bad_settings():
    monitor = LiveDriftMonitor(np.zeros((30, 4)) + np.arange(4), min_current=20)
    monitor.observe_texts([5, 600, 20], window=512)
    monitor.observe_top1(0.8)
    signals = monitor.status()["signals"]
    assert signals["truncated_rate"] == pytest.approx(1 / 3) and signals["top1_mean"] == 0.8
    monitor.observe(np.ones((5, 3)))  # another dimension: ignored, not a crash
    assert monitor.status()["window_vectors"] == 0
    with pytest.raises(EmbedlabError, match="at least 20"):
        LiveDriftMonitor(np.zeros((5, 4)))
    with pytest.raises(EmbedlabError, match="unknown drift method"):
        LiveDriftMonitor(np.zeros((30, 4)), methods=("psi",))
