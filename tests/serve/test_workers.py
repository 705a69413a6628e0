"""Worker processes: the model loaded in spawned processes, vectors equal to in-process ones."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from serve_helpers import serving

from embedlab.errors import EmbedlabError
from embedlab.registry import load
from embedlab.serve.app import create_app
from embedlab.serve.encoders import ThreadEncoder
from embedlab.serve.settings import ServeSettings
from embedlab.serve.workers import ProcessEncoder, WorkerFailed, WorkerSpec, threads_per_process

TEXTS = ["the man plays guitar", "a", "slicing onion for the food " * 5, "a red car"]


@pytest.fixture(scope="module")
def encoder(tiny_st_model: Path):
    pool = ProcessEncoder(WorkerSpec(str(tiny_st_model), threads=1), 2)
    yield pool
    pool.close()


def test_worker_processes_encode_like_the_model_here(encoder: ProcessEncoder,
                                                     tiny_st_model: Path) -> None:
    here = load(str(tiny_st_model), cache_dir=False)
    assert encoder.count == 2 and encoder.dim == here.dim and encoder.packed
    rows = encoder.encode(TEXTS, [1] * len(TEXTS), "document")
    np.testing.assert_allclose(rows, here.encode(TEXTS), atol=1e-5)
    assert len(set(encoder.pids())) == 2


@pytest.mark.parametrize("pack", [True, False])
def test_threads_and_processes_give_the_same_rows_for_a_batch(
        encoder: ProcessEncoder, tiny_st_model: Path, pack: bool) -> None:
    here = load(str(tiny_st_model), cache_dir=False)
    threads = ThreadEncoder(here, threads=2, pack=pack, pass_overhead_tokens=1,
                            encode_batch_size=2)  # without packing: several passes
    try:
        assert threads.count == 2 and threads.packed is pack and encoder.packed
        costs = here.count_tokens(TEXTS)
        in_threads = threads.submit(TEXTS, costs, "query").result(timeout=60)
        in_processes = encoder.submit(TEXTS, costs, "query").result(timeout=60)
    finally:
        threads.close()
    assert in_threads.dtype == in_processes.dtype == np.float32
    np.testing.assert_allclose(in_threads, in_processes, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(in_threads, axis=1), 1.0, atol=1e-5)


def test_batches_queued_in_one_worker_come_back_to_their_callers(
        encoder: ProcessEncoder, tiny_st_model: Path) -> None:
    here = load(str(tiny_st_model), cache_dir=False)
    batches = [[f"{t} {i}" for t in TEXTS[: 1 + i % len(TEXTS)]] for i in range(12)]
    stopped = encoder.pids()
    for pid in stopped:  # hold the workers still so the batches queue up in their pipes
        os.kill(pid, signal.SIGSTOP)
    try:
        futures = [encoder.send(b, [1] * len(b), "document") for b in batches]
        assert sorted(s.backlog()[0] for s in encoder._slots) == [6, 6]  # shared out evenly
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    for batch, future in zip(batches, futures, strict=True):
        np.testing.assert_allclose(future.result(timeout=60), here.encode(batch), atol=1e-5)


def _wait_until_up(encoder: ProcessEncoder, gone: set[int]) -> None:
    """Wait until every worker is up and none of the processes ``gone`` is among them."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if all(s.up for s in encoder._slots) and not gone & set(encoder.pids()):
            return
        time.sleep(0.1)
    raise AssertionError("the worker processes were not restarted")


def test_a_worker_that_dies_fails_the_batches_it_held_and_is_replaced(
        encoder: ProcessEncoder) -> None:
    old = set(encoder.pids())
    for pid in old:  # stop both, so the batches wait in their pipes, then kill them
        os.kill(pid, signal.SIGSTOP)
    futures = [encoder.send(TEXTS, [1] * len(TEXTS), "document") for _ in range(4)]
    for pid in old:
        os.kill(pid, signal.SIGKILL)
    for future in futures:
        with pytest.raises(WorkerFailed, match="died while encoding"):
            future.result(timeout=60)
    rows = encoder.encode(TEXTS, [1] * len(TEXTS), "document")  # waits for a restart
    assert rows.shape == (len(TEXTS), encoder.dim)
    _wait_until_up(encoder, old)


def test_a_worker_that_dies_idle_costs_no_request(encoder: ProcessEncoder) -> None:
    victim = encoder._slots[0].process
    victim.kill()
    victim.join(5)
    for _ in range(6):  # each goes to the live worker or waits for the restart: none fails
        assert encoder.encode(TEXTS, [1] * len(TEXTS), "document").shape[0] == len(TEXTS)
    _wait_until_up(encoder, {victim.pid})


def test_a_model_that_cannot_load_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedlabError, match="could not load the model"):
        ProcessEncoder(WorkerSpec(str(tmp_path / "missing")), 1, load_timeout=120)
    assert threads_per_process(1) >= 1


@pytest.mark.anyio
async def test_the_server_answers_from_worker_processes(encoder: ProcessEncoder,
                                                        tiny_st_model: Path) -> None:
    here = load(str(tiny_st_model), cache_dir=False)
    app = create_app(here, settings=ServeSettings(cache_size=0), encoder=encoder)
    async with serving(app) as client:
        resp = await client.post("/v1/embeddings", json={"input": TEXTS})
        assert resp.status_code == 200
        rows = np.array([d["embedding"] for d in resp.json()["data"]], dtype=np.float32)
        np.testing.assert_allclose(rows, here.encode(TEXTS), atol=1e-5)


def test_a_worker_killed_while_loading_is_started_again(encoder: ProcessEncoder) -> None:
    slot = encoder._slots[1]
    first = slot.process
    first.kill()
    deadline = time.monotonic() + 60
    while slot.process is first and time.monotonic() < deadline:  # the restart has begun
        time.sleep(0.01)
    loading = slot.process
    assert loading is not first and not slot.up  # still loading its model
    loading.kill()
    _wait_until_up(encoder, {first.pid, loading.pid})
    assert not slot.failed
    assert encoder.encode(TEXTS, [1] * len(TEXTS), "document").shape[0] == len(TEXTS)
