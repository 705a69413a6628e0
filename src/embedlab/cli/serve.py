"""``embedlab serve``: the options of :func:`embedlab.serve.server.run_server`.

In: the command-line options. Out: a server on ``host:port`` until SIGINT/SIGTERM (see
:mod:`embedlab.serve.server`). A port already in use or a bad option is an
:class:`EmbedlabError` (one line, exit code 2 in the CLI).
"""

from __future__ import annotations

from typing import Annotated

import typer

from embedlab.named_models import DEFAULT_MODEL
from embedlab.serve.settings import API_KEY_ENV, ServeSettings, api_keys_from, hosts_from


def serve(
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Registry name, local path or hub id (default: the index's "
                              f"model with --index, else {DEFAULT_MODEL}).")] = None,
    index: Annotated[str | None, typer.Option(
        help="An index folder (embedlab search): enables POST /v1/search and the page.")]
    = None,
    recommender: Annotated[str | None, typer.Option(
        help="A recommender folder (embedlab recommend fit): enables POST /v1/recommend.")]
    = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    max_batch_tokens: Annotated[int, typer.Option(
        min=1, help="Token budget of one encode batch.")] = 4096,
    max_wait_ms: Annotated[float, typer.Option(
        min=0, help="How long a text may wait for others to fill its batch.")] = 20.0,
    batches_ahead: Annotated[int, typer.Option(
        min=0, help="Batches cut while every worker is busy, ready for the first one free.")]
    = 1,
    quiet_ms: Annotated[float, typer.Option(
        min=0, help="A batch starts once requests stop arriving for this long.")] = 2.0,
    max_queue: Annotated[int, typer.Option(
        min=1, help="Texts waiting at most; beyond it requests get 429.")] = 4096,
    max_items: Annotated[int, typer.Option(min=1, help="Texts per request at most.")] = 2048,
    max_chars: Annotated[int, typer.Option(min=1, help="Characters per text at most.")]
    = 50_000,
    truncate: Annotated[bool, typer.Option(
        "--truncate/--no-truncate",
        help="Texts over the model window: truncate them, or refuse them (400).")] = True,
    workers: Annotated[int, typer.Option(
        min=0, help="Batches encoded at once (0: 2 on 2 cores or more, else 1).")] = 0,
    processes: Annotated[bool, typer.Option(
        "--processes/--threads",
        help="Run the model in worker processes (its own GIL, away from the event loop) or "
             "in threads of the server process.")] = True,
    pack: Annotated[bool, typer.Option(
        "--pack/--no-pack",
        help="Encode batches in packed, padding-free passes (transformer models that give "
             "the same vectors that way; checked at start).")] = True,
    cache_size: Annotated[int, typer.Option(
        min=0, help="Texts kept in the in-memory vector cache (0: off).")] = 10_000,
    api_key: Annotated[list[str] | None, typer.Option(
        help=f"Accepted bearer token (repeatable; also {API_KEY_ENV}, comma-separated). "
             "Without any, /v1/* is open.")] = None,
    public_metrics: Annotated[bool, typer.Option(
        help="With --api-key, leave /metrics open (/docs and /openapi.json stay closed).")]
    = False,
    allowed_hosts: Annotated[list[str] | None, typer.Option(
        help="Host header names to answer (repeatable or comma-separated; '*' any, "
             "'*.example.com' its sub-domains). Default: the loopback names when --host is "
             "loopback, any for 0.0.0.0/::, else --host.")] = None,
    max_body_bytes: Annotated[int, typer.Option(
        min=1, help="Request body size at most (413 beyond, before it is read).")]
    = 16 * 1024 * 1024,
    max_search_bytes: Annotated[int, typer.Option(
        min=1, help="POST /v1/search body size at most (413 beyond, before it is read).")]
    = 64 * 1024,
    max_requests: Annotated[int, typer.Option(
        min=1, help="Requests handled at once; beyond it 503 at once.")] = 512,
    max_inflight_bytes: Annotated[int, typer.Option(
        min=1, help="Bytes of request bodies held at once; beyond it 503 at once.")]
    = 64 * 1024 * 1024,
    header_timeout: Annotated[float, typer.Option(
        min=0.001, help="Seconds a client has to send a request's headers (then closed).")]
    = 10.0,
    body_timeout: Annotated[float, typer.Option(
        min=0.001, help="Seconds a client has to send a request's body (then 408, closed).")]
    = 30.0,
    search_threads: Annotated[int, typer.Option(
        min=1, help="Threads running searches, apart from the embeddings.")] = 1,
    max_searches: Annotated[int, typer.Option(
        min=1, help="Searches admitted at once (running or waiting); beyond it 429.")] = 64,
    drift_reference: Annotated[str | None, typer.Option(
        help="Reference sample for drift monitoring: vectors (.npy/.parquet) or texts "
             "(encoded at start). Enables GET /v1/drift and drift gauges at /metrics.")]
    = None,
    drift_method: Annotated[list[str] | None, typer.Option(
        help="Drift methods to run (repeatable; default mmd and ks).")] = None,
    drift_interval: Annotated[float, typer.Option(
        min=0.1, help="Seconds between drift checks (in the background).")] = 60.0,
    drift_window: Annotated[int, typer.Option(
        min=20, help="Recent vectors compared with the reference.")] = 2000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Serve a model over HTTP: OpenAI-compatible embeddings, search, metrics and a page."""
    from embedlab.serve.server import run_server

    settings = ServeSettings(max_batch_tokens=max_batch_tokens, max_wait_ms=max_wait_ms,
                             quiet_ms=quiet_ms, max_queue=max_queue, max_items=max_items,
                             max_chars=max_chars, truncate=truncate, pack=pack, workers=workers,
                             batches_ahead=batches_ahead, cache_size=cache_size,
                             api_keys=api_keys_from(api_key), public_metrics=public_metrics,
                             allowed_hosts=hosts_from(allowed_hosts, host),
                             max_body_bytes=max_body_bytes, max_requests=max_requests,
                             max_search_bytes=max_search_bytes,
                             max_inflight_bytes=max_inflight_bytes,
                             header_timeout_s=header_timeout, body_timeout_s=body_timeout,
                             search_threads=search_threads, max_searches=max_searches)
    run_server(model, index=index, host=host, port=port, settings=settings,
               processes=processes, drift_reference=drift_reference,
               drift_methods=drift_method, drift_interval_s=drift_interval,
               drift_window=drift_window, log_level=log_level, access_log=access_log,
               recommender=recommender)
