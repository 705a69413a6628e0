"""``POST /v1/recommend``: the questions of ``embedlab recommend DIR`` over HTTP.

In: a JSON body (:class:`RecommendRequest`: exactly one of ``user``, ``item`` or ``history``,
``k``, ``exclude_seen``; every string and list bounded) and a loaded
:class:`embedlab.recommend.Recommender` (or None: 404 ``no_recommender``). Out:
``{"object": "list", "data": [{"item", "score", "label"}, ...], "question": ...}``. An unknown
user or item, or an empty history, is a 404/400 with one clear message. Scoring runs in a
worker thread (a few numpy products), off the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import orjson
from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from starlette.responses import Response

from embedlab.errors import EmbedlabError
from embedlab.serve.errors import APIError
from embedlab.serve.schemas import parse_request, request_schema

MAX_ID_CHARS = 512
MAX_HISTORY = 1000

Id = Annotated[StrictStr, Field(min_length=1, max_length=MAX_ID_CHARS)]


class RecommendRequest(BaseModel):
    """``POST /v1/recommend``: one question (``user``, ``item`` or ``history``) and ``k``."""

    model_config = ConfigDict(extra="forbid")

    user: Id | None = None
    item: Id | None = None
    history: list[Id] | None = Field(default=None, max_length=MAX_HISTORY)
    #: results wanted; None: 10, or the server's maximum if that is lower
    k: StrictInt | None = Field(default=None, ge=1)
    exclude_seen: StrictBool = False


def _answer(recommender: Any, req: RecommendRequest, k: int) -> list[dict[str, Any]]:
    from embedlab.recommend.files import ask

    return [r.as_dict() for r in ask(recommender, user=req.user, item=req.item,
                                     history=req.history, k=k, exclude_seen=req.exclude_seen)]


def add_recommend_route(app: FastAPI, recommender: Any, max_k: int) -> None:
    """Register ``POST /v1/recommend`` on ``app`` (404 ``no_recommender`` without one). The
    key, Host and media type are checked in front, by the guard, before the body is read."""

    @app.post("/v1/recommend", openapi_extra=request_schema(RecommendRequest))
    async def recommend_route(request: Request) -> Response:
        if recommender is None:
            raise APIError(404, "no recommender is loaded: start the server with "
                                "--recommender DIR", "no_recommender")
        try:
            body = parse_request(RecommendRequest, await request.body())
        except ValueError as exc:
            raise APIError(400, str(exc), "missing_body") from None
        k = min(10, max_k) if body.k is None else body.k
        if k > max_k:
            raise APIError(422, f"k: at most {max_k} results can be asked for",
                           "invalid_value", param="k")
        asked = [n for n in ("user", "item", "history") if getattr(body, n) is not None]
        if len(asked) != 1:
            raise APIError(400, "ask exactly one of user, item or history", "invalid_request")
        if body.history is not None and not body.history:
            raise APIError(400, "history must not be empty", "empty_input", param="history")
        try:
            data = await anyio.to_thread.run_sync(_answer, recommender, body, k)
        except EmbedlabError as exc:
            status, code = ((404, f"unknown_{asked[0]}") if str(exc).startswith("unknown")
                            else (400, "invalid_request"))
            raise APIError(status, str(exc), code, param=asked[0]) from None
        body_out = {"object": "list", "question": asked[0], "data": data}
        return Response(orjson.dumps(body_out), media_type="application/json")
