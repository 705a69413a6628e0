"""The server as a whole: batching across requests, the LRU cache, metrics, graceful shutdown."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from typing import Any

import httpx
import numpy as np
import pytest
from serve_helpers import Probe, real_server, serving, until

from embedlab.serve import ServeSettings, create_app
from embedlab.serve.cache import VectorLRU

URL = "/v1/embeddings"
TEXTS = ["the man plays guitar", "a dog runs", "red car on the road", "music and food",
         "the cat is slow", "blue park", "woman cooking onion", "fast music"]


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 if absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not m or m.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(m.group(3))
    return 0.0


@pytest.mark.anyio
async def test_concurrent_requests_are_batched_and_answered_in_order(tiny_embedder: Any) -> None:
    probe = Probe(tiny_embedder, delay=0.02)
    app = create_app(probe, settings=ServeSettings(cache_size=0, max_wait_ms=20))
    async with serving(app) as client:
        answers = await asyncio.gather(*(client.post(URL, json={"input": [t, TEXTS[-1 - i]]})
                                         for i, t in enumerate(TEXTS)))
        metrics = (await client.get("/metrics")).text
    expected = tiny_embedder.encode(TEXTS)
    for i, r in enumerate(answers):
        assert r.status_code == 200
        rows = np.asarray([d["embedding"] for d in r.json()["data"]], dtype=np.float32)
        np.testing.assert_allclose(rows, expected[[i, len(TEXTS) - 1 - i]], atol=1e-5)
    assert 1 <= len(probe.batches) < len(TEXTS)
    assert metric(metrics, "embedlab_batch_size_count") == len(probe.batches)
    assert metric(metrics, "embedlab_batch_size_sum") == 2 * len(TEXTS)


@pytest.mark.anyio
async def test_repeated_texts_come_from_the_cache(tiny_embedder: Any) -> None:
    probe = Probe(tiny_embedder)
    async with serving(create_app(probe, settings=ServeSettings(cache_size=100))) as client:
        first = (await client.post(URL, json={"input": TEXTS[:3]})).json()
        calls = len(probe.batches)
        again = (await client.post(URL, json={"input": [TEXTS[2], TEXTS[0], TEXTS[2]]})).json()
        metrics = (await client.get("/metrics")).text
    assert len(probe.batches) == calls  # nothing new was encoded
    vec = {t: d["embedding"] for t, d in zip(TEXTS[:3], first["data"], strict=True)}
    assert [d["embedding"] for d in again["data"]] == [vec[TEXTS[2]], vec[TEXTS[0]],
                                                        vec[TEXTS[2]]]
    tokens = tiny_embedder.count_tokens([TEXTS[2], TEXTS[0], TEXTS[2]])
    assert again["usage"]["prompt_tokens"] == sum(tokens)
    assert metric(metrics, "embedlab_cache_hits_total") == 3
    assert metric(metrics, "embedlab_cache_misses_total") == 3


@pytest.mark.anyio
async def test_duplicates_in_one_request_are_encoded_once(tiny_embedder: Any) -> None:
    probe = Probe(tiny_embedder)
    async with serving(create_app(probe, settings=ServeSettings(cache_size=0))) as client:
        r = await client.post(URL, json={"input": ["a dog", "a dog", "a cat", "a dog"]})
    assert r.status_code == 200
    assert sorted(t for batch in probe.batches for t in batch) == ["a cat", "a dog"]


def test_lru_evicts_the_least_recently_used() -> None:
    lru = VectorLRU(2)
    v = np.zeros(3, dtype=np.float32)
    lru.put("document", "a", v, 1)
    lru.put("document", "b", v, 2)
    assert lru.get("document", "a") is not None  # a is now the most recent
    lru.put("document", "c", v, 3)
    assert lru.get("document", "b") is None
    assert lru.get("document", "a") is not None and lru.get("document", "c")[1] == 3
    assert lru.get("query", "a") is None  # kinds are separate
    assert len(lru) == 2
    off = VectorLRU(0)
    off.put("document", "a", v, 1)
    assert off.get("document", "a") is None and len(off) == 0


@pytest.mark.anyio
async def test_metrics_count_requests_by_route_and_status(tiny_embedder: Any) -> None:
    async with serving(create_app(tiny_embedder)) as client:
        for _ in range(3):
            await client.post(URL, json={"input": "a dog"})
        await client.post(URL, json={"input": 1})
        await client.get("/nowhere")
        text = (await client.get("/metrics")).text
        assert (await client.get("/metrics")).headers["content-type"].startswith("text/plain")
    ok = dict(route="/v1/embeddings", method="POST")
    assert metric(text, "embedlab_requests_total", **ok, status="200") == 3
    assert metric(text, "embedlab_requests_total", **ok, status="422") == 1
    assert metric(text, "embedlab_requests_total", route="unmatched", status="404") == 1
    assert metric(text, "embedlab_request_duration_seconds_count", route="/v1/embeddings") == 4
    assert metric(text, "embedlab_batch_tokens_sum") == tiny_embedder.count_tokens(["a dog"])[0]
    assert metric(text, "embedlab_texts_total") == 3
    assert "embedlab_queue_depth 0.0" in text


@pytest.mark.anyio
async def test_queue_depth_is_reported_while_texts_wait(tiny_embedder: Any) -> None:
    probe = Probe(tiny_embedder, gated=True)
    settings = ServeSettings(cache_size=0, max_batch_tokens=8, max_wait_ms=0)
    async with serving(create_app(probe, settings=settings)) as client:
        held = asyncio.create_task(client.post(URL, json={"input": TEXTS}))
        await until(probe.entered.is_set)
        depth = metric((await client.get("/metrics")).text, "embedlab_queue_depth")
        probe.gate.set()
        assert (await held).status_code == 200
    assert 0 < depth < len(TEXTS)  # some texts in the running batch, the rest waiting


@pytest.mark.anyio
async def test_shutdown_answers_what_is_queued(tiny_embedder: Any) -> None:
    probe = Probe(tiny_embedder, delay=0.05)
    settings = ServeSettings(cache_size=0, max_batch_tokens=8, max_wait_ms=0)
    app = create_app(probe, settings=settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        async with app.router.lifespan_context(app):
            pending = [asyncio.create_task(client.post(URL, json={"input": [t]}))
                       for t in TEXTS]
            batcher = app.state.embeddings.batcher
            await until(lambda: batcher.admitted + sum(map(len, probe.batches)) >= len(TEXTS))
            assert batcher.depth > 0  # texts are still waiting when the shutdown starts
        # the lifespan has ended: every request that was queued got its answer
        answers = await asyncio.gather(*pending)
        assert [r.status_code for r in answers] == [200] * len(TEXTS)
        assert sum(len(b) for b in probe.batches) == len(TEXTS)
        late = await client.post(URL, json={"input": "too late"})
        assert late.status_code == 503
        assert late.json()["error"]["code"] == "shutting_down"


def test_uvicorn_shutdown_finishes_in_flight_requests(tiny_embedder: Any) -> None:
    probe = Probe(tiny_embedder, delay=0.1)
    app = create_app(probe, settings=ServeSettings(cache_size=0, max_batch_tokens=8,
                                                   max_wait_ms=0))
    results: list[int] = []
    with real_server(app) as (url, server):

        def call(text: str) -> None:
            with httpx.Client(base_url=url, timeout=30) as c:
                results.append(c.post(URL, json={"input": [text, text + " x"]}).status_code)

        threads = [threading.Thread(target=call, args=(t,)) for t in TEXTS]
        for t in threads:
            t.start()
        batcher = app.state.embeddings.batcher
        deadline = time.monotonic() + 10
        while batcher.admitted + sum(map(len, probe.batches)) < 2 * len(TEXTS):
            assert time.monotonic() < deadline, "the requests did not all arrive"
            time.sleep(0.01)
        assert batcher.depth > 0  # texts are still waiting when the shutdown starts
        server.should_exit = True  # what SIGTERM / Ctrl+C does
        for t in threads:
            t.join(30)
        assert results == [200] * len(TEXTS)
        assert sum(len(b) for b in probe.batches) == 2 * len(TEXTS)
        time.sleep(0.3)
        with pytest.raises(httpx.ConnectError):
            httpx.get(url + "/health", timeout=2)


@pytest.mark.anyio
async def test_metrics_find_the_route_where_starlette_does_not_record_it(
        tiny_embedder: Any) -> None:
    from embedlab.serve.metrics import Metrics, MetricsMiddleware

    routes = create_app(tiny_embedder).router.routes
    metrics = Metrics()

    async def bare_app(scope: dict, receive: Any, send: Any) -> None:  # no scope["route"]
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        pass

    middleware = MetricsMiddleware(bare_app, metrics, routes)
    for path in ("/v1/models/some-model", "/elsewhere"):
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "",
                 "headers": [], "query_string": b""}
        await middleware(scope, receive, send)
    text = metrics.render()[0].decode()
    assert metric(text, "embedlab_requests_total", route="/v1/models/{model}",
                  status="204") == 1
    assert metric(text, "embedlab_requests_total", route="unmatched", status="204") == 1


def test_run_server_shortens_the_switch_interval(tmp_path: Any) -> None:
    """The search thread takes the GIL back from a busy event loop after 0.5 ms, not 5 ms:
    run_server sets it before anything else (here it then fails on an unknown model)."""
    import sys

    from embedlab.errors import EmbedlabError
    from embedlab.serve import server

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        with pytest.raises(EmbedlabError):
            server.run_server("no-such-model-here", port=0, processes=False)
        assert sys.getswitchinterval() == pytest.approx(server.SWITCH_INTERVAL_S)
        assert server.SWITCH_INTERVAL_S < 0.005
    finally:
        sys.setswitchinterval(before)
