"""POST /v1/search over a small index built with the served model, and its PCA map."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from serve_helpers import DOCS, serving, until

from embedlab.search import Document, Index
from embedlab.serve import ServeSettings, create_app
from embedlab.serve.search import pca_2d


@pytest.fixture
def index(index_dir: Path, tiny_embedder: Any):
    opened = Index.open(index_dir, model=tiny_embedder)
    yield opened
    opened.close()


@pytest.fixture
def client(index: Any, tiny_embedder: Any):
    with TestClient(create_app(tiny_embedder, index=index, settings=ServeSettings(max_k=8))) as c:
        yield c


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_search_answers_as_the_index_does(client: TestClient, index: Any, mode: str) -> None:
    r = client.post("/v1/search", json={"query": "guitar music", "k": 3, "mode": mode})
    assert r.status_code == 200
    body = r.json()
    expected = index.search("guitar music", 3, mode=mode)
    assert [h["id"] for h in body["data"]] == [h.doc_id for h in expected]
    assert [h["score"] for h in body["data"]] == pytest.approx([h.score for h in expected])
    first = body["data"][0]
    assert first["rank"] == 1 and first["text"] and first["metadata"]["topic"]
    assert "map" not in body


def test_filters(client: TestClient) -> None:
    body = client.post("/v1/search", json={"query": "park", "k": 5,
                                           "filter": {"topic": "animal"}}).json()
    assert {h["id"] for h in body["data"]} <= {"d1", "d2"} and body["data"]
    listed = client.post("/v1/search", json={"query": "park", "filter": ["topic=music"]}).json()
    assert {h["id"] for h in listed["data"]} <= {"g1", "g2"} and listed["data"]


def test_map_places_the_query_and_every_hit(client: TestClient, tiny_embedder: Any) -> None:
    body = client.post("/v1/search", json={"query": "onion food", "k": 4, "map": True}).json()
    points = np.asarray(body["map"]["points"])
    assert points.shape == (len(body["data"]), 2)
    assert len(body["map"]["query"]) == 2
    vectors = np.vstack([tiny_embedder.encode(["onion food"], kind="query"),
                         tiny_embedder.encode([h["text"] for h in body["data"]])])
    expected = pca_2d(vectors)
    # PCA is unique up to the sign of each axis
    for axis in range(2):
        got = np.concatenate([[body["map"]["query"][axis]], points[:, axis]])
        sign = np.sign(got @ expected[:, axis]) or 1.0
        np.testing.assert_allclose(got, sign * expected[:, axis], atol=1e-4)


def test_pca_2d_small_inputs() -> None:
    assert pca_2d(np.ones((1, 4))).tolist() == [[0.0, 0.0]]
    two = pca_2d(np.array([[1.0, 0, 0], [0, 1.0, 0]]))
    assert two.shape == (2, 2) and np.all(two[:, 1] == 0)
    assert two[0, 0] == pytest.approx(-two[1, 0]) and abs(two[0, 0]) == pytest.approx(2**-0.5)


@pytest.mark.parametrize("body, status, code", [
    ({"query": "x", "mode": "fuzzy"}, 422, "invalid_value"),
    ({"query": "x", "k": 9}, 422, "invalid_value"),
    ({"query": "x", "k": 0}, 422, "invalid_value"),
    ({"query": 3}, 422, "invalid_value"),
    ({"query": "x", "colour": "red"}, 422, "invalid_value"),
    ({"query": "   "}, 400, "empty_input"),
    ({"query": "x", "filter": {"nope": "1"}}, 400, "invalid_request"),
])
def test_bad_searches(client: TestClient, body: dict, status: int, code: str) -> None:
    r = client.post("/v1/search", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def test_the_server_sees_a_newer_generation(tmp_path: Path, tiny_embedder: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("embedlab.serve.search._REFRESH_EVERY", 0.0)
    folder = tmp_path / "idx"
    opened = Index.build(folder, DOCS[:3], model=tiny_embedder)
    try:
        with TestClient(create_app(tiny_embedder, index=opened)) as c:
            query = {"query": "violin", "mode": "bm25"}
            assert c.post("/v1/search", json=query).json()["data"] == []
            writer = Index.open(folder, model=tiny_embedder)
            writer.add([Document("v1", "a violin concert", {"topic": "music"})])
            writer.close()
            assert [h["id"] for h in c.post("/v1/search", json=query).json()["data"]] == ["v1"]
    finally:
        opened.close()


class HeldIndex:
    """An index whose searches wait on a gate (a search that takes long)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.gate = threading.Event()
        self.entered = threading.Event()

    def search_explained(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        self.gate.wait(30)
        return self.inner.search_explained(*args, **kwargs)


@pytest.mark.anyio
async def test_a_slow_search_does_not_hold_up_embeddings(index: Any, tiny_embedder: Any) -> None:
    held = HeldIndex(index)
    # one encode thread: before, a search took it and embeddings waited behind the search
    settings = ServeSettings(workers=1, cache_size=0, max_searches=2)
    async with serving(create_app(tiny_embedder, index=held, settings=settings)) as http:
        searches = [asyncio.create_task(http.post("/v1/search", json={"query": "park"}))
                    for _ in range(2)]
        await until(held.entered.is_set)
        r = await asyncio.wait_for(http.post("/v1/embeddings", json={"input": "a dog"}), 20)
        assert r.status_code == 200 and not any(s.done() for s in searches)
        # two searches admitted (one running, one waiting): a third is refused at once
        busy = await asyncio.wait_for(http.post("/v1/search", json={"query": "x"}), 20)
        assert busy.status_code == 429 and busy.json()["error"]["code"] == "queue_full"
        held.gate.set()
        assert [(await s).status_code for s in searches] == [200, 200]


def test_search_corrects_and_expands_on_request(client: TestClient, index: Any) -> None:
    body = client.post("/v1/search", json={"query": "gutiar music", "k": 3, "mode": "bm25",
                                           "correct": True}).json()
    assert body["query"] == "gutiar music"
    assert body["understanding"]["corrected"] == "guitar music"
    assert body["understanding"]["corrections"] == [{"from": "gutiar", "to": "guitar"}]
    expected = index.search("guitar music", 3, mode="bm25")
    assert [h["id"] for h in body["data"]] == [h.doc_id for h in expected]
    prf = client.post("/v1/search", json={"query": "onion", "k": 3, "expand": "prf"}).json()
    assert prf["data"][0]["id"] in {"f1", "f2"} and "understanding" in prf
    plain = client.post("/v1/search", json={"query": "onion", "k": 3}).json()
    assert "understanding" not in plain
    for bad in ({"expand": "synonyms"}, {"correct": "yes"}):
        r = client.post("/v1/search", json={"query": "onion", **bad})
        assert r.status_code == 422
