"""Drift monitoring inside the server: fed by requests, checked off the request path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from serve_helpers import serving, until

from embedlab.monitor.live import LiveDriftMonitor
from embedlab.serve.app import create_app

pytestmark = pytest.mark.anyio

WORDS = "dog cat park music guitar onion food car road red blue fast slow man woman".split()


def _texts(rng: np.random.Generator, n: int, words: list[str]) -> list[str]:
    return [" ".join(rng.choice(words, 5)) for _ in range(n)]


async def test_drift_endpoint_and_metrics_follow_the_traffic(tiny_embedder: Any):
    rng = np.random.default_rng(0)
    reference = tiny_embedder.encode(_texts(rng, 200, WORDS))
    monitor = LiveDriftMonitor(reference, methods=("mmd",), window=100, interval_s=0.05,
                               min_current=60)
    app = create_app(tiny_embedder, drift=monitor)
    async with serving(app) as client:
        first = (await client.get("/v1/drift")).json()
        assert first["checks"] == 0 and first["window_vectors"] == 0
        # traffic from another "domain": digits only, which the tiny vocabulary spells out
        other = ["".join(rng.choice(list("0123456789"), 12)) for _ in range(80)]
        answer = await client.post("/v1/embeddings", json={"input": other})
        assert answer.status_code == 200
        await until(lambda: monitor.checks >= 1, timeout=20)
        status = (await client.get("/v1/drift")).json()
        assert status["window_vectors"] == 80 and status["drift"] is True
        assert status["results"][0]["method"] == "mmd"
        metrics = (await client.get("/metrics")).text
        assert 'embedlab_drift_detected{method="mmd"} 1.0' in metrics
        assert "embedlab_drift_window_vectors 80.0" in metrics


async def test_drift_endpoint_without_reference_is_404_in_openai_shape(tiny_embedder: Any):
    async with serving(create_app(tiny_embedder)) as client:
        answer = await client.get("/v1/drift")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "no_drift_reference"
