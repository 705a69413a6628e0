"""Ranking metrics with trec_eval's semantics, in numpy.

Written here rather than taken from pytrec_eval so that evaluation needs no compiled dependency
at run time (``pytrec_eval`` does not build on every platform; it is the reference in the tests,
which hold these numbers to within 1e-6 of it). Per query the work is a few numpy operations on
the top ``max(k)`` documents.

In: a run ``{query_id: {doc_id: score}}`` (or ``{query_id: [(doc_id, score), ...]}``) and qrels
``{query_id: {doc_id: grade}}``. Out: ``{"ndcg@10": ..., "mrr@10": ..., ...}``.

Semantics (trec_eval 9.x, as pytrec_eval computes them):

- documents are ranked by score, highest first; equal scores by document id, descending;
- a document is relevant when its grade is >= 1; nDCG's gain is the grade (negative grades
  count 0); the ideal ranking sorts all judged documents of the query by grade;
- ``ndcg@k`` = trec_eval ``ndcg_cut_k``; ``map@k`` = ``map_cut_k`` (precision summed over
  relevant documents in the top k, divided by all relevant documents of the query);
  ``recall@k`` = ``recall_k``; ``mrr@k`` = ``recip_rank`` of the run cut at k;
  ``precision@k`` = ``P_k`` (divided by k even when fewer documents were retrieved);
- which queries count: those in both the run and the qrels with at least one judgement (as
  pytrec_eval, which skips queries absent from the qrels). A query whose judgements are all 0
  counts, and scores 0 on every metric. The evaluators put every judged query in the run, so a
  query for which nothing was retrieved counts too (with 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

Run = Mapping[str, Mapping[str, float] | Sequence[tuple[str, float]]]
Qrels = Mapping[str, Mapping[str, int]]

DEFAULT_NDCG = (10,)
DEFAULT_MRR = (10,)
DEFAULT_MAP = (100,)
DEFAULT_RECALL = (1, 3, 5, 10, 20, 50, 100)


def rank_documents(scores: Mapping[str, float] | Sequence[tuple[str, float]]) -> list[str]:
    """Document ids in trec_eval order: score descending, then document id descending."""
    items = list(scores.items()) if isinstance(scores, Mapping) else list(scores)
    items.sort(key=lambda item: item[0], reverse=True)
    items.sort(key=lambda item: -float(item[1]))
    return [doc for doc, _ in items]


def _discounts(n: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, n + 2, dtype=np.float64))


def query_metrics(
    ranking: Sequence[str],
    judged: Mapping[str, int],
    *,
    ndcg_at: Iterable[int] = DEFAULT_NDCG,
    mrr_at: Iterable[int] = DEFAULT_MRR,
    map_at: Iterable[int] = DEFAULT_MAP,
    recall_at: Iterable[int] = DEFAULT_RECALL,
    precision_at: Iterable[int] = (),
) -> dict[str, float]:
    """All requested metrics of one query from its ranked document ids and its judgements."""
    ndcg_at, mrr_at, map_at = tuple(ndcg_at), tuple(mrr_at), tuple(map_at)
    recall_at, precision_at = tuple(recall_at), tuple(precision_at)
    depth = max((*ndcg_at, *mrr_at, *map_at, *recall_at, *precision_at, 1))
    grades = np.array([judged.get(doc, 0) for doc in ranking[:depth]], dtype=np.float64)
    relevant = grades >= 1
    hits = np.cumsum(relevant)
    all_grades = np.array(list(judged.values()), dtype=np.float64)
    num_relevant = int(np.sum(all_grades >= 1))

    def hits_at(k: int) -> int:
        return int(hits[min(k, len(hits)) - 1]) if len(hits) else 0

    out: dict[str, float] = {}
    gains = np.maximum(grades, 0.0)
    ideal = np.sort(np.maximum(all_grades, 0.0))[::-1]
    for k in ndcg_at:
        idcg = float(np.sum(ideal[:k] * _discounts(min(k, len(ideal)))))
        dcg = float(np.sum(gains[:k] * _discounts(min(k, len(gains)))))
        out[f"ndcg@{k}"] = dcg / idcg if idcg > 0 else 0.0
    first = int(np.argmax(relevant)) if relevant.any() else None
    for k in mrr_at:
        out[f"mrr@{k}"] = 1.0 / (first + 1) if first is not None and first < k else 0.0
    precision_at_hit = hits / np.arange(1, len(hits) + 1, dtype=np.float64)
    for k in map_at:
        total = float(np.sum(precision_at_hit[:k][relevant[:k]]))
        out[f"map@{k}"] = total / num_relevant if num_relevant else 0.0
    for k in recall_at:
        out[f"recall@{k}"] = hits_at(k) / num_relevant if num_relevant else 0.0
    for k in precision_at:
        out[f"precision@{k}"] = hits_at(k) / k
    return out


def per_query_metrics(
    run: Run, qrels: Qrels, **cutoffs: Iterable[int]
) -> dict[str, dict[str, float]]:
    """Metrics of every query in both ``run`` and ``qrels`` (see the module docstring)."""
    cutoffs = {key: tuple(values) for key, values in cutoffs.items()}
    out: dict[str, dict[str, float]] = {}
    for qid, scores in run.items():
        judged = qrels.get(qid)
        if not judged:
            continue
        out[qid] = query_metrics(rank_documents(scores), judged, **cutoffs)
    return out


def evaluate_run(run: Run, qrels: Qrels, **cutoffs: Iterable[int]) -> dict[str, float]:
    """The mean of every metric over the counted queries (all 0 when none counts).

    ``cutoffs``: ``ndcg_at``, ``mrr_at``, ``map_at``, ``recall_at``, ``precision_at`` (tuples of
    k); defaults: nDCG@10, MRR@10, MAP@100, Recall@1/3/5/10/20/50/100.
    """
    cutoffs = {key: tuple(values) for key, values in cutoffs.items()}
    per_query = per_query_metrics(run, qrels, **cutoffs)
    names = list(query_metrics([], {"": 1}, **cutoffs))
    if not per_query:
        return dict.fromkeys(names, 0.0)
    return {name: float(np.mean([m[name] for m in per_query.values()])) for name in names}
