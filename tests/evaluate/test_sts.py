"""STS and document similarity: correlations of cosine with gold scores, against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from embedlab.data.datasets import ScoredPairs
from embedlab.evaluate.sts import DocumentSimilarityEvaluator, STSEvaluator, correlations

PAIRS = ScoredPairs(
    "tiny",
    ["a cat sits on the mat", "a man plays guitar", "the sky is blue", "dogs run fast",
     "she reads a book", "rain falls today"],
    ["a cat sat on a mat", "a man plays a flute", "stocks fell sharply", "dogs run quickly",
     "he writes a letter", "it rains today"],
    np.array([4.8, 3.0, 0.2, 4.0, 1.0, 4.2]),
)


def test_correlations_match_scipy() -> None:
    rng = np.random.default_rng(0)
    predicted, gold = rng.random(50), np.round(rng.random(50) * 5, 1)  # gold has ties
    ours = correlations(predicted, gold)
    assert ours["spearman"] == pytest.approx(stats.spearmanr(predicted, gold)[0], abs=1e-12)
    assert ours["pearson"] == pytest.approx(stats.pearsonr(predicted, gold)[0], abs=1e-12)
    assert correlations(np.ones(5), gold[:5]) == {"spearman": 0.0, "pearson": 0.0}


def test_sts_scores_are_correlations_of_cosines(hash_model) -> None:
    evaluator = STSEvaluator(PAIRS)
    scores = evaluator(hash_model)
    a = hash_model.encode(PAIRS.texts1)
    b = hash_model.encode(PAIRS.texts2)
    cosines = np.sum(a * b, axis=1)
    assert scores["spearman"] == pytest.approx(stats.spearmanr(cosines, PAIRS.scores)[0],
                                               abs=1e-6)
    assert scores["pearson"] == pytest.approx(stats.pearsonr(cosines, PAIRS.scores)[0],
                                              abs=1e-6)
    assert scores["spearman"] > 0.5  # word overlap follows the gold scores here
    assert evaluator.primary_metric == evaluator.main_metric == "spearman"
    assert hash_model.calls[0] == (12, "query")  # both sides in one call, symmetric kind


def test_document_similarity_reports_pearson_first(hash_model) -> None:
    evaluator = DocumentSimilarityEvaluator(PAIRS)
    assert evaluator.primary_metric == "pearson"
    assert evaluator(hash_model) == pytest.approx(STSEvaluator(PAIRS)(hash_model))
