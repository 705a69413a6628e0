"""Where the batcher's batches are encoded: one interface, model in threads or in processes.

In: one batch from :class:`embedlab.serve.batching.Batcher` (texts, their token costs, their
kind). Out: a :class:`concurrent.futures.Future` of L2-normalised float32 rows, one per text.

:class:`Encoder` is all the batcher and the services know of the model: ``submit`` a batch,
``run`` other work that uses the model here (an index search), how many batches it encodes at
once (``count``), whether batches run as packed passes (``packed``), and ``close``. Two
implementations:

- :class:`ThreadEncoder` (``embedlab serve --threads``): the model in this process, ``threads``
  threads each encoding one batch at a time (each set up by the embedder's ``init_worker``);
- :class:`embedlab.serve.workers.ProcessEncoder` (the default): the model in worker processes,
  away from the event loop's GIL.

``submit`` never blocks: it is called on the event loop, which awaits the future (through
``asyncio.wrap_future``), so no thread waits on a batch that another thread or process encodes.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, Protocol, TypeVar

import numpy as np

from embedlab.embedders.base import BaseEmbedder
from embedlab.serve.passes import encode_batch

T = TypeVar("T")


class Encoder(Protocol):
    """Encodes the batcher's batches (see the module docstring)."""

    #: batches encoded at once (threads or worker processes)
    count: int
    #: whether batches run as padding-free packed passes (else split by serve.passes)
    packed: bool

    def submit(self, texts: list[str], costs: list[int], kind: str) -> Future[np.ndarray]:
        """Start encoding one batch without blocking; its normalised rows come in the future."""
        ...

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn`` on a thread of this process that may use the model here."""
        ...

    def close(self) -> None:
        """Stop encoding; batches not yet started are dropped."""
        ...


class ThreadEncoder:
    """The model in this process: ``threads`` batches at once, one thread each.

    ``threads`` None: the embedder's own choice (``embedder.workers``: on a CPU, two batches on
    one torch thread each beat one batch on two threads); a number is passed to
    ``embedder.set_workers`` first, which also shares the model's threads out between them.
    ``pack``: encode batches as packed passes where the model allows; otherwise each batch is
    cut into passes by :func:`embedlab.serve.passes.plan_passes` (``pass_overhead_tokens``,
    at most ``encode_batch_size`` texts a pass).
    """

    def __init__(self, embedder: BaseEmbedder, *, threads: int | None = None, pack: bool = True,
                 pass_overhead_tokens: int = 32, encode_batch_size: int = 64) -> None:
        self.embedder = embedder
        self.packed = embedder.enable_packing() if pack else False
        if threads:
            embedder.set_workers(threads)
        self.count = threads or embedder.workers
        self._encode = partial(encode_batch, embedder, packed=self.packed,
                               overhead=pass_overhead_tokens, max_size=encode_batch_size)
        self._pool = ThreadPoolExecutor(self.count, thread_name_prefix="embedlab-encode",
                                        initializer=embedder.init_worker)

    def submit(self, texts: list[str], costs: list[int], kind: str) -> Future[np.ndarray]:
        return self._pool.submit(self._encode, texts, costs, kind)

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """``fn`` on an encode thread, taking its turn with the batches."""
        return self._pool.submit(fn, *args, **kwargs)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
