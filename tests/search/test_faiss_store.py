from __future__ import annotations

import numpy as np
import pytest

from embedlab.search.backends import faiss_store
from embedlab.search.backends.faiss_store import FaissStore
from embedlab.search.store import Where
from embedlab.search.stores import create_store, open_store


def clustered(n: int, dim: int = 128, latent: int = 16, seed: int = 0) -> np.ndarray:
    """Normalised vectors near a 16-dimensional subspace (as embeddings are), plus noise."""
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(99).normal(size=(latent, dim))
    x = rng.normal(size=(n, latent)) @ basis + 0.3 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def true_top(q: np.ndarray, x: np.ndarray, k: int, allowed: np.ndarray | None = None):
    s = q @ x.T
    if allowed is not None:
        s[:, ~allowed] = -np.inf
    return np.argsort(-s, axis=1, kind="stable")[:, :k], s


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth,
                                                                           strict=True)]))


def make(kind: str, x: np.ndarray, tmp_path, **options) -> FaissStore:
    store = create_store("faiss", x.shape[1], kind=kind, index_dir=tmp_path, **options)
    store.add(np.arange(len(x)), x, [[] for _ in x])
    return store


def test_hnsw_recall_against_exact_on_random_vectors(tmp_path):
    x, q = clustered(4000), clustered(100, seed=1)
    store = make("hnsw", x, tmp_path)
    truth, _ = true_top(q, x, 10)
    rows, scores = store.search(q, 10)
    assert store.structure == "hnsw"
    assert recall(rows, truth) >= 0.95
    exact_rows, _ = store.search(q, 10, exact=True)
    assert recall(exact_rows, truth) == 1.0
    np.testing.assert_allclose(scores, np.take_along_axis(q @ x.T, rows, axis=1), atol=1e-4)


@pytest.mark.parametrize("kind", ["int8", "binary"])
def test_quantized_kinds_rescore_with_float_vectors(tmp_path, kind):
    x, q = clustered(3000), clustered(50, seed=2)
    store = make(kind, x, tmp_path)
    rows, scores = store.search(q, 10)
    truth, s = true_top(q, x, 10)
    # rescoring makes the returned scores the exact float dot products, best first
    np.testing.assert_allclose(scores, np.take_along_axis(s, rows, axis=1), rtol=1e-5,
                               atol=1e-5)
    assert np.all(np.diff(scores, axis=1) <= 1e-6)
    assert recall(rows, truth) >= (0.97 if kind == "int8" else 0.8)
    # the compressed index is smaller than the float vectors
    assert store.bytes_per_vector() < 4 * x.shape[1] / (3 if kind == "int8" else 16)


@pytest.mark.parametrize("kind", ["exact", "hnsw", "int8", "binary"])
def test_deleted_and_filtered_rows_are_never_returned(tmp_path, kind, monkeypatch):
    x, q = clustered(1500), clustered(20, seed=3)
    store = make(kind, x, tmp_path)
    store.delete(np.arange(0, 1500, 7))
    allowed = np.ones(1500, dtype=bool)
    allowed[np.arange(0, 1500, 7)] = False
    rows, _ = store.search(q, 10)
    assert allowed[rows].all()
    # a filter: rows 0..799; searched through the index (not brute force) above the limit
    monkeypatch.setattr(faiss_store, "EXACT_FILTER_ROWS", 100)
    where = Where(np.arange(800))
    rows, _ = store.search(q, 10, where)
    assert (rows < 800).all() and allowed[rows].all()
    keep = allowed & (np.arange(1500) < 800)
    truth, _ = true_top(q, x, 10, keep)
    assert recall(rows, truth) >= 0.8
    # a small filter is searched exactly
    small = Where(np.arange(5, 60))
    rows, _ = store.search(q, 10, small)
    truth, _ = true_top(q, x, 10, allowed & (np.arange(1500) >= 5) & (np.arange(1500) < 60))
    assert recall(rows, truth) == 1.0


def test_fewer_rows_than_k_pad_with_minus_one(tmp_path):
    store = make("exact", clustered(3), tmp_path)
    rows, scores = store.search(clustered(2, seed=4), 5)
    assert (rows[:, 3:] == -1).all() and np.isinf(scores[:, 3:]).all()
    assert sorted(rows[0, :3]) == [0, 1, 2]


def test_auto_switches_to_hnsw_at_the_threshold_and_survives_save_and_open(tmp_path):
    x = clustered(300)
    store = make("auto", x[:100], tmp_path, threshold=200)
    assert store.structure == "flat"
    store.add(np.arange(100, 300), x[100:], [[] for _ in range(200)])
    assert store.structure == "hnsw"
    folder = tmp_path / "gen"
    folder.mkdir()
    section = store.save(folder)
    again = open_store(section, folder, tmp_path)
    q = clustered(10, seed=5)
    np.testing.assert_array_equal(again.search(q, 5)[0], store.search(q, 5)[0])
    # adding to an opened HNSW extends the saved graph
    again.add(np.arange(300, 310), clustered(10, seed=6), [[] for _ in range(10)])
    assert again.n_rows == 310 and again._ann().ntotal == 310


def test_compaction_renumbers_rows_densely(tmp_path):
    x = clustered(100)
    store = make("exact", x, tmp_path)
    store.delete(np.arange(10))
    assert store.compact() is None  # 10% deleted: not worth it
    store.delete(np.arange(10, 40))
    new_row = store.compact()
    assert new_row is not None and store.n_rows == 60
    assert (new_row[:40] == -1).all() and (new_row[40:] == np.arange(60)).all()
    rows, _ = store.search(x[50:51], 1)
    assert rows[0, 0] == new_row[50]
