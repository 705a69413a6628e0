"""Prometheus metrics of one server, and the ASGI middleware that counts requests.

In: request starts and ends (middleware), batches (the batcher's hook), cache lookups.
Out: ``/metrics`` text from :meth:`Metrics.render`. Each server has its own registry, so two
servers in one process (tests) do not share counters.

- ``embedlab_requests_total{route,method,status}``: requests by route template and status;
- ``embedlab_request_duration_seconds{route}``: latency histogram;
- ``embedlab_batch_size`` / ``embedlab_batch_tokens`` / ``embedlab_batch_duration_seconds``:
  texts, tokens and seconds per batch (from hand-off to its rows; with worker processes this
  includes time in a worker's pipe behind the batch before it);
- ``embedlab_queue_depth``: texts waiting for a batch (read when scraped);
- ``embedlab_cache_hits_total`` / ``embedlab_cache_misses_total``; ``embedlab_texts_total``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    10.0, 30.0)
_SIZE_BUCKETS = tuple(2.0**i for i in range(12))  # 1 .. 2048 texts
_TOKEN_BUCKETS = tuple(2.0**i for i in range(4, 16))  # 16 .. 32768 tokens


class Metrics:
    """The server's Prometheus collectors (see the module docstring)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("embedlab_requests", "HTTP requests by route, method and status",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("embedlab_request_duration_seconds",
                                 "HTTP request latency by route", ["route"],
                                 buckets=_LATENCY_BUCKETS, registry=r)
        self.batch_size = Histogram("embedlab_batch_size", "Texts per encode batch",
                                    buckets=_SIZE_BUCKETS, registry=r)
        self.batch_tokens = Histogram("embedlab_batch_tokens", "Tokens per encode batch",
                                      buckets=_TOKEN_BUCKETS, registry=r)
        self.batch_seconds = Histogram("embedlab_batch_duration_seconds",
                                       "Seconds from handing a batch to the model to its rows",
                                       buckets=_LATENCY_BUCKETS, registry=r)
        self.queue_depth = Gauge("embedlab_queue_depth", "Texts waiting to be encoded",
                                 registry=r)
        self.cache_hits = Counter("embedlab_cache_hits", "Texts answered from the LRU cache",
                                  registry=r)
        self.cache_misses = Counter("embedlab_cache_misses", "Texts not found in the LRU cache",
                                    registry=r)
        self.texts = Counter("embedlab_texts", "Texts embedded (cached or not)", registry=r)

    def observe_batch(self, size: int, tokens: int, seconds: float) -> None:
        self.batch_size.observe(size)
        self.batch_tokens.observe(tokens)
        self.batch_seconds.observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts every HTTP request by route template (not raw path: bounded labels) and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    def _route(self, scope: Scope) -> str:
        found = getattr(scope.get("route"), "path", None)
        if found:
            return str(found)
        # Starlette versions that do not record the route: match it here (a few routes).
        for route in self.routes:
            if route.matches(scope)[0] is Match.FULL:
                return str(getattr(route, "path", "unmatched"))
        return "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering
        answered = False

        async def send_status(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = True
            await send(message)

        try:
            await self.app(scope, receive, send_status)
            if not answered:
                status = 499  # the client left before an answer (nginx's "client closed")
        finally:
            route = self._route(scope)
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - start)
