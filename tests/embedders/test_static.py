from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab.embedders.static import WordVectorEmbedder
from embedlab.errors import EmbedlabError


def _glove_rows(path: Path) -> dict[str, np.ndarray]:
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, *vals = line.split()
        rows[word] = np.array(vals, dtype=np.float32)
    return rows


def test_glove_text_mean_pooling_and_oov(tiny_glove: Path):
    model = embedlab.load(tiny_glove)
    rows = _glove_rows(tiny_glove)
    result = model.embed(["The dog runs zzzunknown", ""], normalize=False)
    expected = (rows["the"] + rows["dog"] + rows["runs"]) / 3
    np.testing.assert_allclose(result.vectors[0], expected, atol=1e-5)
    assert result.stats.oov_tokens == 1
    assert np.all(result.vectors[1] == 0)  # no known word: the zero vector, not NaN
    assert np.isfinite(model.encode(["", "zzz"])).all()


def test_sif_weights_frequent_words_down(tiny_glove: Path):
    model = embedlab.load(tiny_glove, pooling="sif")
    rows = _glove_rows(tiny_glove)
    vec = model.encode(["the guitar"], normalize=False)[0]
    w_the, w_guitar = model.sif_weights[model.vocab["the"]], model.sif_weights[
        model.vocab["guitar"]]
    assert w_the < w_guitar
    expected = (rows["the"] * w_the + rows["guitar"] * w_guitar) / (w_the + w_guitar)
    np.testing.assert_allclose(vec, expected, atol=1e-5)


def test_word2vec_header_binary_and_fasttext_vec(tmp_path: Path, tiny_glove: Path):
    from gensim.models import KeyedVectors

    rows = _glove_rows(tiny_glove)
    kv = KeyedVectors(vector_size=8)
    kv.add_vectors(list(rows), np.vstack(list(rows.values())))
    kv.save_word2vec_format(str(tmp_path / "w.bin"), binary=True)
    kv.save_word2vec_format(str(tmp_path / "w.vec"), binary=False)
    kv.save(str(tmp_path / "w.kv"))
    expected = embedlab.load(tiny_glove).encode(["man plays guitar"])
    for name in ("w.bin", "w.vec", "w.kv"):
        got = embedlab.load(tmp_path / name).encode(["man plays guitar"])
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_bad_word_vector_input(tmp_path: Path):
    bad = tmp_path / "bad.txt"
    bad.write_text("word 1.0 x\nother 2.0\n", encoding="utf-8")
    with pytest.raises(EmbedlabError, match="bad.txt"):
        embedlab.load(bad)
    with pytest.raises(EmbedlabError, match="pooling"):
        WordVectorEmbedder(["a"], np.ones((1, 2)), name="x", pooling="max")
    with pytest.raises(EmbedlabError, match="do not match"):
        WordVectorEmbedder(["a", "b"], np.ones((1, 2)), name="x")


def test_case_is_detected_from_vocabulary():
    upper = WordVectorEmbedder(["Paris", "paris"], np.eye(2), name="cased")
    lower = WordVectorEmbedder(["paris"], np.eye(1), name="lower")
    assert upper.lowercase is False and lower.lowercase is True
    assert upper.encode(["Paris"])[0].tolist() == [1.0, 0.0]
