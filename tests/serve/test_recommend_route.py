"""POST /v1/recommend over a recommender fitted on the synthetic clusters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from embedlab.serve import ServeSettings, create_app


@pytest.fixture(scope="module")
def recommender(rec_files: tuple[Path, Path], tiny_embedder: Any, tiny_st_model: Path) -> Any:
    from embedlab.data.interactions import join, load_interactions, load_items
    from embedlab.recommend import FitConfig, fit_recommender
    from embedlab.recommend.collab import CollabConfig
    from embedlab.recommend.content import parse_fields

    items = load_items(rec_files[1], ["title", "genres"])
    data = join(load_interactions(rec_files[0], min_rating=4), items)
    config = FitConfig(parse_fields("title,genres"), CollabConfig(factors=8, iterations=5),
                       alpha=0.5)
    return fit_recommender(data, items, tiny_embedder, config, model_name=str(tiny_st_model))


@pytest.fixture
def client(recommender: Any, tiny_embedder: Any):
    app = create_app(tiny_embedder, recommender=recommender, settings=ServeSettings(max_k=8))
    with TestClient(app) as c:
        yield c


def test_the_three_questions(client: TestClient, recommender: Any) -> None:
    body = client.post("/v1/recommend", json={"user": "u00", "k": 3,
                                              "exclude_seen": True}).json()
    assert body["question"] == "user"
    assert [d["item"] for d in body["data"]] == \
        [r.item for r in recommender.for_user("u00", 3, exclude_seen=True)]
    body = client.post("/v1/recommend", json={"history": ["i01", "i03"], "k": 4}).json()
    assert [d["item"] for d in body["data"]] == \
        [r.item for r in recommender.for_history(["i01", "i03"], 4)]
    body = client.post("/v1/recommend", json={"item": "i02"}).json()
    assert len(body["data"]) == 8  # default k 10, capped by the server's max_k
    assert body["data"][0]["label"]


@pytest.mark.parametrize("payload,status,code", [
    ({"user": "nobody"}, 404, "unknown_user"),
    ({"item": "nothing"}, 404, "unknown_item"),
    ({"history": ["i01", "zzz"]}, 404, "unknown_history"),
    ({"history": []}, 400, "empty_input"),
    ({"user": "u00", "item": "i01"}, 400, "invalid_request"),
    ({}, 400, "invalid_request"),
    ({"user": "u00", "k": 9}, 422, "invalid_value"),
])
def test_bad_questions(client: TestClient, payload: dict, status: int, code: str) -> None:
    r = client.post("/v1/recommend", json=payload)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


@pytest.mark.parametrize("raw", [b'{"user": "\\ud800"}', b'{"history": ["i01", "x\\udfff"]}'])
def test_lone_surrogates_are_400(client: TestClient, raw: bytes) -> None:
    r = client.post("/v1/recommend", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_unicode"


def test_bounded_schema(client: TestClient) -> None:
    assert client.post("/v1/recommend", json={"user": "u" * 600}).status_code == 422
    assert client.post("/v1/recommend", json={"history": ["i01"] * 1001}).status_code == 422
    assert client.post("/v1/recommend", json={"user": "u00", "extra": 1}).status_code == 422
    assert client.post("/v1/recommend", json={"user": 5}).status_code == 422


def test_no_recommender_loaded(tiny_embedder: Any) -> None:
    with TestClient(create_app(tiny_embedder)) as c:
        r = c.post("/v1/recommend", json={"user": "u00"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_recommender"


def test_run_server_loads_the_recommender_and_its_model(recommender: Any, tmp_path: Path,
                                                        tiny_st_model: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from embedlab.recommend import save
    from embedlab.serve import server

    folder = save(recommender, tmp_path / "rec")
    served: dict[str, Any] = {}

    class FakeServer:
        def __init__(self, app: Any) -> None:
            served["app"] = app

        def run(self, sockets: Any) -> None:
            served["ran"] = True

    monkeypatch.setattr(server, "make_server", lambda app, **_: FakeServer(app))
    server.run_server(None, recommender=str(folder), port=0, processes=False,
                      log=lambda line: served.setdefault("log", line))
    assert served["ran"]
    # the server is bound to 127.0.0.1, so it answers to that Host only
    with TestClient(served["app"], base_url="http://127.0.0.1") as c:
        body = c.post("/v1/recommend", json={"user": "u01", "k": 2}).json()
        assert [d["item"] for d in body["data"]] == \
            [r.item for r in recommender.for_user("u01", 2)]
        assert c.get("/v1/models").json()["data"][0]["id"] == str(tiny_st_model)
