"""Exact top-k search, the dense and BM25 retrievers, and the retrieval evaluator."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.evaluate import metrics
from embedlab.evaluate.base import NotApplicableError
from embedlab.evaluate.retrieval import DenseRetriever, RetrievalEvaluator, as_retriever, top_k


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


def test_dense_retrieval_scores_equal_metrics_on_its_run(hash_model, tiny_retrieval) -> None:
    evaluator = RetrievalEvaluator(tiny_retrieval)
    run = evaluator.run(hash_model)
    assert set(run) == set(tiny_retrieval.queries)
    assert all(len(hits) == len(tiny_retrieval.corpus) for hits in run.values())
    assert next(iter(metrics.rank_documents(run["q1"]))) == "d1"
    scores = evaluator(hash_model)
    assert scores == pytest.approx(metrics.evaluate_run(run, tiny_retrieval.qrels))
    assert set(scores) == {"ndcg@10", "mrr@10", "map@100", "recall@1", "recall@3",
                           "recall@5", "recall@10", "recall@20", "recall@50", "recall@100"}
    assert scores["recall@100"] == pytest.approx(0.75)  # q4 has no relevant doc: 0
    assert evaluator.primary_metric == "ndcg@10"


def test_dense_retriever_encodes_documents_and_queries_with_their_kinds(
    hash_model, tiny_retrieval
) -> None:
    corpus = tiny_retrieval.corpus
    retriever = DenseRetriever(hash_model)
    retriever.index(list(corpus), list(corpus.values()))
    hits = retriever.search(["molten lava"], k=2)
    assert hits[0][0][0] == "d4" and len(hits[0]) == 2
    assert hits[0][0][1] > hits[0][1][1]
    assert hash_model.calls == [(5, "document"), (1, "query")]


def test_as_retriever_rejects_other_objects() -> None:
    with pytest.raises(NotApplicableError):
        as_retriever(object())
