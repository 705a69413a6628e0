"""The thread encoder: threads set up by the model, batches through serve.passes, other work."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.serve.encoders import ThreadEncoder


class Counting(BaseEmbedder):
    """Rows of word counts; records which threads were set up and which passes it ran."""

    name = "counting"
    dim = 3
    workers = 3

    def __init__(self, packs: bool) -> None:
        super().__init__(cache_dir=False)
        self.packs = packs
        self.set_up: set[str] = set()
        self.passes: list[list[str]] = []

    def init_worker(self) -> None:
        self.set_up.add(threading.current_thread().name)

    def enable_packing(self) -> bool:
        self.packing = self.packs
        return self.packing

    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        self.passes.append(list(texts))
        return texts

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        return np.array([[len(t.split()), 1.0, 0.0] for t in items], dtype=np.float32)


def batch(n: int) -> tuple[list[str], list[int]]:
    texts = [" ".join([f"w{i}"] + ["x"] * (i % 4)) for i in range(n)]
    return texts, [1 + i % 4 for i in range(n)]


def test_threads_come_from_the_model_or_are_given() -> None:
    model = Counting(packs=True)
    encoder = ThreadEncoder(model)
    assert encoder.count == 3 and encoder.packed  # the model's own choice
    encoder.close()
    model = Counting(packs=True)
    encoder = ThreadEncoder(model, threads=2, pack=False)
    assert encoder.count == 2 == model.workers and not encoder.packed
    encoder.close()


def test_each_thread_is_set_up_by_the_model_and_other_work_runs_there() -> None:
    model = Counting(packs=True)
    encoder = ThreadEncoder(model, threads=2)
    try:
        gate = threading.Event()
        held = encoder.run(gate.wait, 10)  # one thread busy: the next work takes the other
        names = {encoder.run(lambda: threading.current_thread().name).result(10)
                 for _ in range(3)}
        gate.set()
        assert held.result(10)
        assert all(name.startswith("embedlab-encode") for name in names)
        assert names <= model.set_up
    finally:
        encoder.close()


def test_a_packed_model_gets_the_batch_whole_others_get_passes() -> None:
    texts, costs = batch(8)
    packed = Counting(packs=True)
    split = Counting(packs=False)
    encoders = [ThreadEncoder(m, threads=1, pass_overhead_tokens=1, encode_batch_size=3)
                for m in (packed, split)]
    try:
        rows = [e.submit(texts, costs, "document").result(10) for e in encoders]
    finally:
        for e in encoders:
            e.close()
    np.testing.assert_allclose(rows[0], rows[1], atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(rows[0], axis=1), 1.0, atol=1e-6)
    assert packed.passes == [texts]
    assert len(split.passes) >= 3 and all(len(p) <= 3 for p in split.passes)
    assert sorted(t for p in split.passes for t in p) == sorted(texts)


def test_close_drops_batches_not_started() -> None:
    encoder = ThreadEncoder(Counting(packs=True), threads=1)
    gate = threading.Event()
    encoder.run(gate.wait, 10)
    waiting = encoder.submit(*batch(2), "document")
    encoder.close()
    gate.set()
    assert waiting.cancelled()


