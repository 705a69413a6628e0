"""POST /v1/embeddings: OpenAI's answer shape, base64, dimensions, usage, models."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from embedlab.serve import ServeSettings, create_app

TEXTS = ["the man plays guitar", "a dog runs in the park", "cooking food is fast"]


@pytest.fixture
def client(tiny_embedder: Any):
    with TestClient(create_app(tiny_embedder, settings=ServeSettings())) as c:
        yield c


def floats(answer: dict[str, Any]) -> np.ndarray:
    return np.asarray([d["embedding"] for d in answer["data"]], dtype=np.float32)


def test_float_answer_matches_the_library(client: TestClient, tiny_embedder: Any) -> None:
    r = client.post("/v1/embeddings", json={"input": TEXTS, "model": tiny_embedder.name})
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "list" and body["model"] == tiny_embedder.name
    assert [d["index"] for d in body["data"]] == [0, 1, 2]
    assert all(d["object"] == "embedding" for d in body["data"])
    expected = tiny_embedder.encode(TEXTS)
    np.testing.assert_allclose(floats(body), expected, atol=1e-6)
    tokens = sum(tiny_embedder.count_tokens(TEXTS))
    assert body["usage"] == {"prompt_tokens": tokens, "total_tokens": tokens}


def test_a_string_input_is_one_embedding(client: TestClient, tiny_embedder: Any) -> None:
    one = client.post("/v1/embeddings", json={"input": TEXTS[1]}).json()
    listed = client.post("/v1/embeddings", json={"input": [TEXTS[1]]}).json()
    assert len(one["data"]) == 1
    np.testing.assert_array_equal(floats(one), floats(listed))
    assert one["usage"]["prompt_tokens"] == tiny_embedder.count_tokens([TEXTS[1]])[0]


def test_base64_decodes_to_the_float_answer(client: TestClient) -> None:
    as_floats = client.post("/v1/embeddings", json={"input": TEXTS}).json()
    as_b64 = client.post("/v1/embeddings", json={"input": TEXTS,
                                                 "encoding_format": "base64"}).json()
    decoded = np.stack([np.frombuffer(base64.b64decode(d["embedding"]), dtype="<f4")
                        for d in as_b64["data"]])
    assert decoded.shape == (3, 32)
    # JSON floats are float32's shortest round-trip text: the bytes must agree exactly.
    np.testing.assert_array_equal(decoded, floats(as_floats))
    assert as_b64["usage"] == as_floats["usage"]


@pytest.mark.parametrize("fmt", ["float", "base64"])
def test_dimensions_truncate_and_renormalise(client: TestClient, fmt: str) -> None:
    full = floats(client.post("/v1/embeddings", json={"input": TEXTS}).json())
    body = client.post("/v1/embeddings", json={"input": TEXTS, "dimensions": 8,
                                               "encoding_format": fmt}).json()
    if fmt == "base64":
        short = np.stack([np.frombuffer(base64.b64decode(d["embedding"]), dtype="<f4")
                          for d in body["data"]])
    else:
        short = floats(body)
    assert short.shape == (3, 8)
    np.testing.assert_allclose(np.linalg.norm(short, axis=1), 1.0, atol=1e-6)
    prefix = full[:, :8] / np.linalg.norm(full[:, :8], axis=1, keepdims=True)
    np.testing.assert_allclose(short, prefix, atol=1e-6)


def test_dimensions_out_of_range(client: TestClient) -> None:
    too_many = client.post("/v1/embeddings", json={"input": "a", "dimensions": 33})
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == "invalid_dimensions"
    zero = client.post("/v1/embeddings", json={"input": "a", "dimensions": 0})
    assert zero.status_code == 422
    assert zero.json()["error"]["param"] == "dimensions"


def test_models_and_model_names(client: TestClient, tiny_embedder: Any) -> None:
    models = client.get("/v1/models").json()
    assert models["object"] == "list"
    assert [m["id"] for m in models["data"]] == [tiny_embedder.name]
    assert models["data"][0]["dimensions"] == 32
    assert client.get(f"/v1/models/{tiny_embedder.name}").json()["id"] == tiny_embedder.name
    other = client.post("/v1/embeddings", json={"input": "a", "model": "text-embedding-3-small"})
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "model_not_found"


def test_long_text_is_truncated_and_counted_at_the_window(client: TestClient,
                                                           tiny_embedder: Any) -> None:
    long_text = " ".join(["guitar"] * 200)  # far over the tiny model's 32-token window
    body = client.post("/v1/embeddings", json={"input": long_text}).json()
    assert body["usage"]["prompt_tokens"] == tiny_embedder.window
    np.testing.assert_allclose(floats(body)[0], tiny_embedder.encode([long_text])[0], atol=1e-6)


def test_health_and_ready(client: TestClient, tiny_embedder: Any) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["model"] == tiny_embedder.name
    assert ready["search"] is False


def test_not_ready_before_startup(tiny_embedder: Any) -> None:
    client = TestClient(create_app(tiny_embedder))  # no `with`: the lifespan never ran
    r = client.get("/ready")
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "not_ready"
