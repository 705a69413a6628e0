"""Start-up of the HTTP server: load the model (and an index, a drift reference), run uvicorn.

In: a model name, an index folder, where to listen and :class:`ServeSettings`. Out:
:func:`run_server` serves on ``host:port`` until SIGINT/SIGTERM, when it stops accepting
connections, answers the requests already queued, and returns. A port already in use, an
unresolvable host or a reference that does not match the model is an :class:`EmbedlabError`.
The socket is bound before the model loads, so a busy port fails at once.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

from embedlab.errors import EmbedlabError
from embedlab.named_models import DEFAULT_MODEL
from embedlab.serve.settings import ServeSettings, default_hosts


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
    workers share the cores; spinning workers take CPU from the others, which cut the server's
    throughput on 2 busy cores (see benchmarks/results.md).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


#: Python's switch interval in the server process (default 5 ms), see :func:`short_switches`
SWITCH_INTERVAL_S = 0.0005


def short_switches() -> None:
    """Let a thread waiting for the GIL get it after 0.5 ms instead of 5 ms.

    Searches encode their query with torch on a search thread of this process; every torch
    call gives the GIL up and must take it back. While the event loop is busy (hostile clients
    looping refused requests), each take-back waited up to the 5 ms default, and a query of a
    few hundred calls took ~1 s: the p99 of searches rose 6x while embeddings (in worker
    processes) did not move (benchmarks/results.md, "hostile-split").
    """
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def make_server(app: Any, *, log_level: str = "warning", access_log: bool = False,
                drain_timeout_s: float = 30.0, header_timeout_s: float = 10.0) -> Any:
    """A uvicorn server for ``app`` that waits up to ``drain_timeout_s`` on shutdown and
    closes connections that take over ``header_timeout_s`` to send a request's headers."""
    import uvicorn

    from embedlab.serve.protocol import timed_protocol

    config = uvicorn.Config(app, log_level=log_level, access_log=access_log,
                            timeout_graceful_shutdown=int(drain_timeout_s) or None,
                            timeout_keep_alive=30, lifespan="on",
                            http=timed_protocol(header_timeout_s))
    return uvicorn.Server(config)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _drift_monitor(reference: str, embedder: Any, name: str, methods: Sequence[str] | None,
                   interval_s: float, window: int) -> Any:
    """A live drift monitor against ``reference``, checked to match ``embedder``."""
    from embedlab.monitor.inputs import check_same_model, load_sample
    from embedlab.monitor.live import LiveDriftMonitor

    vectors, recorded = load_sample(reference, embedder)
    check_same_model(recorded, embedder.config_key(), reference, name)
    drift = LiveDriftMonitor(vectors, methods=tuple(methods or ("mmd", "ks")), window=window,
                             interval_s=interval_s, min_current=min(200, window))
    if drift.dim != embedder.dim:
        raise EmbedlabError(f"{reference}: reference vectors have dim {drift.dim}, the model "
                            f"makes {embedder.dim}")
    return drift


def run_server(
    model: str | None = None, *, index: str | None = None, host: str = "127.0.0.1",
    port: int = 8000, settings: ServeSettings | None = None, processes: bool = True,
    drift_reference: str | None = None, drift_methods: Sequence[str] | None = None,
    drift_interval_s: float = 60.0, drift_window: int = 2000, log_level: str = "info",
    access_log: bool = False, log: Callable[[str], None] = _stderr,
    recommender: str | None = None,
) -> None:
    """Serve ``model`` (default: the index's model with ``index``, the recommender's with
    ``recommender``, else DEFAULT_MODEL).

    ``processes``: run the model in ``settings.workers`` worker processes (0: the default
    count) instead of threads of this process. ``log`` gets the start-up lines.
    """
    quiet_openmp()
    short_switches()
    from embedlab.registry import load
    from embedlab.serve.app import create_app

    # without settings, the Host check follows the address, as `embedlab serve` does
    settings = settings or ServeSettings(allowed_hosts=default_hosts(host))
    sock = bind(host, port)
    opened = None
    encoder = None
    try:
        if index is not None:
            from embedlab.search import Index

            opened = Index.open(index)
            model = model or opened.manifest["model"]["name"]
        loaded_recommender = None
        if recommender is not None:
            from embedlab.recommend.store import load as load_recommender

            loaded_recommender = load_recommender(recommender)
            model = model or loaded_recommender.encoder.model_name
        name = model or DEFAULT_MODEL
        # The server keeps its own in-memory cache; the on-disk one would add a lookup per batch.
        embedder = load(name, cache_dir=False)
        if opened is not None:
            opened.use_model(embedder)
        drift = None
        if drift_reference is not None:
            drift = _drift_monitor(drift_reference, embedder, name, drift_methods,
                                   drift_interval_s, drift_window)
        if processes:
            from embedlab.serve.workers import (
                ProcessEncoder,
                WorkerSpec,
                default_processes,
                threads_per_process,
            )

            count = settings.workers or default_processes()
            spec = WorkerSpec(name, threads=threads_per_process(count), pack=settings.pack,
                              pass_overhead_tokens=settings.pass_overhead_tokens,
                              encode_batch_size=settings.encode_batch_size)
            log(f"starting {count} worker process(es) for {name} ...")
            encoder = ProcessEncoder(spec, count)
        app = create_app(embedder, index=opened, settings=settings, model_name=name,
                         drift=drift, encoder=encoder, recommender=loaded_recommender)
        server = make_server(app, log_level=log_level, access_log=access_log,
                             drain_timeout_s=settings.drain_timeout_s,
                             header_timeout_s=settings.header_timeout_s)
        where = f"http://{host}:{sock.getsockname()[1]}"
        mode = f"{encoder.count} worker processes" if encoder else "worker threads"
        log(f"serving {name} on {where} (index: {index or 'none'}, "
            f"auth: {'on' if settings.api_keys else 'off'}, {mode}, hosts: "
            f"{','.join(settings.allowed_hosts)}); Ctrl+C stops")
        server.run(sockets=[sock])
    finally:
        sock.close()
        if encoder is not None:
            encoder.close()
        if opened is not None:
            opened.close()
