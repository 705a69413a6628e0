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
