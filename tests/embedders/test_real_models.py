"""Real weights from installed packages: the registry's promises, checked on real sentences."""

from __future__ import annotations

import numpy as np
import pytest

import embedlab
from embedlab.named_models import MODELS

pytestmark = pytest.mark.real_model


def _need(name: str) -> None:
    if not MODELS[name].available():
        pytest.skip(f"{name} is not installed")


def test_minilm_matches_sentence_transformers(stsb_sentences: list[str]):
    _need("minilm")
    from sentence_transformers import SentenceTransformer

    texts = stsb_sentences[:600]
    ours = embedlab.load("minilm").encode(texts, batch_size=32)
    folder = MODELS["minilm"].locate()["folder"]
    ref = SentenceTransformer(str(folder), device="cpu").encode(
        texts, batch_size=32, normalize_embeddings=True)
    assert np.min(np.sum(ours * ref, axis=1)) >= 0.9999


def test_minilm_cls_and_mean_differ(stsb_sentences: list[str]):
    _need("minilm")
    mean = embedlab.load("minilm").encode(stsb_sentences[:20])
    cls = embedlab.load("minilm", pooling="cls").encode(stsb_sentences[:20])
    assert np.mean(np.sum(mean * cls, axis=1)) < 0.95


@pytest.mark.parametrize("name", ["minilm-onnx", "minilm-onnx-int8"])
def test_onnx_minilm_close_to_torch(name: str, stsb_sentences: list[str]):
    _need("minilm")
    _need(name)
    texts = stsb_sentences[:300]
    torch_vecs = embedlab.load("minilm").encode(texts)
    onnx_vecs = embedlab.load(name).encode(texts)
    cos = np.sum(torch_vecs * onnx_vecs, axis=1)
    assert cos.min() >= (0.9999 if name == "minilm-onnx" else 0.97)


@pytest.mark.parametrize(("name", "dim"), [("glove-50", 50), ("e5-multilingual", 384),
                                           ("minilm-l3", 384), ("static-multilingual", 64),
                                           ("smollm2", 576)])
def test_registry_dims_and_finite_vectors(name: str, dim: int):
    _need(name)
    model = embedlab.load(name)
    vecs = model.encode(["A man is playing a guitar.", "这是一个测试句子", ""])
    assert model.dim == dim and vecs.shape == (3, dim) and vecs.dtype == np.float32
    assert np.isfinite(vecs).all()


def test_similar_sentences_score_higher_with_every_model():
    pair = ["A man is playing a guitar.", "A man plays the guitar."]
    other = ["The stock market fell sharply today."]
    for name, spec in MODELS.items():
        if not spec.available() or name == "smollm2":  # smollm2 tested above; slow to load
            continue
        if spec.kind == "image":  # takes image files (tests/embedders/test_image.py)
            continue
        v = embedlab.load(name).encode(pair + other)
        assert v[0] @ v[1] > v[0] @ v[2], name


def test_e5_counts_long_texts_as_chunked():
    _need("e5-multilingual")
    result = embedlab.load("e5-multilingual").embed(["word " * 800, "short"])
    assert result.stats.chunked == 1 and result.stats.truncated == 0
