"""Ranking metrics against pytrec_eval (trec_eval) on the same runs and qrels, within 1e-6."""

from __future__ import annotations

import math

import numpy as np
import pytest

from embedlab.ranking import metrics

pytrec_eval = pytest.importorskip("pytrec_eval")

MEASURES = {"ndcg_cut.10", "map_cut.100", "recall.1,3,5,10,20,50,100"}
OURS_TO_TREC = {"ndcg@10": "ndcg_cut_10", "map@100": "map_cut_100", "recall@1": "recall_1",
                "recall@3": "recall_3", "recall@5": "recall_5", "recall@10": "recall_10",
                "recall@20": "recall_20", "recall@50": "recall_50", "recall@100": "recall_100"}


def random_case(seed: int, n_queries: int = 60, n_docs: int = 150):
    """Graded qrels (0/1/2), queries with only 0s, with an empty judgement list, absent from
    the qrels or from the run, and runs with tied scores."""
    rng = np.random.default_rng(seed)
    docs = [f"d{i}" for i in range(n_docs)]
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    for q in range(n_queries):
        qid = f"q{q}"
        judged = rng.choice(n_docs, size=int(rng.integers(1, 15)), replace=False)
        if q % 10 == 3:  # judged, but nothing relevant
            qrels[qid] = {docs[d]: 0 for d in judged}
        elif q % 10 == 9:  # in the qrels with no judgement: skipped, like an absent query
            qrels[qid] = {}
        elif q % 10 != 7:  # q7, q17, ...: not in the qrels at all
            qrels[qid] = {docs[d]: int(rng.choice([0, 1, 2], p=[0.3, 0.4, 0.3]))
                          for d in judged}
        if q % 10 == 5:  # in the qrels, not in the run
            continue
        retrieved = rng.choice(n_docs, size=int(rng.integers(0, 130)), replace=False)
        scores = np.round(rng.random(len(retrieved)), 1)  # one decimal: many ties
        run[qid] = {docs[d]: float(s) for d, s in zip(retrieved, scores, strict=True)}
    return run, qrels


def truncated(run: dict[str, dict[str, float]], k: int) -> dict[str, dict[str, float]]:
    """The run cut at k in trec_eval's order (what MRR@k is recip_rank of)."""
    out = {}
    for qid, scores in run.items():
        keep = metrics.rank_documents(scores)[:k]
        out[qid] = {d: scores[d] for d in keep}
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_match_pytrec_eval_per_query(seed: int) -> None:
    run, qrels = random_case(seed)
    reference = pytrec_eval.RelevanceEvaluator(qrels, MEASURES).evaluate(run)
    mrr_reference = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(
        truncated(run, 10))
    ours = metrics.per_query_metrics(run, qrels)
    assert set(ours) == set(reference)  # same queries counted
    assert any(all(g == 0 for g in qrels[q].values()) for q in ours)  # all-zero queries count
    for qid, values in ours.items():
        for name, trec_name in OURS_TO_TREC.items():
            assert values[name] == pytest.approx(reference[qid][trec_name], abs=1e-6), (
                qid, name)
        assert values["mrr@10"] == pytest.approx(mrr_reference[qid]["recip_rank"], abs=1e-6)


@pytest.mark.parametrize("seed", [3, 4])
def test_mean_metrics_match_pytrec_eval(seed: int) -> None:
    run, qrels = random_case(seed)
    reference = pytrec_eval.RelevanceEvaluator(qrels, MEASURES).evaluate(run)
    mrr_reference = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(
        truncated(run, 10))
    ours = metrics.evaluate_run(run, qrels)
    for name, trec_name in OURS_TO_TREC.items():
        expected = float(np.mean([v[trec_name] for v in reference.values()]))
        assert ours[name] == pytest.approx(expected, abs=1e-6), name
    expected_mrr = float(np.mean([v["recip_rank"] for v in mrr_reference.values()]))
    assert ours["mrr@10"] == pytest.approx(expected_mrr, abs=1e-6)


def test_ties_and_negative_grades_follow_trec_eval() -> None:
    qrels = {"q": {"d1": 2, "d2": 1, "d3": 0, "d9": -1}}
    run = {"q": {"d1": 0.5, "d2": 0.5, "d3": 0.9, "d9": 1.0, "d4": 0.1}}
    # equal scores: document id descending, so d2 comes before d1
    assert metrics.rank_documents(run["q"]) == ["d9", "d3", "d2", "d1", "d4"]
    ours = metrics.per_query_metrics(run, qrels)["q"]
    reference = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recip_rank"}).evaluate(
        run)["q"]
    dcg = 1 / math.log2(4) + 2 / math.log2(5)  # d2 (grade 1) at 3, d1 (grade 2) at 4
    idcg = 2 + 1 / math.log2(3)
    assert ours["ndcg@10"] == pytest.approx(dcg / idcg, abs=1e-12)
    assert ours["ndcg@10"] == pytest.approx(reference["ndcg_cut_10"], abs=1e-6)
    assert ours["mrr@10"] == pytest.approx(1 / 3) == pytest.approx(reference["recip_rank"])


def test_query_without_relevant_documents_scores_zero_and_counts() -> None:
    qrels = {"a": {"d1": 1}, "b": {"d1": 0, "d2": 0}}
    run = {"a": {"d1": 1.0}, "b": {"d1": 1.0}, "not-judged": {"d1": 1.0}}
    ours = metrics.evaluate_run(run, qrels)
    assert ours["ndcg@10"] == pytest.approx(0.5)  # (1 + 0) / 2 queries; "not-judged" skipped
    assert ours["recall@100"] == pytest.approx(0.5)
    assert metrics.evaluate_run({}, qrels)["ndcg@10"] == 0.0


def test_list_runs_and_custom_cutoffs() -> None:
    qrels = {"q": {"a": 1, "b": 1, "c": 1, "d": 1}}
    run = {"q": [("x", 0.9), ("a", 0.8), ("y", 0.7), ("b", 0.6)]}
    ours = metrics.evaluate_run(run, qrels, ndcg_at=(), mrr_at=(1, 2), map_at=(4,),
                                recall_at=(2,), precision_at=(4, 10))
    assert ours == pytest.approx({"mrr@1": 0.0, "mrr@2": 0.5, "map@4": (1 / 2 + 2 / 4) / 4,
                                  "recall@2": 0.25, "precision@4": 0.5, "precision@10": 0.2})
