"""Helpers for the server tests (imported as ``serve_helpers``: pytest's rootdir layout).

- :class:`Probe`: wraps an embedder, counts calls and batch sizes, can wait on a gate (to hold
  texts in the queue) or sleep per call;
- :func:`serving`: an ``httpx.AsyncClient`` on an app with its lifespan running (no sockets);
- :func:`real_server`: the app on a loopback port under uvicorn, in a thread;
- :func:`until`: wait on the event loop for a condition;
- :func:`wait_until_ready`: wait for a real ``embedlab serve`` process to answer ``/ready``;
- ``DOCS``: a small corpus with a ``topic`` field, for indexes built with the tiny model.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from embedlab.embedders.base import BaseEmbedder, EncodeResult, Kind
from embedlab.search import Document
from embedlab.serve.server import bind, make_server

DOCS = [
    Document("g1", "the man plays guitar music", {"topic": "music"}),
    Document("g2", "a woman playing guitar in the park", {"topic": "music"}),
    Document("f1", "cooking food with onion", {"topic": "food"}),
    Document("f2", "slicing onion for the food", {"topic": "food"}),
    Document("c1", "a red car on a fast road", {"topic": "car"}),
    Document("c2", "blue car slow road", {"topic": "car"}),
    Document("d1", "the dog runs in the park", {"topic": "animal"}),
    Document("d2", "a cat and a dog", {"topic": "animal"}),
]


class Probe(BaseEmbedder):
    """An Embedder around another that records what it was asked and can be slowed or held."""

    def __init__(self, inner: BaseEmbedder, *, delay: float = 0.0, gated: bool = False) -> None:
        super().__init__(long=inner.long, cache_dir=False)
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.window = inner.window
        self.delay = delay
        self.gate = threading.Event()
        self.entered = threading.Event()
        if not gated:
            self.gate.set()
        self.batches: list[list[str]] = []
        self.fail_next = False

    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]:
        return self.inner.count_tokens(texts, kind)

    def embed(self, texts: Sequence[Any], **kwargs: Any) -> EncodeResult:
        self.entered.set()
        self.gate.wait(30)
        if self.delay:
            time.sleep(self.delay)
        self.batches.append(list(texts))
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the model broke")
        return self.inner.embed(texts, **kwargs)

    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        raise AssertionError("a Probe encodes through embed()")

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        raise AssertionError("a Probe encodes through embed()")


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client talking to ``app`` in-process, with the app's startup and shutdown run."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@contextlib.contextmanager
def real_server(app: Any, drain_timeout_s: float = 10.0) -> Iterator[tuple[str, Any]]:
    """``(base_url, uvicorn.Server)`` with ``app`` on 127.0.0.1 in a thread; stopped on exit."""
    sock = bind("127.0.0.1", 0)
    server = make_server(app, log_level="error", drain_timeout_s=drain_timeout_s)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", server
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


async def until(predicate: Any, timeout: float = 10.0) -> None:
    """Wait (without blocking the loop) until ``predicate()`` is true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


def wait_until_ready(proc: subprocess.Popen, url: str, log: Path, seconds: float = 120) -> None:
    """Poll ``url``'s ``/ready`` until it answers 200; fail with the server's log if the
    process exits first, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the server did not become ready"
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
