"""The bm25 pseudo-model: lexical ranking, and a model name that applies to retrieval only."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.data.loaders import ScoredPairs
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import NotApplicableError
from embedlab.evaluate.bm25 import BM25Model, BM25Retriever
from embedlab.evaluate.models import get_model
from embedlab.evaluate.retrieval import RetrievalEvaluator
from embedlab.evaluate.sts import STSEvaluator


def test_bm25_ranks_by_words_and_drops_non_matches(tiny_retrieval) -> None:
    corpus = tiny_retrieval.corpus
    retriever = BM25Retriever()
    retriever.index(list(corpus), list(corpus.values()))
    hits = retriever.search(["the cats purring", "zebra", "", "stock markets"], k=3)
    assert [d for d, _ in hits[0]] == ["d1"]  # stemming: purring -> purr, cats -> cat
    assert hits[1] == [] and hits[2] == []
    assert hits[3][0][0] == "d3" and hits[3][0][1] > 0


def test_bm25_tokenizes_chinese_by_character() -> None:
    retriever = BM25Retriever()
    retriever.index(["a", "b"], ["花呗怎么还款", "借呗的借款日期"])
    assert retriever.search(["还款"], k=2)[0][0][0] == "a"


def test_bm25_is_a_model_name_for_retrieval_only(tiny_retrieval) -> None:
    model = get_model("bm25")
    assert isinstance(model, BM25Model) and model.name == "bm25"
    scores = RetrievalEvaluator(tiny_retrieval)(model)
    assert scores["mrr@10"] == pytest.approx((1 + 1 + 1 + 0) / 4)
    # q3 finds one of its two relevant documents (d5 shares no word with it); q4 none
    assert scores["ndcg@10"] == pytest.approx((1 + 1 + 1 / (1 + 1 / np.log2(3)) + 0) / 4)
    pairs = ScoredPairs("p", ["a b", "c"], ["a", "d"], np.array([1.0, 0.0]))
    with pytest.raises(NotApplicableError, match="bm25.*does not apply to sts"):
        STSEvaluator(pairs)(model)
    with pytest.raises(EmbedlabError, match="--pooling"):
        get_model("bm25", pooling="mean")



def test_bm25_on_an_empty_corpus_returns_nothing() -> None:
    retriever = BM25Retriever()
    retriever.index([], [])
    assert retriever.search(["anything"], k=10) == [[]]
