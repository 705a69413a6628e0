"""The HTTP server: routes over the embedding and search services.

In: an Embedder (another object with ``name``, ``dim`` and ``encode`` is wrapped by
:func:`~embedlab.embedders.adapter.as_embedder`), optionally an opened
:class:`embedlab.search.Index` using the same model, and
:class:`~embedlab.serve.settings.ServeSettings`. Out: a FastAPI app with

- ``POST /v1/embeddings`` (OpenAI's API: string or list input, ``encoding_format`` float or
  base64, ``dimensions`` for Matryoshka truncation, ``usage`` with token counts);
- ``POST /v1/search`` (with an index; 404 ``no_index`` without one);
- ``POST /v1/recommend`` (with a recommender; 404 ``no_recommender`` without one);
- ``GET /v1/models``, ``GET /health`` (alive), ``GET /ready`` (model loaded and not shutting
  down), ``GET /metrics`` (Prometheus), ``GET /`` (the search page).

``/v1/*``, ``/docs``, ``/openapi.json`` and (unless ``public_metrics``) ``/metrics`` need
``Authorization: Bearer KEY`` when keys are set. Every request first passes
:mod:`~embedlab.serve.guard` (Host, key, JSON media type: checked before the body is read) and
:mod:`~embedlab.serve.admission` (body size, requests and bytes in flight, the body's
deadline). The batcher starts with the app's lifespan and drains at its end (graceful
shutdown answers what is queued).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from embedlab.embedders.adapter import as_embedder
from embedlab.serve.admission import AdmissionMiddleware
from embedlab.serve.encoders import Encoder
from embedlab.serve.errors import APIError, error_response, install_error_handlers
from embedlab.serve.fastpath import EmbeddingsFastPath
from embedlab.serve.guard import GuardMiddleware
from embedlab.serve.metrics import Metrics, MetricsMiddleware
from embedlab.serve.page import PAGE
from embedlab.serve.recommend import add_recommend_route
from embedlab.serve.schemas import (
    SearchRequest,
    embedding_answer,
    embedding_request_schema,
    parse_embedding_request,
    parse_request,
    request_schema,
)
from embedlab.serve.search import SearchService
from embedlab.serve.service import EmbeddingService, shorten
from embedlab.serve.settings import ServeSettings


def json_response(body: Any, status: int = 200) -> Response:
    """orjson-serialised JSON (numpy rows included)."""
    return Response(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY), status_code=status,
                    media_type="application/json")


def create_app(embedder: Any, *, index: Any = None, settings: ServeSettings | None = None,
               model_name: str | None = None, drift: Any = None,
               encoder: Encoder | None = None, recommender: Any = None) -> Any:
    """The FastAPI app serving ``embedder`` (see the module docstring).

    ``model_name``: the name clients send as ``model`` and see in ``/v1/models`` (default
    ``embedder.name``); ``settings.model_aliases`` are accepted too. ``drift``: a
    :class:`embedlab.monitor.live.LiveDriftMonitor` fed by the requests, checked in the
    background, exported at ``/metrics`` and ``GET /v1/drift``. ``encoder``: what encodes the
    batches, such as a :class:`embedlab.serve.workers.ProcessEncoder` running the model in
    worker processes (its owner closes it); without one, threads of this process encode
    (:class:`embedlab.serve.encoders.ThreadEncoder`). ``recommender``: a loaded
    :class:`embedlab.recommend.Recommender` for ``POST /v1/recommend``. Under load, run the
    process with ``OMP_WAIT_POLICY=PASSIVE`` (``embedlab serve`` sets it before torch is
    imported; see :func:`embedlab.serve.server.quiet_openmp`).
    """
    embedder = as_embedder(embedder)
    settings = settings or ServeSettings()
    metrics = Metrics()
    embeddings = EmbeddingService(embedder, settings, metrics, encoder)
    searcher = None
    if index is not None:
        searcher = SearchService(index, embeddings, settings.max_k,
                                 threads=settings.search_threads,
                                 max_searches=settings.max_searches)
    name = model_name or str(embedder.name)
    names = {name, str(embedder.name), *settings.model_aliases}
    created = int(time.time())
    ready = {"value": False}
    if drift is not None:
        drift.register(metrics.registry)
        embeddings.on_counts = drift.observe_texts
        if searcher is not None:
            searcher.on_top1 = drift.observe_top1

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        embeddings.batcher.start()
        if drift is not None:
            drift.start()
        ready["value"] = True
        try:
            yield
        finally:
            ready["value"] = False
            if drift is not None:
                await drift.stop()
            await embeddings.close(settings.drain_timeout_s)
            if searcher is not None:
                searcher.close()

    app = FastAPI(title="embedlab", summary="Embeddings and search over HTTP",
                  lifespan=lifespan)
    install_error_handlers(app)
    app.state.embeddings = embeddings
    app.state.metrics = metrics
    app.state.settings = settings
    def model_card() -> dict[str, Any]:
        return {"id": name, "object": "model", "created": created, "owned_by": "embedlab",
                "dimensions": embeddings.dim, "window": embedder.window}

    @app.get("/", include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/health")
    async def health() -> Response:
        return json_response({"status": "ok"})

    @app.get("/ready")
    async def is_ready() -> Response:
        if not ready["value"] or embeddings.batcher.closing:
            return error_response(APIError(503, "the model is not ready", "not_ready"))
        return json_response({"status": "ready", "model": name, "dim": embeddings.dim,
                              "search": searcher is not None,
                              "queue": embeddings.batcher.admitted})

    @app.get("/metrics")
    async def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    @app.get("/v1/models")
    async def models() -> Response:
        return json_response({"object": "list", "data": [model_card()]})

    @app.get("/v1/models/{model}")
    async def model(model: str) -> Response:
        if model not in names:
            raise APIError(404, f"the model {model!r} does not exist here; this server serves "
                                f"{name!r}", "model_not_found", param="model")
        return json_response(model_card())

    async def answer_embeddings(body_bytes: bytes, _authorization: str) -> Response:
        # the key was checked by GuardMiddleware, before the body was read
        try:
            body = parse_embedding_request(body_bytes)
        except ValueError as exc:
            raise APIError(400, str(exc), "missing_body") from None
        if body.model is not None and body.model not in names:
            raise APIError(404, f"the model {body.model!r} does not exist here; this server "
                                f"serves {name!r}", "model_not_found", param="model")
        if body.dimensions is not None and body.dimensions > embeddings.dim:
            raise APIError(400, f"dimensions must be between 1 and {embeddings.dim} for this "
                                f"model, got {body.dimensions}", "invalid_dimensions",
                           param="dimensions")
        result = await embeddings.embed(body.texts(), "document")
        if drift is not None:
            drift.observe(result.vectors)
        vectors = shorten(result.vectors, body.dimensions)
        return json_response(embedding_answer(vectors, name, result.tokens,
                                              body.encoding_format))

    # Answered by EmbeddingsFastPath below; declared here for the OpenAPI schema and routing.
    @app.post("/v1/embeddings", openapi_extra=embedding_request_schema())
    async def embeddings_route(request: Request) -> Response:
        return await answer_embeddings(await request.body(),
                                       request.headers.get("authorization", ""))

    @app.get("/v1/drift")
    async def drift_route() -> Response:
        if drift is None:
            raise APIError(404, "drift monitoring is off: start the server with "
                                "--drift-reference FILE", "no_drift_reference")
        return json_response(drift.status())

    @app.post("/v1/search", openapi_extra=request_schema(SearchRequest))
    async def search_route(request: Request) -> Response:
        if searcher is None:
            raise APIError(404, "no index is loaded: start the server with --index DIR",
                           "no_index")
        try:
            body = parse_request(SearchRequest, await request.body())
        except ValueError as exc:
            raise APIError(400, str(exc), "missing_body") from None
        return json_response(await searcher.search(body, name))

    add_recommend_route(app, recommender, settings.max_k)

    route = next(r for r in app.router.routes if getattr(r, "path", "") == "/v1/embeddings")
    # Added last = outermost: the fast path is innermost of ours, so the guard, admission
    # and the metrics see its requests; a refused request is still counted.
    app.add_middleware(EmbeddingsFastPath, answer=answer_embeddings, route=route)
    app.add_middleware(AdmissionMiddleware, max_body_bytes=settings.max_body_bytes,
                       max_requests=settings.max_requests,
                       max_inflight_bytes=settings.max_inflight_bytes,
                       body_timeout_s=settings.body_timeout_s,
                       path_limits={"/v1/search": (settings.max_search_bytes,
                                                   "--max-search-bytes")})
    app.add_middleware(GuardMiddleware, api_keys=settings.api_keys,
                       allowed_hosts=settings.allowed_hosts,
                       public_metrics=settings.public_metrics)
    app.add_middleware(MetricsMiddleware, metrics=metrics, routes=app.router.routes)
    return app
