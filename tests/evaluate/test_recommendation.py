"""Recommendation evaluation: metrics against pytrec_eval, the splits' guarantees, the parts, the
baselines, and the task as ``embedlab eval`` names it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedlab.data.interactions import Interactions, join, load_interactions, load_items
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import NotApplicableError
from embedlab.evaluate.recommendation import (
    PopularityModel,
    RecommendationEvaluator,
    evaluate_split,
    ranking_metrics,
)
from embedlab.evaluate.recommendation_splits import make_split
from embedlab.evaluate.tasks import parse_task


def test_ranking_metrics_match_pytrec_eval() -> None:
    pytrec_eval = pytest.importorskip("pytrec_eval")
    rng = np.random.default_rng(0)
    run, qrels, ours = {}, {}, []
    for q in range(30):
        ranked = [int(i) for i in rng.permutation(200)[:20]]
        targets = [int(i) for i in rng.choice(200, rng.integers(1, 6), replace=False)]
        targets += ranked[:rng.integers(0, 3)]
        run[f"q{q}"] = {str(d): float(20 - r) for r, d in enumerate(ranked)}
        qrels[f"q{q}"] = {str(t): 1 for t in set(targets)}
        ours.append(ranking_metrics(ranked, sorted(set(targets))))
    ref = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10,20", "recall.10,20"}).evaluate(run)
    for q, mine in zip(run, ours, strict=True):
        for k in (10, 20):
            assert mine[f"ndcg@{k}"] == pytest.approx(ref[q][f"ndcg_cut_{k}"], abs=1e-6)
            assert mine[f"recall@{k}"] == pytest.approx(ref[q][f"recall_{k}"], abs=1e-6)
            assert mine[f"hit@{k}"] == float(ref[q][f"recall_{k}"] > 0)


@pytest.fixture(scope="module")
def rec(rec_files: tuple[Path, Path]) -> tuple[Interactions, object]:
    items = load_items(rec_files[1], ["title", "genres"])
    return join(load_interactions(rec_files[0]), items), items


def test_leave_last_split(rec) -> None:
    data, _ = rec
    split = make_split(data, how="leave-last", cold_item_share=0.2, cold_user_share=0.1,
                       seed=3)
    train = split.train
    assert not np.isin(train.items, split.cold_items).any()
    cold_users = {u for u in split.cold_users}
    assert len(cold_users) == 3 and not np.isin(train.users, list(cold_users)).any()
    trained = set(train.items.tolist())
    for user, targets in split.warm.items():
        assert len(targets) == 1 and int(targets[0]) in trained
        # the held-out interaction is the user's latest outside the cold items
        mine = (data.users == user) & ~np.isin(data.items, split.cold_items)
        latest = data.items[mine][np.argmax(data.timestamps[mine])]
        assert targets[0] == latest
    for user, targets in split.cold_item_targets.items():
        assert np.isin(targets, split.cold_items).all() and user not in cold_users
    for history, targets in split.cold_users.values():
        assert np.isin(history, list(trained)).all() and len(history) <= len(targets)
    again = make_split(data, how="leave-last", cold_item_share=0.2, cold_user_share=0.1, seed=3)
    assert np.array_equal(again.cold_items, split.cold_items)


def test_time_split_and_bad_settings(rec) -> None:
    data, _ = rec
    split = make_split(data, how="time", cold_item_share=0.0, cold_user_share=0.0,
                       test_share=0.25)
    cut = split.train.timestamps.max()
    assert all(data.timestamps[(data.users == u) & np.isin(data.items, t)].min() > cut
               for u, t in split.warm.items())
    with pytest.raises(EmbedlabError, match="unknown recommendation split"):
        make_split(data, how="random")
    with pytest.raises(EmbedlabError, match="share must be in"):
        make_split(data, cold_item_share=1.0)
    no_time = Interactions("x", data.user_ids, data.item_ids, data.users, data.items)
    with pytest.raises(EmbedlabError, match="needs timestamps"):
        make_split(no_time, how="time")


def test_popularity_by_hand(rec) -> None:
    data, items = rec
    split = make_split(data, cold_item_share=0.2, cold_user_share=0.1, seed=0)
    scores = evaluate_split(split, items, PopularityModel())
    counts = np.bincount(split.train.items, minlength=len(items))
    tiebreak = np.random.default_rng(0).permutation(len(items))
    warm_items = split.warm_items()
    hits, users = 0, 0
    for user, targets in split.warm.items():
        seen = split.train.items[split.train.users == user]
        cand = np.setdiff1d(warm_items, seen)
        ranked = cand[np.lexsort((tiebreak[cand], -counts[cand]))][:10]
        hits += int(np.isin(targets, ranked).any())
        users += 1
    assert scores["warm/hit@10"] == pytest.approx(hits / users)
    assert scores["warm/users"] == users
    assert scores["cold-items/users"] == len(split.cold_item_targets)
    assert 0 < scores["warm/coverage@10"] <= 1


def test_a_part_without_users_scores_nan(rec) -> None:
    data, items = rec
    split = make_split(data, cold_item_share=0.2, cold_user_share=0.0, seed=0)
    scores = evaluate_split(split, items, PopularityModel())
    assert scores["cold-users/users"] == 0 and np.isnan(scores["cold-users/ndcg@20"])
    assert not np.isnan(scores["warm/ndcg@20"])


def test_task_and_evaluator(rec_files: tuple[Path, Path]) -> None:
    task = parse_task(f"recommendation:{rec_files[0]},{rec_files[1]}", split="leave-last",
                      min_rating=4)
    assert task.kind == "recommendation" and task.primary_metric == "warm/ndcg@20"
    evaluator = task.evaluator()
    assert isinstance(evaluator, RecommendationEvaluator)
    assert evaluator(PopularityModel())["warm/users"] > 0
    with pytest.raises(NotApplicableError, match="not a recommender"):
        evaluator(object())
    with pytest.raises(EmbedlabError, match="cannot tell which items file"):
        parse_task(f"recommendation:{rec_files[0]}")
