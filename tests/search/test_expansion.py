"""Query expansion: neighbour terms, RM3 and Rocchio, weighted BM25 queries, and the word
spaces they draw from."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from search_helpers import HashEmbedder

from embedlab.ranking.lexical import BM25Index
from embedlab.search import Document, Index, understanding
from embedlab.search.expansion import (
    NEIGHBOUR_WEIGHT,
    ORIGINAL_WEIGHT,
    neighbour_terms,
    rm3_terms,
    rocchio,
)
from embedlab.search.wordspace import WordSpace, space_for

DOCS = [Document("g1", "guitar strings and a guitar solo"),
        Document("p1", "piano keys and a piano sonata"),
        Document("v1", "volcano lava and ash"),
        Document("v2", "lava flows from the volcano crater")]


def space() -> WordSpace:
    """guitar ~ piano (cosine 0.9); lava far from both."""
    words = ["guitar", "piano", "lava", "sonata"]
    matrix = np.array([[1, 0, 0], [0.9, np.sqrt(1 - 0.81), 0], [0, 0, 1], [0, 1, 0]])
    return WordSpace(words, matrix, "test")


@pytest.fixture
def analyse():
    return BM25Index.build(["lava crater"]).analyse


def test_weighted_bm25_with_occurrence_counts_is_plain_bm25(tiny_corpus):
    index = BM25Index.build(list(tiny_corpus.values()))
    queries = ["cats purr when happy", "the market fell fell", "lava"]
    weights = [Counter(t) for t in index.analyse(queries)]
    assert index.search_weighted(weights, 3) == index.search(queries, 3)
    mask = np.array([1, 1, 0, 1, 1], dtype=np.float32)
    assert index.search_weighted(weights, 3, mask=mask) == index.search(queries, 3, mask=mask)
    assert index.search_weighted([{"nothing": 1.0}], 3) == [[]]


def test_neighbours_are_added_with_a_lower_weight(analyse):
    ws = space()
    ws.restrict(["guitar", "piano", "lava"])
    assert ws.neighbours("guitar", 2, 0.8) == [("piano", pytest.approx(0.9))]
    assert ws.neighbours("guitar", 2, 0.95) == [] and ws.neighbours("unknown", 2, 0.0) == []
    weights, added = neighbour_terms("the guitar", ws, analyse)
    assert added == ["piano"]
    assert weights == {"guitar": 1, "piano": pytest.approx(NEIGHBOUR_WEIGHT * 0.9)}
    assert neighbour_terms("the lava", ws, analyse) == ({"lava": 1}, [])


def test_rm3_mixes_the_query_with_the_feedback_terms(analyse):
    texts = ["lava lava crater", "lava ash", "piano"]
    weights, added = rm3_terms("lava", texts, [3.0, 1.0, 0.0], analyse)
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["lava"] > ORIGINAL_WEIGHT and set(added) == {"crater", "ash"}
    assert weights["crater"] > weights["ash"]  # more of a more relevant chunk
    assert "piano" not in weights  # its chunk scored 0
    assert rm3_terms("lava", [], [], analyse) == ({"lava": 1}, [])


def test_rocchio_moves_the_query_toward_the_feedback():
    q = np.array([1.0, 0.0], dtype=np.float32)
    moved = rocchio(q, np.array([[0.0, 1.0], [0.0, 1.0]], dtype=np.float32))
    assert np.linalg.norm(moved) == pytest.approx(1.0) and 0 < moved[1] < moved[0]
    assert np.array_equal(rocchio(q, np.zeros((0, 2), dtype=np.float32)), q)


@pytest.fixture
def index(tmp_path, monkeypatch):
    monkeypatch.setattr(understanding, "space_for", lambda embedder: space())
    return Index.build(tmp_path / "idx", DOCS, HashEmbedder())


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_neighbour_expansion_finds_the_neighbours_documents_after_the_query_s(index, mode):
    assert [h.doc_id for h in index.search("guitar", 4, mode="bm25")] == ["g1"]
    hits, seen = index.search_explained("guitar", 4, mode=mode, expand="neighbours")
    assert seen.expanded == ["piano"]
    ids = [h.doc_id for h in hits]
    assert ids.index("g1") < ids.index("p1")


def test_dense_search_is_unchanged_by_neighbours(index):
    dense = [(h.doc_id, h.score) for h in index.search("guitar", 4, mode="dense")]
    same = index.search("guitar", 4, mode="dense", expand="neighbours")
    assert [(h.doc_id, h.score) for h in same] == dense


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_prf_runs_in_every_mode(index, mode):
    hits, seen = index.search_explained("volcano", 4, mode=mode, expand="prf")
    assert hits[0].doc_id in {"v1", "v2"}
    if mode != "dense":
        assert {"lava"} <= set(seen.expanded)  # every volcano chunk has lava
        # RM3 reaches no further than the feedback chunks' words
        assert not {"piano", "guitar"} & set(seen.expanded)


def test_rocchio_uses_the_stored_vectors_or_encodes_the_texts(index, monkeypatch):
    stored = [h.doc_id for h in index.search("volcano lava", 4, mode="dense", expand="prf")]
    monkeypatch.setattr(type(index.store), "vectors_of", lambda self, rows: None)
    encoded = [h.doc_id for h in index.search("volcano lava", 4, mode="dense", expand="prf")]
    assert stored == encoded


def test_word_spaces_for_model_kinds(tiny_glove):
    from embedlab.registry import load

    glove = space_for(load(str(tiny_glove)))  # a static model: its own vectors
    assert glove.source.endswith("tiny.glove.txt") or "glove" in glove.source
    assert "guitar" in glove.row and glove.matrix.shape[1] == 8
    assert np.allclose(np.linalg.norm(glove.matrix, axis=1), 1.0, atol=1e-5)


def test_a_transformer_s_token_embeddings_give_a_space_of_whole_words(tiny_st_model):
    from embedlab.registry import load
    from embedlab.search.wordspace import _input_embeddings

    tokens = _input_embeddings(load(str(tiny_st_model), cache_dir=False))
    assert tokens is not None and tokens.matrix.shape[1] == 32
    assert "guitar" in tokens.row and not any(w.startswith(("#", "[")) for w in tokens.words)
    tokens.restrict(["guitar", "onion", "nothere"])
    assert {w for w, _ in tokens.neighbours("guitar", 5, -1.0)} == {"onion"}
