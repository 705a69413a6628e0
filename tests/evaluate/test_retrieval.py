"""The dense retriever, model-to-retriever dispatch, and the retrieval evaluator."""

from __future__ import annotations

import pytest

from embedlab.evaluate.base import NotApplicableError
from embedlab.evaluate.retrieval import DenseRetriever, RetrievalEvaluator, as_retriever
from embedlab.ranking import metrics


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
