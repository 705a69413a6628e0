from __future__ import annotations

import pytest

from embedlab.errors import EmbedlabError
from embedlab.search.hybrid import fuse, rrf, weighted_sum


def test_rrf_matches_a_hand_computation():
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.1)]
    lexical = [("c", 12.0), ("a", 3.0), ("d", 1.0)]
    fused = dict(rrf([dense, lexical], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["d"] == pytest.approx(1 / 63)
    assert [key for key, _ in rrf([dense, lexical])] == ["a", "c", "b", "d"]


def test_rrf_ties_keep_first_appearance_and_weights_apply():
    assert [k for k, _ in rrf([[("x", 1.0)], [("y", 1.0)]])] == ["x", "y"]
    fused = dict(rrf([[("x", 1.0)], [("y", 1.0)]], k=0, weights=[1.0, 3.0]))
    assert fused == {"x": 1.0, "y": 3.0}


def test_weighted_sum_normalises_each_list():
    dense = [("a", 0.9), ("b", 0.5), ("c", 0.1)]
    lexical = [("c", 20.0), ("b", 10.0)]
    fused = dict(weighted_sum([dense, lexical], weights=[0.5, 0.5]))
    assert fused == pytest.approx({"a": 0.5, "b": 0.25 + 0.0, "c": 0.0 + 0.5})
    fused = dict(fuse(dense, lexical, method="weighted", alpha=0.8))
    assert fused["a"] == pytest.approx(0.8) and fused["c"] == pytest.approx(0.2)


def test_bad_fusion_settings_are_refused():
    with pytest.raises(EmbedlabError, match="unknown fusion"):
        fuse([], [], method="max")
    with pytest.raises(EmbedlabError, match="alpha"):
        fuse([], [], method="weighted", alpha=2)
