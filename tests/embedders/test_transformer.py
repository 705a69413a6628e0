from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab.embedders.base import l2_normalize
from embedlab.errors import EmbedlabError

TEXTS = ["A man is playing a guitar.", "A woman is slicing an onion.", "The dog runs in the park.",
         "", "red car on a fast road", "A man is playing a guitar."]


def test_matches_sentence_transformers_on_tiny_model(tiny_st_model: Path):
    from sentence_transformers import SentenceTransformer

    ours = embedlab.load(tiny_st_model).encode(TEXTS, batch_size=2)
    ref = SentenceTransformer(str(tiny_st_model), device="cpu").encode(
        TEXTS, batch_size=2, normalize_embeddings=True)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 32)
    assert np.min(np.sum(ours * ref, axis=1)) >= 0.9999


def test_reads_sentence_transformers_layout(tiny_st_model: Path):
    model = embedlab.load(tiny_st_model)
    assert model.window == 32 and model.pooling.value == "mean" and model.dim == 32


def test_plain_hf_folder_loads_with_defaults(tiny_hf_bert: Path):
    model = embedlab.load(tiny_hf_bert)
    assert model.pooling.value == "mean" and model.window == 64


@pytest.mark.parametrize("pooling", ["cls", "max", "weighted-mean", "last"])
def test_poolings_differ_from_mean(tiny_st_model: Path, pooling: str):
    mean = embedlab.load(tiny_st_model).encode(TEXTS[:3])
    other = embedlab.load(tiny_st_model, pooling=pooling).encode(TEXTS[:3])
    assert not np.allclose(mean, other, atol=1e-3)
    assert np.isfinite(other).all()


def test_cls_pooling_is_first_token_state(tiny_hf_bert: Path):
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_hf_bert)
    hf = AutoModel.from_pretrained(tiny_hf_bert).eval()
    with torch.no_grad():
        ref = hf(**tok(TEXTS[:2], padding=True, return_tensors="pt")).last_hidden_state[:, 0]
    ours = embedlab.load(tiny_hf_bert, pooling="cls").encode(TEXTS[:2], normalize=False)
    np.testing.assert_allclose(ours, ref.numpy(), atol=1e-5)


def test_order_restored_and_duplicates_encoded_once(tiny_st_model: Path):
    model = embedlab.load(tiny_st_model, cache_dir=False)
    result = model.embed(TEXTS, batch_size=2)
    single = np.vstack([model.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(result.vectors, single, atol=1e-5)
    assert result.stats.unique == len(set(TEXTS)) and result.stats.encoded == len(set(TEXTS))


def test_empty_string_has_a_defined_vector(tiny_st_model: Path):
    vec = embedlab.load(tiny_st_model).encode(["", " "])
    assert np.isfinite(vec).all()
    assert np.allclose(np.linalg.norm(vec, axis=1), 1.0, atol=1e-5)


def test_no_normalize_keeps_lengths(tiny_st_model: Path):
    raw = embedlab.load(tiny_st_model).encode(TEXTS[:3], normalize=False)
    assert not np.allclose(np.linalg.norm(raw, axis=1), 1.0)
    np.testing.assert_allclose(l2_normalize(raw),
                               embedlab.load(tiny_st_model).encode(TEXTS[:3]), atol=1e-6)


def test_long_texts_truncated_and_counted(tiny_st_model: Path):
    long_text = "the dog runs in the park " * 40  # ~240 tokens, window 32
    result = embedlab.load(tiny_st_model).embed([long_text, "short"])
    assert result.stats.truncated == 1 and result.stats.chunked == 0
    cut = embedlab.load(tiny_st_model).encode(["the dog runs in the park " * 5])
    # the first 30 content tokens equal the text cut at the window
    assert np.sum(result.vectors[0] * cut[0]) > 0.99


def test_long_texts_chunked_are_mean_of_pieces(tiny_st_model: Path):
    model = embedlab.load(tiny_st_model, long="chunk", cache_dir=False)
    text = " ".join(["music"] * 45)  # 45 content tokens: pieces of 30 and 15
    result = model.embed([text], normalize=False)
    assert result.stats.chunked == 1 and result.stats.truncated == 0
    pieces = model.encode([" ".join(["music"] * 30), " ".join(["music"] * 15)], normalize=False)
    expected = (pieces[0] * 32 + pieces[1] * 17) / (32 + 17)  # weighted by piece length
    np.testing.assert_allclose(result.vectors[0], expected, atol=1e-5)


def test_huge_text_does_not_blow_up(tiny_st_model: Path):
    vec = embedlab.load(tiny_st_model).encode(["onion " * 2_000_000])
    assert vec.shape == (1, 32) and np.isfinite(vec).all()


def test_cache_makes_second_pass_free_and_separates_configs(tiny_st_model: Path, tmp_path: Path):
    first = embedlab.load(tiny_st_model, cache_dir=tmp_path).embed(TEXTS)
    second = embedlab.load(tiny_st_model, cache_dir=tmp_path).embed(TEXTS)
    assert first.stats.cache_hits == 0 and second.stats.cache_hits == len(set(TEXTS))
    assert second.stats.encoded == 0
    np.testing.assert_array_equal(first.vectors, second.vectors)
    cls = embedlab.load(tiny_st_model, pooling="cls", cache_dir=tmp_path).embed(TEXTS)
    assert cls.stats.cache_hits == 0
    query = embedlab.load(tiny_st_model, cache_dir=tmp_path).embed(TEXTS, kind="query")
    assert query.stats.cache_hits == 0


def test_query_and_document_prompts(tiny_st_model: Path):
    model = embedlab.load(tiny_st_model, prompts={"query": "query: ", "document": "passage: "})
    q = model.encode(["dog runs"], kind="query")
    d = model.encode(["dog runs"], kind="document")
    plain = embedlab.load(tiny_st_model, prompts={}).encode(["query: dog runs"])
    assert not np.allclose(q, d)
    np.testing.assert_allclose(q, plain, atol=1e-6)


def test_bad_arguments_are_clear_errors(tiny_st_model: Path):
    with pytest.raises(EmbedlabError, match="pooling"):
        embedlab.load(tiny_st_model, pooling="median")
    with pytest.raises(EmbedlabError, match="long-text mode"):
        embedlab.load(tiny_st_model, long="fold")
    model = embedlab.load(tiny_st_model)
    with pytest.raises(EmbedlabError, match="sequence of strings"):
        model.encode("one string")
    with pytest.raises(EmbedlabError, match="text 1 is int"):
        model.encode(["ok", 3])
    with pytest.raises(EmbedlabError, match="kind"):
        model.encode(["ok"], kind="passage")
