"""The parts of the recommender: field specs, content blocks, profiles, blend, top-k, the ALS
fold-in (against implicit's own) and the content map."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.errors import EmbedlabError
from embedlab.recommend.collab import (
    CollabConfig,
    fit_content_map,
    fit_factors,
    fold_in,
    interaction_matrix,
)
from embedlab.recommend.content import ContentEncoder, FieldSpec, categories_of, parse_fields
from embedlab.recommend.scoring import blend, content_scores, standardise, top_k


class WordEmbedder:
    """A deterministic stand-in: a fixed random vector per text."""

    name = "words"
    dim = 6

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.stack([np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dim)
                        for t in texts]).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_parse_fields_defaults_and_errors() -> None:
    specs = parse_fields("title,genres,description:model:2")
    assert [(f.name, f.method, f.weight) for f in specs] == [
        ("title", "words", 1.0), ("genres", "category", 1.0), ("description", "model", 2.0)]
    for bad, match in [("title:magic", "unknown method"), ("title:words:x", "must be a number"),
                       ("title:words:0", "positive"), ("", "at least one"),
                       ("title,title", "twice")]:
        with pytest.raises(EmbedlabError, match=match):
            parse_fields(bad)


def test_categories_split_on_separators_else_spaces() -> None:
    assert categories_of("Action|Sci-Fi") == ["Action", "Sci-Fi"]
    assert categories_of("Crime Film-Noir") == ["Crime", "Film-Noir"]
    assert categories_of("a, b;c") == ["a", "b", "c"]


def test_content_blocks_by_hand() -> None:
    texts = {"title": ["red car", "blue car", ""], "genres": ["A|B", "B", "C"]}
    emb = WordEmbedder()
    enc = ContentEncoder(parse_fields("title,genres:category:3"), "words")
    vectors = enc.fit(texts, emb)
    assert enc.vocab["title"] == ["blue", "car", "red"]
    idf = np.log(4 / np.array([2, 3, 2])) + 1  # smooth idf over 3 items
    np.testing.assert_allclose(enc.idf["title"], idf, rtol=1e-6)
    table = emb.encode(["blue", "car", "red"])
    title0 = idf[2] * table[2] + idf[1] * table[1]
    title0 /= np.linalg.norm(title0)
    np.testing.assert_allclose(vectors[0, :6], title0 * np.sqrt(1 / 4), rtol=1e-5)
    assert np.all(vectors[2, :6] == 0)  # an empty title is a zero block
    genres0 = np.array([1, 1, 0]) / np.sqrt(2) * np.sqrt(3 / 4)
    np.testing.assert_allclose(vectors[0, 6:], genres0, rtol=1e-6)
    # the dot product is the weighted mean of the per-field cosines
    cos_title = float(title0 @ (vectors[1, :6] / np.linalg.norm(vectors[1, :6])))
    np.testing.assert_allclose(vectors[0] @ vectors[1], (cos_title + 3 / np.sqrt(2)) / 4,
                               rtol=1e-5)


def test_new_words_and_categories_at_encode_time() -> None:
    texts = {"title": ["red car"], "genres": ["A"]}
    emb = WordEmbedder()
    enc = ContentEncoder(parse_fields("title,genres"), "words")
    enc.fit(texts, emb)
    top = float(enc.idf["title"].max())
    out = enc.encode({"title": ["green car"], "genres": ["A|Z"]}, emb)
    assert enc.vocab["title"][-1] == "green" and enc.idf["title"][-1] == top
    assert emb.calls[-1] == ["green"] and np.linalg.norm(out[0, :6]) > 0
    assert enc.unknown_categories == 1
    again = ContentEncoder.from_state(enc.fields, "words", enc.state())
    np.testing.assert_array_equal(again.encode({"title": ["green car"], "genres": ["A"]}, emb),
                                  enc.encode({"title": ["green car"], "genres": ["A"]}, emb))
    with pytest.raises(EmbedlabError, match="lack the field"):
        enc.encode({"title": ["x"]}, emb)
    with pytest.raises(EmbedlabError, match="needs the embedding model"):
        enc.encode(texts, None)


def test_profiles_by_hand() -> None:
    rng = np.random.default_rng(1)
    history, cand = rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(content_scores(history, cand, "mean"), cand @ history.mean(0),
                               rtol=1e-6)
    w = np.array([0.25, 0.5, 1.0])  # half-life 1: halves per step back
    np.testing.assert_allclose(content_scores(history, cand, "recency", half_life=1),
                               cand @ (w @ history / w.sum()), rtol=1e-5)
    sims = history @ cand.T
    att = np.exp(sims / 0.5) / np.exp(sims / 0.5).sum(0)
    np.testing.assert_allclose(content_scores(history, cand, "attention", tau=0.5),
                               (att * sims).sum(0), rtol=1e-5)
    with pytest.raises(EmbedlabError, match="history is empty"):
        content_scores(history[:0], cand)
    with pytest.raises(EmbedlabError, match="unknown profile"):
        content_scores(history, cand, "median")


def test_blend_and_top_k() -> None:
    content, collab = np.array([1.0, 2.0, 3.0]), np.array([30.0, 20.0, 10.0])
    np.testing.assert_allclose(blend(content, collab, 1.0), standardise(content))
    np.testing.assert_allclose(blend(content, collab, 0.0), standardise(collab))
    np.testing.assert_allclose(blend(content, collab, 0.5), 0.0, atol=1e-6)
    per_item = blend(content, collab, np.array([1.0, 0.0, 1.0]))
    assert per_item[0] == pytest.approx(standardise(content)[0])
    assert np.all(standardise(np.ones(4)) == 0)
    scores = np.array([0.1, 0.9, 0.5, 0.9, 0.3])
    assert top_k(scores, 3).tolist() == [1, 3, 2]
    assert top_k(scores, 3, np.array([1])).tolist() == [3, 2, 4]
    assert top_k(scores, 10, np.array([0, 1, 2, 3])).tolist() == [4]


def test_fold_in_matches_implicit_recalculate_user() -> None:
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    users, items = rng.integers(0, 20, 200), rng.integers(0, 30, 200)
    matrix = interaction_matrix(users, items, 20, 30, confidence=5.0)
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(factors=6, iterations=5, regularization=0.1,
                                        random_state=0)
        model.fit(matrix, show_progress=False)
    row = matrix[3]
    expected = model.recalculate_user(3, row)
    ours = fold_in(np.asarray(model.item_factors), row.indices, confidence=5.0,
                   regularization=0.1)
    np.testing.assert_allclose(ours, np.asarray(expected).ravel(), rtol=1e-3, atol=1e-4)


def test_fit_factors_and_content_map() -> None:
    rng = np.random.default_rng(0)
    users, items = rng.integers(0, 15, 120), rng.integers(0, 12, 120)
    matrix = interaction_matrix(users, items, 15, 12, confidence=10.0)
    assert matrix.max() == 10.0  # duplicates are one interaction
    user_f, item_f = fit_factors(matrix, CollabConfig(factors=4, iterations=5))
    assert user_f.shape == (15, 4) and item_f.shape == (12, 4)
    bpr_users, _ = fit_factors(matrix, CollabConfig(algorithm="bpr", factors=4, iterations=2))
    assert bpr_users.shape[0] == 15
    with pytest.raises(EmbedlabError, match="unknown collaborative algorithm"):
        fit_factors(matrix, CollabConfig(algorithm="svd"))
    content = rng.normal(size=(12, 5)).astype(np.float32)
    target = content @ rng.normal(size=(5, 4)).astype(np.float32) + 0.5
    coef, intercept, penalty = fit_content_map(content, target)
    assert penalty == 0.1  # exact linear data: the smallest penalty fits best
    np.testing.assert_allclose(content @ coef + intercept, target, atol=0.1)
    with pytest.raises(EmbedlabError, match="at least two items"):
        fit_content_map(content[:1], target[:1])


def test_field_spec_str() -> None:
    assert str(FieldSpec("title", "words", 2)) == "title:words:2"
