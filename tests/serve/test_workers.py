"""Worker processes: the model loaded in spawned processes, vectors equal to in-process ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from serve_helpers import serving

from embedlab.errors import EmbedlabError
from embedlab.registry import load
from embedlab.serve.app import create_app
from embedlab.serve.settings import ServeSettings
from embedlab.serve.workers import ModelSpec, ProcessEncoder, WorkerFailed, threads_per_process

TEXTS = ["the man plays guitar", "a", "slicing onion for the food " * 5, "a red car"]


@pytest.fixture(scope="module")
def encoder(tiny_st_model: Path):
    pool = ProcessEncoder(ModelSpec(str(tiny_st_model), threads=1), 2)
    yield pool
    pool.close()


def test_worker_processes_encode_like_the_model_here(encoder: ProcessEncoder,
                                                     tiny_st_model: Path) -> None:
    here = load(str(tiny_st_model), cache_dir=False)
    assert encoder.count == 2 and encoder.dim == here.dim and encoder.packed
    rows = encoder.encode(TEXTS, [1] * len(TEXTS), "document")
    np.testing.assert_allclose(rows, here.encode(TEXTS), atol=1e-5)
    assert len(set(encoder.pids())) == 2


def test_a_dead_worker_fails_its_batch_and_is_replaced(encoder: ProcessEncoder) -> None:
    for worker in list(encoder._workers):  # kill both: whichever is picked is dead
        worker.process.kill()
        worker.process.join(5)
    with pytest.raises(WorkerFailed, match="died"):
        encoder.encode(TEXTS, [1] * len(TEXTS), "document")
    with pytest.raises(WorkerFailed, match="died"):
        encoder.encode(TEXTS, [1] * len(TEXTS), "document")
    rows = encoder.encode(TEXTS, [1] * len(TEXTS), "document")  # replaced: works again
    assert rows.shape == (len(TEXTS), encoder.dim)
    assert all(w.process.is_alive() for w in encoder._workers)


def test_a_model_that_cannot_load_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedlabError, match="could not load the model"):
        ProcessEncoder(ModelSpec(str(tmp_path / "missing")), 1, load_timeout=120)
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
