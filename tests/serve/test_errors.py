"""Every refusal is an OpenAI-shaped error with the right status: 400, 401, 404, 405, 413, 422,
429 (with Retry-After), 500."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from serve_helpers import Probe, serving, until

from embedlab.serve import ServeSettings, create_app
from embedlab.serve.settings import api_keys_from

URL = "/v1/embeddings"


def assert_openai_error(r: httpx.Response, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert set(error) >= {"message", "type", "code"}
    assert isinstance(error["message"], str) and error["message"]
    assert error["type"] == ("invalid_request_error" if status < 429 else
                             "rate_limit_error" if status == 429 else "server_error")
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture
def client(tiny_embedder: Any):
    settings = ServeSettings(max_items=4, max_chars=100, max_body_bytes=4000)
    with TestClient(create_app(tiny_embedder, settings=settings)) as c:
        yield c


def test_malformed_json_is_400(client: TestClient) -> None:
    r = client.post(URL, content=b'{"input": "a', headers={"content-type": "application/json"})
    assert_openai_error(r, 400, "invalid_json")


def test_missing_body_is_400(client: TestClient) -> None:
    assert_openai_error(client.post(URL), 400, "missing_body")


@pytest.mark.parametrize("body, param", [
    ({"input": 5}, "input"),
    ({"input": ["a", 3]}, "input[1]"),
    ({"input": None}, "input"),
    ({"input": "a", "encoding_format": "hex"}, "encoding_format"),
    ({"input": "a", "dimensions": "8"}, "dimensions"),
    ({"model": "x"}, "input"),
])
def test_wrong_types_are_422(client: TestClient, body: dict, param: str) -> None:
    error = assert_openai_error(client.post(URL, json=body), 422, "invalid_value")
    assert error["param"] == param
    assert error["message"].startswith(param)


def test_a_json_array_body_is_422(client: TestClient) -> None:
    assert_openai_error(client.post(URL, json=["a"]), 422, "invalid_body")


def test_empty_inputs_are_400(client: TestClient) -> None:
    assert_openai_error(client.post(URL, json={"input": []}), 400, "empty_input")
    error = assert_openai_error(client.post(URL, json={"input": ["a", ""]}), 400, "empty_input")
    assert error["param"] == "input[1]"


def test_too_many_items_is_413(client: TestClient) -> None:
    assert_openai_error(client.post(URL, json={"input": ["a"] * 5}), 413, "too_many_items")
    assert client.post(URL, json={"input": ["a"] * 4}).status_code == 200


def test_too_many_characters_is_413(client: TestClient) -> None:
    error = assert_openai_error(client.post(URL, json={"input": ["a", "x" * 101]}), 413,
                                "input_too_long")
    assert error["param"] == "input[1]"
    assert client.post(URL, json={"input": "x" * 100}).status_code == 200


def test_too_large_body_is_413_with_and_without_length(client: TestClient) -> None:
    big = b'{"input": "' + b"a" * 5000 + b'"}'
    assert_openai_error(client.post(URL, content=big, headers={"content-type":
                                                               "application/json"}),
                        413, "request_too_large")

    def chunked():
        yield big[:3000]
        yield big[3000:]

    assert_openai_error(client.post(URL, content=chunked(),
                                    headers={"content-type": "application/json"}),
                        413, "request_too_large")

    def small():
        yield b'{"input": '
        yield b'"a dog"}'

    ok = client.post(URL, content=small(), headers={"content-type": "application/json"})
    assert ok.status_code == 200 and len(ok.json()["data"]) == 1


def test_over_the_window_is_refused_without_truncate(tiny_embedder: Any) -> None:
    app = create_app(tiny_embedder, settings=ServeSettings(truncate=False))
    long_text = " ".join(["guitar"] * 40)
    with TestClient(app) as c:
        error = assert_openai_error(c.post(URL, json={"input": ["ok", long_text]}), 400,
                                    "context_length_exceeded")
        assert error["param"] == "input[1]"
        assert c.post(URL, json={"input": "short"}).status_code == 200


def test_unknown_route_and_method(client: TestClient) -> None:
    assert_openai_error(client.get("/v1/nothing"), 404, "not_found")
    assert_openai_error(client.get(URL), 405, "method_not_allowed")


def test_api_keys_401(tiny_embedder: Any) -> None:
    app = create_app(tiny_embedder, settings=ServeSettings(api_keys=("k1", "k2")))
    with TestClient(app) as c:
        error = assert_openai_error(c.post(URL, json={"input": "a"}), 401, "invalid_api_key")
        assert "missing" in error["message"]
        r = c.post(URL, json={"input": "a"}, headers={"Authorization": "Bearer nope"})
        assert_openai_error(r, 401, "invalid_api_key")
        assert r.headers["www-authenticate"] == "Bearer"
        assert_openai_error(c.post(URL, json={"input": "a"}, headers={"Authorization": "k1"}),
                            401)
        assert_openai_error(c.get("/v1/models"), 401)
        assert_openai_error(c.post("/v1/search", json={"query": "a"}), 401)
        for key in ("k1", "k2"):
            ok = c.post(URL, json={"input": "a"}, headers={"Authorization": f"Bearer {key}"})
            assert ok.status_code == 200
        # probes stay open for orchestrators; metrics and the API's description need the key
        assert c.get("/health").status_code == 200
        assert c.get("/ready").status_code == 200
        for path in ("/metrics", "/docs", "/openapi.json"):
            assert_openai_error(c.get(path), 401, "invalid_api_key")
            assert c.get(path, headers={"Authorization": "Bearer k2"}).status_code == 200
    app = create_app(tiny_embedder, settings=ServeSettings(api_keys=("k1",),
                                                           public_metrics=True))
    with TestClient(app) as c:
        assert c.get("/metrics").status_code == 200
        assert_openai_error(c.get("/openapi.json"), 401, "invalid_api_key")


def test_api_keys_from_options_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDLAB_API_KEY", "e1, e2,,")
    assert api_keys_from(["o1", " ", "e1"]) == ("o1", "e1", "e2")
    monkeypatch.delenv("EMBEDLAB_API_KEY")
    assert api_keys_from(None) == ()


@pytest.mark.anyio
async def test_full_queue_is_429_with_retry_after(tiny_embedder: Any) -> None:
    probe = Probe(tiny_embedder, gated=True)
    app = create_app(probe, settings=ServeSettings(max_queue=4, max_items=4, cache_size=0))
    async with serving(app) as client:
        held = asyncio.create_task(client.post(URL, json={"input": ["a", "b", "c"]}))
        await until(probe.entered.is_set)  # 3 texts admitted, the encoder holds them
        r = await client.post(URL, json={"input": ["d", "e"]})
        assert_openai_error(r, 429, "queue_full")
        assert int(r.headers["retry-after"]) >= 1
        probe.gate.set()
        assert (await held).status_code == 200
        # with the queue drained, the same request goes through
        assert (await client.post(URL, json={"input": ["d", "e"]})).status_code == 200


@pytest.mark.anyio
async def test_a_model_failure_is_500_and_the_server_goes_on(tiny_embedder: Any) -> None:
    probe = Probe(tiny_embedder)
    probe.fail_next = True
    async with serving(create_app(probe, settings=ServeSettings(cache_size=0))) as client:
        assert_openai_error(await client.post(URL, json={"input": "a"}), 500, "encode_failed")
        assert (await client.post(URL, json={"input": "a"})).status_code == 200
