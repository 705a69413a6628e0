from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab.errors import EmbedlabError
from embedlab.train.distill import corpus_vocabulary, distill_static


def test_distilled_tiny_model_loads_as_static_embedder(tmp_path: Path, tiny_st_model: Path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("guitar music guitar\nzebra zebra quokka quokka\n")
    assert corpus_vocabulary(corpus) == ["guitar", "zebra", "quokka"]
    report = distill_static(str(tiny_st_model), tmp_path / "s", pca_dims=8,
                            vocabulary_corpus=corpus)
    assert report.dim == 8 and report.added_words == 3
    model = embedlab.load(tmp_path / "s")
    vecs = model.encode(["the dog runs", "zebra quokka", ""])
    assert vecs.shape == (3, 8) and np.isfinite(vecs).all()
    assert type(model).__name__ == "Model2VecEmbedder"


def test_distill_refuses_non_transformers(tmp_path: Path, tiny_glove: Path):
    with pytest.raises(EmbedlabError, match="fine-tuning needs a transformer|transformer"):
        distill_static(str(tiny_glove), tmp_path / "x")


def test_refinement_pulls_static_vectors_towards_the_teacher(tmp_path: Path,
                                                             tiny_st_model: Path):
    words = "the dog cat park music guitar onion food car road red blue fast slow man".split()
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(words, 6)) for _ in range(400)]
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(texts) + "\n")
    plain = distill_static(str(tiny_st_model), tmp_path / "plain", pca_dims=16)
    refined = distill_static(str(tiny_st_model), tmp_path / "refined", pca_dims=16,
                             refine_corpus=corpus)
    assert plain.refined_on == 0 and refined.refined_on == len(set(texts))
    teacher = embedlab.load(tiny_st_model).encode(texts[:100])
    sims = {}
    for name in ("plain", "refined"):
        static = embedlab.load(tmp_path / name).encode(texts[:100])
        # agreement of the pairwise similarity structure with the teacher's
        sims[name] = np.corrcoef((static @ static.T).ravel(), (teacher @ teacher.T).ravel())[0, 1]
    assert sims["refined"] > sims["plain"]
    (tmp_path / "few.txt").write_text("a\nb\n")
    with pytest.raises(EmbedlabError, match="at least 100 distinct texts"):
        distill_static(str(tiny_st_model), tmp_path / "x", refine_corpus=tmp_path / "few.txt")
