"""The bm25 pseudo-model: a model name that applies to retrieval only."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.data.datasets import ScoredPairs
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import NotApplicableError
from embedlab.evaluate.bm25 import BM25Model
from embedlab.evaluate.models import get_model
from embedlab.evaluate.retrieval import RetrievalEvaluator
from embedlab.evaluate.sts import STSEvaluator


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
