"""``embedlab serve``: load a model (and an index), then run the HTTP server with uvicorn.

In: the command-line options. Out: a server on ``host:port`` until SIGINT/SIGTERM, when it
stops accepting connections, answers the requests already queued, and exits. A port already in
use or a bad option is an :class:`EmbedlabError` (one line, exit code 2 in the CLI).
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Annotated, Any

import typer

from embedlab.errors import EmbedlabError
from embedlab.serve.settings import API_KEY_ENV, ServeSettings, api_keys_from


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on ``host:port`` (port 0: any free port)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as exc:
        raise EmbedlabError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise EmbedlabError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def quiet_openmp() -> None:
    """Make OpenMP threads sleep at a barrier instead of spinning (unless the user chose).

    Must run before torch is imported. The event loop, the encode thread and torch's OpenMP
    workers share the cores; spinning workers take CPU from the others, and on 2 busy cores
    this halved the server's throughput (measured: 58-83 vs 155-163 texts/s at concurrency 32).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def make_server(app: Any, *, log_level: str = "warning", access_log: bool = False,
                drain_timeout_s: float = 30.0) -> Any:
    """A uvicorn server for ``app`` that waits up to ``drain_timeout_s`` on shutdown."""
    import uvicorn

    config = uvicorn.Config(app, log_level=log_level, access_log=access_log,
                            timeout_graceful_shutdown=int(drain_timeout_s) or None,
                            timeout_keep_alive=30, lifespan="on")
    return uvicorn.Server(config)


def serve(
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Registry name, local path or hub id (default: the index's "
                              "model with --index, else minilm).")] = None,
    index: Annotated[str | None, typer.Option(
        help="An index folder (embedlab search): enables POST /v1/search and the page.")]
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
    quiet_openmp()
    from embedlab.registry import load
    from embedlab.serve.app import create_app

    settings = ServeSettings(max_batch_tokens=max_batch_tokens, max_wait_ms=max_wait_ms,
                             quiet_ms=quiet_ms, max_queue=max_queue, max_items=max_items,
                             max_chars=max_chars, truncate=truncate, pack=pack, workers=workers,
                             batches_ahead=batches_ahead,
                             cache_size=cache_size,
                             api_keys=api_keys_from(api_key))
    sock = bind(host, port)
    opened = None
    encoder = None
    try:
        if index is not None:
            from embedlab.search import Index

            opened = Index.open(index)
            model = model or opened.manifest["model"]["name"]
        name = model or "minilm"
        # The server keeps its own in-memory cache; the on-disk one would add a lookup per batch.
        embedder = load(name, cache_dir=False)
        if opened is not None:
            opened.use_model(embedder)
        drift = None
        if drift_reference is not None:
            from embedlab.monitor.inputs import check_same_model, load_sample
            from embedlab.monitor.live import LiveDriftMonitor

            reference, recorded = load_sample(drift_reference, embedder)
            check_same_model(recorded, embedder.config_key(), drift_reference, name)
            drift = LiveDriftMonitor(reference, methods=tuple(drift_method or ("mmd", "ks")),
                                     window=drift_window, interval_s=drift_interval,
                                     min_current=min(200, drift_window))
            if drift.dim != embedder.dim:
                raise EmbedlabError(f"{drift_reference}: reference vectors have dim "
                                    f"{drift.dim}, the model makes {embedder.dim}")
        if processes:
            from embedlab.serve.workers import (
                ModelSpec,
                ProcessEncoder,
                default_processes,
                threads_per_process,
            )

            count = workers or default_processes()
            spec = ModelSpec(name, threads=threads_per_process(count), pack=pack,
                             pass_overhead_tokens=settings.pass_overhead_tokens,
                             encode_batch_size=settings.encode_batch_size)
            print(f"starting {count} worker process(es) for {name} ...", file=sys.stderr)
            encoder = ProcessEncoder(spec, count)
        app = create_app(embedder, index=opened, settings=settings, model_name=name,
                         drift=drift, encoder=encoder)
        server = make_server(app, log_level=log_level, access_log=access_log,
                             drain_timeout_s=settings.drain_timeout_s)
        where = f"http://{host}:{sock.getsockname()[1]}"
        mode = f"{encoder.count} worker processes" if encoder else "worker threads"
        print(f"serving {name} on {where} (index: {index or 'none'}, "
              f"auth: {'on' if settings.api_keys else 'off'}, {mode}); Ctrl+C stops",
              file=sys.stderr)
        server.run(sockets=[sock])
    finally:
        sock.close()
        if encoder is not None:
            encoder.close()
        if opened is not None:
            opened.close()
