"""The batcher on its own: grouping by token budget, order, kinds, limits, failures, draining.

Most tests run it over a :class:`ThreadEncoder` with a fake model (no weights); the last ones
over fake encoders that answer when the test says so, as worker processes would.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np
import pytest

from embedlab.embedders.base import BaseEmbedder, EncodeResult, EncodeStats, Kind
from embedlab.serve.batching import Batcher, QueueFull, ShuttingDown
from embedlab.serve.encoders import ThreadEncoder

DIM = 4


def rows_for(batch: Sequence[str]) -> np.ndarray:
    return np.array([[float(t[1:])] * DIM for t in batch], dtype=np.float32)


class FakeEncoder(BaseEmbedder):
    """A model whose row for ``"t<n>"`` is ``[n, n, n, n]``; records every batch it is handed
    (it packs, so it gets the batcher's batches whole), can be held or fail."""

    name = "fake"
    dim = DIM

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(cache_dir=False)
        self.packing = True
        self.batches: list[tuple[list[str], str]] = []
        self.delay = delay
        self.gate = threading.Event()
        self.gate.set()
        self.fail = False

    def embed(self, items: Sequence[Any], **kwargs: Any) -> EncodeResult:
        self.gate.wait(10)
        if self.delay:
            time.sleep(self.delay)
        self.batches.append((list(items), kwargs["kind"]))
        if self.fail:
            raise RuntimeError("boom")
        return EncodeResult(rows_for(items), EncodeStats(count=len(items)))

    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        raise AssertionError("unused: embed is the fake")

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        raise AssertionError("unused: embed is the fake")


def texts(start: int, n: int) -> list[str]:
    return [f"t{i}" for i in range(start, start + n)]


_encoders: list[Any] = []


@pytest.fixture(autouse=True)
def _close_encoders() -> Iterator[None]:
    yield
    while _encoders:
        _encoders.pop().close()


def make(model: Any, threads: int = 1, **kw: Any) -> Batcher:
    """A batcher over a fake model in ``threads`` encode threads, or over a fake Encoder."""
    options = {"dim": DIM, "max_batch_tokens": 1000, "max_wait_ms": 20.0, "max_queue": 1000}
    options.update(kw)
    encoder = ThreadEncoder(model, threads=threads) if isinstance(model, BaseEmbedder) else model
    _encoders.append(encoder)
    return Batcher(encoder, **options)


@pytest.mark.anyio
async def test_concurrent_requests_share_batches_and_get_their_own_rows() -> None:
    enc = FakeEncoder()
    b = make(enc)
    b.start()
    results = await asyncio.gather(*(b.submit(texts(10 * i, 3), [1] * 3, "document")
                                     for i in range(20)))
    for i, rows in enumerate(results):
        np.testing.assert_array_equal(rows[:, 0], [10 * i, 10 * i + 1, 10 * i + 2])
    assert b.batches == len(enc.batches) < 20
    assert sum(len(t) for t, _ in enc.batches) == 60
    await b.close()


@pytest.mark.anyio
async def test_the_token_budget_cuts_batches_and_splits_big_requests() -> None:
    enc = FakeEncoder()
    b = make(enc, max_batch_tokens=10, max_wait_ms=50.0)
    b.start()
    big = b.submit(texts(0, 7), [3] * 7, "document")  # 21 tokens: over two batches at least
    small = b.submit(texts(100, 2), [2, 2], "document")
    rows_big, rows_small = await asyncio.gather(big, small)
    np.testing.assert_array_equal(rows_big[:, 0], range(7))
    np.testing.assert_array_equal(rows_small[:, 0], [100, 101])
    costs = {f"t{i}": 3 for i in range(7)} | {"t100": 2, "t101": 2}
    for batch, _ in enc.batches:
        assert sum(costs[t] for t in batch) <= 10
    assert len(enc.batches) >= 3
    # first come, first served: the big request's texts are encoded before the small one's
    flat = [t for batch, _ in enc.batches for t in batch]
    assert flat == texts(0, 7) + ["t100", "t101"]
    await b.close()


@pytest.mark.anyio
async def test_one_text_over_the_budget_still_goes_alone() -> None:
    enc = FakeEncoder()
    b = make(enc, max_batch_tokens=5)
    b.start()
    rows = await b.submit(["t1", "t2"], [50, 1], "document")
    np.testing.assert_array_equal(rows[:, 0], [1, 2])
    assert [t for t, _ in enc.batches] == [["t1"], ["t2"]]
    await b.close()


@pytest.mark.anyio
async def test_queries_and_documents_never_share_a_batch() -> None:
    enc = FakeEncoder()
    b = make(enc)
    b.start()
    await asyncio.gather(b.submit(texts(0, 2), [1, 1], "query"),
                         b.submit(texts(2, 2), [1, 1], "document"),
                         b.submit(texts(4, 2), [1, 1], "query"))
    kinds = {kind: [t for batch, k in enc.batches if k == kind for t in batch]
             for kind in ("query", "document")}
    assert sorted(kinds["query"]) == ["t0", "t1", "t4", "t5"]
    assert kinds["document"] == ["t2", "t3"]
    assert len(enc.batches) == 2
    await b.close()


@pytest.mark.anyio
async def test_a_lone_request_waits_only_for_a_quiet_moment() -> None:
    enc = FakeEncoder()
    b = make(enc, max_wait_ms=2000.0, quiet_ms=20.0)
    b.start()
    start = time.perf_counter()
    await b.submit(["t1"], [1], "document")
    assert 0.015 < time.perf_counter() - start < 1.0
    await b.close()


@pytest.mark.anyio
async def test_a_burst_of_arrivals_is_one_batch() -> None:
    enc = FakeEncoder()
    b = make(enc, max_wait_ms=5000.0, quiet_ms=300.0)
    b.start()
    tasks = []
    for i in range(6):  # arrivals 20 ms apart: never quiet for 300 ms until the last
        tasks.append(asyncio.create_task(b.submit([f"t{i}"], [1], "document")))
        await asyncio.sleep(0.02)
    await asyncio.gather(*tasks)
    assert [t for t, _ in enc.batches] == [texts(0, 6)]
    await b.close()


@pytest.mark.anyio
async def test_a_steady_stream_is_cut_at_max_wait() -> None:
    enc = FakeEncoder()
    b = make(enc, max_wait_ms=150.0, quiet_ms=100.0)
    b.start()
    tasks = []
    start = time.perf_counter()
    for i in range(40):  # never quiet for 100 ms during 0.8 s
        tasks.append(asyncio.create_task(b.submit([f"t{i}"], [1], "document")))
        await asyncio.sleep(0.02)
    first = await tasks[0]
    assert first[0, 0] == 0
    await asyncio.gather(*tasks)
    assert time.perf_counter() - start < 5
    assert len(enc.batches) >= 3  # batches went out while texts kept arriving
    # a full budget does not wait at all
    b2 = make(enc, max_batch_tokens=4, max_wait_ms=5000.0, quiet_ms=5000.0)
    b2.start()
    start = time.perf_counter()
    await b2.submit(texts(0, 4), [1] * 4, "document")
    assert time.perf_counter() - start < 2.0
    await b.close()
    await b2.close()


@pytest.mark.anyio
async def test_the_queue_limit_refuses_instead_of_growing() -> None:
    enc = FakeEncoder()
    enc.gate.clear()
    b = make(enc, max_queue=5, max_wait_ms=0.0)
    b.start()
    held = asyncio.create_task(b.submit(texts(0, 4), [1] * 4, "document"))
    await asyncio.sleep(0.05)
    assert b.admitted == 4
    with pytest.raises(QueueFull) as info:
        await b.submit(texts(4, 2), [1, 1], "document")
    assert info.value.retry_after >= 1
    assert b.admitted == 4  # a refusal holds nothing
    enc.gate.set()
    await held
    assert b.admitted == 0
    await b.close()


@pytest.mark.anyio
async def test_a_failing_batch_fails_its_requests_only() -> None:
    enc = FakeEncoder()
    enc.fail = True
    b = make(enc)
    b.start()
    with pytest.raises(RuntimeError, match="boom"):
        await b.submit(["t1"], [1], "document")
    enc.fail = False
    rows = await b.submit(["t2"], [1], "document")
    assert rows[0, 0] == 2
    assert b.admitted == 0
    await b.close()


@pytest.mark.anyio
async def test_close_encodes_what_is_queued_then_refuses() -> None:
    enc = FakeEncoder(delay=0.05)
    b = make(enc, max_batch_tokens=2, max_wait_ms=0.0)
    b.start()
    pending = [asyncio.create_task(b.submit(texts(10 * i, 2), [1, 1], "document"))
               for i in range(5)]
    await asyncio.sleep(0.01)
    assert b.depth > 0  # texts are still queued when the shutdown starts
    await b.close(timeout=10)
    for i, task in enumerate(pending):
        np.testing.assert_array_equal((await task)[:, 0], [10 * i, 10 * i + 1])
    with pytest.raises(ShuttingDown):
        await b.submit(["t1"], [1], "document")


@pytest.mark.anyio
async def test_a_shutdown_that_times_out_fails_the_rest_instead_of_hanging() -> None:
    enc = FakeEncoder()
    enc.gate.clear()  # the model is stuck
    b = make(enc, max_batch_tokens=1, max_wait_ms=0.0)
    b.start()
    stuck = asyncio.create_task(b.submit(["t1"], [1], "document"))
    queued = asyncio.create_task(b.submit(["t2"], [1], "document"))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(b.close(timeout=0.2), 5)
    for task in (stuck, queued):
        with pytest.raises(ShuttingDown):
            await asyncio.wait_for(task, 5)
    enc.gate.set()


@pytest.mark.anyio
async def test_a_cancelled_request_is_dropped_from_the_queue() -> None:
    enc = FakeEncoder()
    enc.gate.clear()
    b = make(enc, max_batch_tokens=1, max_wait_ms=0.0)
    b.start()
    first = asyncio.create_task(b.submit(["t1"], [1], "document"))
    gone = asyncio.create_task(b.submit(["t2", "t3"], [1, 1], "document"))
    await asyncio.sleep(0.05)
    gone.cancel()
    enc.gate.set()
    assert (await first)[0, 0] == 1
    await asyncio.sleep(0.05)
    assert [t for batch, _ in enc.batches for t in batch] == ["t1"]
    assert b.admitted == 0 and b.depth == 0
    await b.close()


@pytest.mark.anyio
async def test_run_uses_the_encode_thread_and_counts_against_the_limit() -> None:
    enc = FakeEncoder()
    b = make(enc, max_queue=1)
    b.start()
    names = await asyncio.gather(b.run(lambda: threading.current_thread().name))
    assert names[0].startswith("embedlab-encode")
    enc.gate.clear()
    held = asyncio.create_task(b.submit(["t1"], [1], "document"))
    await asyncio.sleep(0.05)
    with pytest.raises(QueueFull):
        await b.run(lambda: None)
    enc.gate.set()
    await held
    await b.close()


class CountingEncoder(FakeEncoder):
    """Also records how many batches are inside the encoder at once."""

    def __init__(self, delay: float) -> None:
        super().__init__(delay)
        self.inside = 0
        self.most_inside = 0
        self.lock = threading.Lock()

    def embed(self, items: Sequence[Any], **kwargs: Any) -> EncodeResult:
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            return super().embed(items, **kwargs)
        finally:
            with self.lock:
                self.inside -= 1


@pytest.mark.anyio
async def test_two_threads_share_the_waiting_texts_and_encode_at_once() -> None:
    enc = CountingEncoder(delay=0.05)
    b = make(enc, threads=2)
    b.start()
    results = await asyncio.gather(*(b.submit([f"t{i}"], [1], "document") for i in range(8)))
    assert [int(r[0, 0]) for r in results] == list(range(8))
    assert enc.most_inside == 2
    first_two = [len(t) for t, _ in enc.batches[:2]]
    assert first_two == [4, 4]  # 8 texts waiting, 2 threads free: half each
    await b.close()


@pytest.mark.anyio
async def test_a_batch_ahead_is_cut_while_the_encoder_is_busy() -> None:
    enc = FakeEncoder()
    enc.gate.clear()  # hold the first batch inside the encoder
    b = make(enc, threads=1, ahead=1, max_wait_ms=5.0)
    b.start()
    first = asyncio.ensure_future(b.submit(texts(0, 2), [1, 1], "document"))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(b.submit(texts(10, 2), [1, 1], "document"))
    await asyncio.sleep(0.05)
    assert b.depth == 0  # cut into the batch ahead, though the only thread is busy
    third = asyncio.ensure_future(b.submit(texts(20, 2), [1, 1], "document"))
    await asyncio.sleep(0.05)
    assert b.depth == 2  # no more batches ahead: these wait in the queue
    enc.gate.set()
    rows = await asyncio.gather(first, second, third)
    assert [r[:, 0].tolist() for r in rows] == [[0, 1], [10, 11], [20, 21]]
    await b.close()


class FakeProcesses:
    """An Encoder like ProcessEncoder, without a model: batches are handed on at once and
    answered when the test says so."""

    def __init__(self, count: int = 1) -> None:
        self.count = count
        self.packed = False
        self.sent: list[tuple[list[str], Future[np.ndarray]]] = []
        self.closed = False

    def submit(self, texts: list[str], costs: list[int], kind: str) -> Future[np.ndarray]:
        future: Future[np.ndarray] = Future()
        self.sent.append((list(texts), future))
        return future

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future

    def close(self) -> None:
        self.closed = True

    def answer(self, i: int, fail: bool = False) -> None:
        batch, future = self.sent[i]
        if fail:
            future.set_exception(RuntimeError("worker died"))
        else:
            future.set_result(rows_for(batch))


@pytest.mark.anyio
async def test_batches_are_handed_to_the_workers_ahead_and_answered_out_of_order() -> None:
    workers = FakeProcesses()
    b = make(workers, ahead=1, max_wait_ms=5.0)
    b.start()
    first = asyncio.ensure_future(b.submit(texts(0, 2), [1, 1], "document"))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(b.submit(texts(10, 2), [1, 1], "document"))
    await asyncio.sleep(0.05)
    third = asyncio.ensure_future(b.submit(texts(20, 2), [1, 1], "document"))
    await asyncio.sleep(0.05)
    # the batch ahead went to the workers before the first was answered; the third waits
    assert [t for t, _ in workers.sent] == [texts(0, 2), texts(10, 2)] and b.depth == 2
    workers.answer(1, fail=True)
    with pytest.raises(RuntimeError, match="worker died"):
        await second
    assert not first.done()
    workers.answer(0)
    assert (await first)[:, 0].tolist() == [0, 1]
    await asyncio.sleep(0.05)
    workers.answer(2)
    assert (await third)[:, 0].tolist() == [20, 21]
    assert b.admitted == 0
    await b.close()


@pytest.mark.anyio
async def test_the_batcher_needs_nothing_but_an_encoder() -> None:
    encoder = FakeProcesses(count=2)
    b = make(encoder, max_batch_tokens=3, max_wait_ms=5.0)
    assert b.at_once == 2
    b.start()
    asked = [asyncio.ensure_future(b.submit(texts(10 * i, 2), [1, 1], "query"))
             for i in range(4)]
    deadline = time.monotonic() + 5
    while not all(task.done() for task in asked):  # answer each batch once it is handed on
        assert time.monotonic() < deadline, "the batches were not all handed on"
        await asyncio.sleep(0.01)
        for i, (_, future) in enumerate(encoder.sent):
            if not future.done():
                encoder.answer(i)
    rows = await asyncio.gather(*asked)
    assert [r[:, 0].tolist() for r in rows] == [[10 * i, 10 * i + 1] for i in range(4)]
    assert all(len(batch) <= 3 for batch, _ in encoder.sent)  # the token budget held
    assert await b.run(lambda x: x + 1, 41) == 42  # other work goes where the encoder runs it
    assert b.admitted == 0 and b.batches == len(encoder.sent)
    await b.close()
    assert not encoder.closed  # its owner closes it
