"""Exact top-k search: the same as a full sort, ties by index, bounded chunks."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.ranking.topk import top_k


@pytest.mark.parametrize(("query_chunk", "doc_chunk"), [(256, 50_000), (3, 7), (1, 1)])
def test_top_k_matches_full_sort(query_chunk: int, doc_chunk: int) -> None:
    rng = np.random.default_rng(0)
    q = rng.standard_normal((10, 8)).astype(np.float32)
    d = rng.standard_normal((40, 8)).astype(np.float32)
    idx, scores = top_k(q, d, 5, query_chunk=query_chunk, doc_chunk=doc_chunk)
    full = q @ d.T
    expected = np.argsort(-full, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(idx, expected)
    np.testing.assert_allclose(scores, np.take_along_axis(full, expected, 1), rtol=1e-6)


def test_top_k_breaks_ties_by_index_and_caps_k() -> None:
    q = np.ones((1, 2), dtype=np.float32)
    d = np.array([[1, 0], [0, 1], [2, 0], [1, 0]], dtype=np.float32)
    idx, scores = top_k(q, d, 10, doc_chunk=2)
    assert idx.tolist() == [[2, 0, 1, 3]]
    assert scores.tolist() == [[2.0, 1.0, 1.0, 1.0]]
