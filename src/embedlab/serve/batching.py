"""Dynamic batching: texts from concurrent requests are queued and encoded together.

In: ``await batcher.submit(texts, costs, kind)`` from request handlers on the event loop.
Out: the rows for those texts, in their order, once every batch holding them has been encoded.

A batch is cut from the front of the queue (first come, first served; one ``kind`` per batch,
since queries and documents may take different prompts) until its token cost reaches
``max_batch_tokens``; a request larger than that is spread over several batches, and small
requests share one. When the queue holds less than a full batch, the batch starts once
requests stop arriving for ``quiet_ms`` (default 2 ms), and at the latest ``max_wait_ms`` after
its oldest text arrived. Batches go to an :class:`~embedlab.serve.encoders.Encoder` (the model
in threads of this process or in worker processes), which encodes ``count`` of them at once
and answers through a future, so the event loop keeps accepting requests; with several batches
free to start, the waiting texts are shared out between them, and while some batches encode,
the next one gathers. Up to ``ahead`` more batches may be cut while the encoder is busy: they
wait for the first free thread or process, which then starts at once instead of idling while
answers go out and the next requests come in (figures: benchmarks/results.md). With worker
processes a batch ahead goes straight into a worker's pipe.

Why wait for a quiet moment: where the model runs in a thread of this process (``embedlab
serve --threads``; by default it runs in worker processes, see :mod:`embedlab.serve.workers`),
every torch call needs the GIL back when it returns. While the event loop is busy parsing a
burst of requests (clients that just got their answers send the next ones), the encode thread
gets the GIL only at Python's switch interval, and a forward pass of a few hundred calls
crawls. Starting the batch when the burst is over gives it fuller batches and an idle event
loop; a lone request waits only ``quiet_ms``.

The queue is bounded: past ``max_queue`` texts admitted and not yet answered, :meth:`submit`
raises :class:`QueueFull` with a ``Retry-After`` estimate, so a flood costs refusals, not memory.
:meth:`close` stops admission and encodes everything already queued (graceful shutdown).

Why our own: the libraries that batch requests for a model either bring their own server and
model runtime (infinity, text-embeddings-inference, Ray Serve) or group by count only (Ray's
``@serve.batch``); grouping by tokens with a deadline over our Embedder is ~150 lines of asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from embedlab.serve.encoders import Encoder

log = logging.getLogger("embedlab.serve")
T = TypeVar("T")
BatchHook = Callable[[int, int, float], None]


class QueueFull(Exception):
    """The queue is at its limit; ``retry_after`` is a guess in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the queue is full; retry after {retry_after} s")
        self.retry_after = retry_after


class ShuttingDown(Exception):
    """The server is shutting down and takes no new work."""


@dataclass(eq=False)
class _Job:
    texts: list[str]
    costs: list[int]
    kind: str
    future: asyncio.Future[np.ndarray]
    arrived: float
    vectors: np.ndarray
    taken: int = 0  # texts handed to batches so far
    done: int = 0  # texts encoded so far


@dataclass
class _Batch:
    kind: str
    parts: list[tuple[_Job, int, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)
    cost: int = 0


class Batcher:
    """Queue texts, have ``encoder`` encode them in token-budgeted batches (module docstring).

    ``encoder.submit(texts, costs, kind)`` gives float32 rows ``(len(texts), dim)``;
    ``on_batch(size, tokens, seconds)`` is called after each batch (for metrics). The encoder's
    owner closes it.
    """

    def __init__(self, encoder: Encoder, *, dim: int, max_batch_tokens: int,
                 max_wait_ms: float, max_queue: int, quiet_ms: float = 2.0,
                 on_batch: BatchHook | None = None, ahead: int = 0) -> None:
        self.encoder = encoder
        #: batches encoded at once
        self.at_once = max(1, encoder.count)
        self.dim = dim
        self.max_batch_tokens = max_batch_tokens
        self.max_wait = max_wait_ms / 1000.0
        self.quiet = min(quiet_ms, max_wait_ms) / 1000.0
        self._last_arrival = 0.0
        self.max_queue = max_queue
        self._on_batch = on_batch
        self._jobs: deque[_Job] = deque()
        self._waiting = 0  # texts queued, not yet in a batch
        self._waiting_cost = 0
        self._admitted = 0  # texts (and other work) accepted and not yet answered
        self._wake = asyncio.Event()
        self.ahead = max(0, ahead)
        self._busy = 0  # batches being encoded
        self._running: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._rate = 0.0  # texts per second, a moving average over batches
        self.batches = 0

    # -- state -------------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """Texts waiting for a batch."""
        return self._waiting

    @property
    def admitted(self) -> int:
        """Texts accepted and not yet answered (waiting or being encoded)."""
        return self._admitted

    @property
    def closing(self) -> bool:
        return self._closing

    def retry_after(self) -> int:
        """Seconds until the current queue is likely encoded (at least 1)."""
        if self._rate <= 0:
            return 1
        return max(1, math.ceil(self._admitted / (self._rate * self.at_once)))

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Start the batching task on the running event loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="batcher")

    async def close(self, timeout: float = 30.0) -> None:
        """Take no new work, encode what is queued (up to ``timeout`` s), then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
            except TimeoutError:
                log.warning("shutdown: %d texts not encoded after %.0f s; giving up on them",
                            self._admitted, timeout)
                self._task.cancel()
                for task in list(self._running):
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                if self._running:
                    await asyncio.gather(*self._running, return_exceptions=True)
        for job in self._jobs:
            if not job.future.done():
                job.future.set_exception(ShuttingDown("the server shut down before this "
                                                      "request was encoded"))
        self._jobs.clear()

    # -- work --------------------------------------------------------------------------------
    def _admit(self, n: int) -> None:
        if self._closing:
            raise ShuttingDown("the server is shutting down")
        if self._admitted + n > self.max_queue:
            raise QueueFull(self.retry_after())
        self._admitted += n

    async def submit(self, texts: list[str], costs: list[int], kind: str) -> np.ndarray:
        """Rows for ``texts`` (``costs[i]`` is text i's token count), in order.

        Raises :class:`QueueFull` or :class:`ShuttingDown` at once instead of queueing.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._admit(len(texts))
        loop = asyncio.get_running_loop()
        job = _Job(texts, costs, kind, loop.create_future(), loop.time(),
                   np.empty((len(texts), self.dim), dtype=np.float32))
        self._jobs.append(job)
        self._last_arrival = job.arrived
        self._waiting += len(texts)
        self._waiting_cost += sum(costs)
        self._wake.set()
        return await job.future

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` where the encoder runs other work, counted against the queue limit.

        For work that uses the model outside the batcher, such as an index search (with the
        model in threads here, it takes its turn between batches).
        """
        self._admit(1)
        try:
            return await asyncio.wrap_future(self.encoder.run(fn, *args, **kwargs))
        finally:
            self._admitted -= 1

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._waiting or self._busy >= self.at_once + self.ahead:
                if self._closing and not self._waiting:
                    break
                self._wake.clear()
                await self._wake.wait()
                continue
            if not self._closing and self._waiting_cost < self.max_batch_tokens:
                deadline = min(self._jobs[0].arrived + self.max_wait,
                               self._last_arrival + self.quiet)
                delay = deadline - loop.time()
                if delay > 0:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), delay)
                    except TimeoutError:
                        pass
                    continue  # look again: the budget may be full, or the deadline passed
            # share what waits between the batches free to start (one: all of it, up to budget)
            share = math.ceil(self._waiting_cost / max(1, self.at_once - self._busy))
            batch = self._take(max(1, min(self.max_batch_tokens, share)))
            if batch.texts:
                self._busy += 1
                task = loop.create_task(self._run_batch(batch))
                self._running.add(task)
                task.add_done_callback(self._finished)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._busy -= 1
        self._wake.set()

    def _drop(self, job: _Job) -> None:
        """Forget a job whose caller has gone (cancelled) or failed: its remaining texts."""
        left = len(job.texts) - job.taken
        self._waiting -= left
        self._waiting_cost -= sum(job.costs[job.taken:])
        self._admitted -= left
        job.taken = len(job.texts)

    def _take(self, budget: int) -> _Batch:
        """Cut the next batch of about ``budget`` tokens from the front of the queue."""
        batch: _Batch | None = None
        keep: deque[_Job] = deque()
        full = False
        while self._jobs:
            job = self._jobs.popleft()
            if job.future.done():
                self._drop(job)
                continue
            if batch is None:
                batch = _Batch(job.kind)
            if full or job.kind != batch.kind:
                keep.append(job)
                continue
            start = end = job.taken
            while end < len(job.texts):
                cost = job.costs[end]
                if batch.texts and batch.cost + cost > budget:
                    full = True
                    break
                batch.cost += cost
                batch.texts.append(job.texts[end])
                batch.costs.append(cost)
                end += 1
            if end > start:
                batch.parts.append((job, start, end))
                job.taken = end
            if batch.cost >= budget:
                full = True
            if job.taken < len(job.texts):
                keep.append(job)
        self._jobs = keep
        if batch is None:
            return _Batch("document")
        self._waiting -= len(batch.texts)
        self._waiting_cost -= batch.cost
        return batch

    async def _run_batch(self, batch: _Batch) -> None:
        start = time.perf_counter()
        try:
            # the encoder's thread or process encodes; only the answer comes back to this loop
            vectors = await asyncio.wrap_future(
                self.encoder.submit(batch.texts, batch.costs, batch.kind))
        except asyncio.CancelledError:  # close() gave up waiting: nobody may hang on us
            for job, _, _ in batch.parts:
                if not job.future.done():
                    job.future.set_exception(ShuttingDown("the server shut down while this "
                                                          "request was being encoded"))
                self._drop(job)
            raise
        except Exception as exc:  # the model failed: fail every request in the batch
            log.exception("encoding a batch of %d texts failed", len(batch.texts))
            for job, _, _ in batch.parts:
                if not job.future.done():
                    job.future.set_exception(exc)
                self._drop(job)
        else:
            offset = 0
            for job, s, e in batch.parts:
                job.vectors[s:e] = vectors[offset : offset + e - s]
                offset += e - s
                job.done += e - s
                if job.done == len(job.texts) and not job.future.done():
                    job.future.set_result(job.vectors)
        finally:
            seconds = time.perf_counter() - start
            self._admitted -= len(batch.texts)
            self.batches += 1
            if seconds > 0:
                rate = len(batch.texts) / seconds
                self._rate = rate if self._rate == 0 else 0.8 * self._rate + 0.2 * rate
            if self._on_batch is not None:
                self._on_batch(len(batch.texts), batch.cost, seconds)
