from __future__ import annotations

import numpy as np
import pytest

from embedlab.errors import EmbedlabError
from embedlab.train.data import DataShape, TrainingData
from embedlab.train.mining import mine_hard_negatives


class OneHotEmbedder:
    """Each text's vector is set by hand, so rankings are known exactly."""

    name = "one-hot"
    dim = 3

    def __init__(self, table: dict[str, list[float]]):
        self.table = table

    def encode(self, texts, *, batch_size=32, normalize=True, kind="document", progress=False):
        v = np.array([self.table[t] for t in texts], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


TABLE = {"q": [1, 0, 0], "pos": [0.9, 0.1, 0], "twin": [0.95, 0.05, 0],
         "hard": [0.7, 0.7, 0], "mid": [0.5, 0.5, 0.7], "far": [0, 0, 1]}


def _pairs() -> TrainingData:
    return TrainingData("mem", DataShape.PAIRS, {"anchor": ["q"], "positive": ["pos"]})


def test_window_margin_and_positive_are_respected():
    corpus = ["pos", "twin", "hard", "mid", "far"]
    mined, stats = mine_hard_negatives(_pairs(), OneHotEmbedder(TABLE), corpus=corpus,
                                       rank_range=(0, 5), margin=0.05, num_negatives=2)
    # ranking: twin (0.999) > pos (0.994) > hard (0.707) > mid > far
    assert mined.columns["negative_1"] == ["hard"] and mined.columns["negative_2"] == ["mid"]
    assert stats.candidates_skipped_as_positive == 1 and stats.candidates_skipped_by_margin == 1


def test_rank_window_skips_the_top():
    corpus = ["pos", "twin", "hard", "mid", "far"]
    mined, _ = mine_hard_negatives(_pairs(), OneHotEmbedder(TABLE), corpus=corpus,
                                   rank_range=(3, 5), margin=0.0)
    assert mined.columns["negative_1"] == ["mid"]


def test_bm25_candidates_and_dropped_rows():
    table = dict(TABLE, **{"red car": [1, 0, 0], "red car fast": [0.9, 0.1, 0],
                           "a red boat": [0.2, 0.9, 0], "blue sky": [0, 0, 1]})
    data = TrainingData("mem", DataShape.PAIRS, {"anchor": ["red car"],
                                                 "positive": ["red car fast"]})
    mined, stats = mine_hard_negatives(data, OneHotEmbedder(table), source="bm25",
                                       corpus=["red car fast", "a red boat", "blue sky"],
                                       rank_range=(0, 3), margin=0.0)
    assert mined.columns["negative_1"] == ["a red boat"]  # blue sky shares no word
    with pytest.raises(EmbedlabError, match="no row kept a hard negative"):
        mine_hard_negatives(data, OneHotEmbedder(table), corpus=["red car fast"],
                            rank_range=(0, 5), margin=0.0)
    assert stats.rows_out == 1


def test_bad_mining_arguments():
    with pytest.raises(EmbedlabError, match="empty"):
        mine_hard_negatives(_pairs(), OneHotEmbedder(TABLE), rank_range=(5, 5))
    scored = TrainingData("mem", DataShape.SCORED, {"sentence1": ["a"], "sentence2": ["b"],
                                                   "score": [1.0]})
    with pytest.raises(EmbedlabError, match="pairs"):
        mine_hard_negatives(scored, OneHotEmbedder(TABLE))
