"""The ASGI fast path of POST /v1/embeddings: what it answers, what it passes on."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from starlette.responses import Response

from embedlab.serve.errors import APIError
from embedlab.serve.fastpath import EmbeddingsFastPath


class Inner:
    """The wrapped app: answers 299 and remembers what reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.paths.append(f"{scope['method']} {scope['path']}")
        await Response(b"inner", status_code=299)(scope, receive, send)


def client(answer: Any) -> tuple[httpx.AsyncClient, Inner]:
    inner = Inner()
    app = EmbeddingsFastPath(inner, answer=answer, route="ROUTE")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://test"), inner


@pytest.mark.anyio
async def test_it_answers_posts_to_embeddings_and_passes_the_rest_on() -> None:
    seen: list[tuple[bytes, str]] = []

    async def answer(body: bytes, authorization: str) -> Response:
        seen.append((body, authorization))
        return Response(b"{}", media_type="application/json")

    http, inner = client(answer)
    async with http:
        resp = await http.post("/v1/embeddings", content=b'{"input": "x"}',
                               headers={"Authorization": "Bearer k"})
        assert resp.status_code == 200
        assert seen == [(b'{"input": "x"}', "Bearer k")]
        assert (await http.get("/v1/embeddings")).status_code == 299
        assert (await http.post("/v1/search", json={})).status_code == 299
    assert inner.paths == ["GET /v1/embeddings", "POST /v1/search"]


@pytest.mark.anyio
async def test_errors_get_openai_shaped_answers() -> None:
    async def refuse(body: bytes, authorization: str) -> Response:
        raise APIError(401, "missing API key", "invalid_api_key")

    async def crash(body: bytes, authorization: str) -> Response:
        raise RuntimeError("boom")

    for answer, status, code in ((refuse, 401, "invalid_api_key"),
                                 (crash, 500, "internal_error")):
        http, _ = client(answer)
        async with http:
            resp = await http.post("/v1/embeddings", content=b"{}")
        assert resp.status_code == status
        error = orjson.loads(resp.content)["error"]
        assert error["code"] == code and "boom" not in error["message"]
