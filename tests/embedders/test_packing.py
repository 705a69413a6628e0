"""Packed, padding-free passes give the vectors of padded passes; worker threads too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from embedlab.embedders.decoder import load_decoder
from embedlab.embedders.packing import PackLayout, pack_groups
from embedlab.embedders.transformer import load_transformer
from embedlab.errors import EmbedlabError

TEXTS = ["a", "the man plays guitar", "slicing onion for the food " * 6, "a red car",
         "music in the park with friends and a guitar", "x y", "food"]


def test_layout_maps_packed_tokens_to_a_right_padded_grid() -> None:
    layout = PackLayout.of([3, 1, 2])
    assert layout.longest == 3
    assert layout.bounds == ((0, 3), (3, 4), (4, 6))
    assert layout.position_ids().tolist() == [[0, 1, 2, 0, 0, 1]]
    grid = layout.pad(torch.arange(1, 7, dtype=torch.float32)[:, None])[..., 0]
    assert grid.tolist() == [[1, 2, 3], [4, 0, 0], [5, 6, 0]]
    assert layout.mask.tolist() == [[True, True, True], [True, False, False],
                                    [True, True, False]]
    causal = layout.attention_mask(causal=True)[2, 0]
    assert causal.tolist() == [[True, False, False], [True, True, False], [True, True, False]]


def test_pack_groups_respect_the_token_budget() -> None:
    assert pack_groups([5, 4, 3, 2, 1], budget=7) == [[0], [1, 2], [3, 4]]
    assert pack_groups([10, 1], budget=4) == [[0], [1]]  # a long text gets its own pass


@pytest.mark.parametrize("pooling", ["mean", "cls", "max"])
def test_packed_vectors_equal_padded_ones(tiny_st_model: Path, pooling: str) -> None:
    model = load_transformer(tiny_st_model, pooling=pooling, cache_dir=False)
    padded = model.encode(TEXTS, batch_size=7)
    assert model.enable_packing()
    packed = model.encode(TEXTS, batch_size=7)
    np.testing.assert_allclose(packed, padded, atol=1e-5)
    assert model.model.config._attn_implementation.startswith("embedlab_packed_")


def test_packed_grid_attention_for_many_texts(tiny_st_model: Path) -> None:
    model = load_transformer(tiny_st_model, cache_dir=False)
    texts = [f"text number {i} " + "word " * (i % 9) for i in range(80)]  # > 64: padded grid
    padded = model.encode(texts, batch_size=80)
    assert model.enable_packing()
    model.pack_tokens = 10_000  # all 80 in one pass
    np.testing.assert_allclose(model.encode(texts, batch_size=80), padded, atol=1e-5)


def test_a_batch_over_the_token_budget_is_packed_in_several_passes(
        tiny_st_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_transformer(tiny_st_model, cache_dir=False)
    padded = model.encode(TEXTS, batch_size=7)
    assert model.enable_packing()
    model.pack_tokens = 12
    passes: list[tuple[int, int]] = []  # (tokens, texts) of each forward pass
    forward = model.model.forward

    def counting(*args, **kwargs):
        starts = int((kwargs["position_ids"] == 0).sum())
        passes.append((kwargs["input_ids"].shape[1], starts))
        return forward(*args, **kwargs)

    monkeypatch.setattr(model.model, "forward", counting)
    np.testing.assert_allclose(model.encode(TEXTS, batch_size=7), padded, atol=1e-5)
    assert len(passes) >= 3 and sum(n for _, n in passes) == len(TEXTS)
    assert all(tokens <= 12 or texts == 1 for tokens, texts in passes)  # long ones alone
    assert any(texts > 1 for _, texts in passes)


def test_a_causal_decoder_packs_with_causal_attention(tiny_decoder: Path) -> None:
    model = load_decoder(tiny_decoder, cache_dir=False)
    padded = model.encode(TEXTS, batch_size=7)  # left padding, last-token pooling
    assert model.enable_packing()  # RoPE positions restart per text; attention is causal
    np.testing.assert_allclose(model.encode(TEXTS, batch_size=7), padded, atol=1e-4)


def test_a_model_whose_outputs_change_is_switched_back(tiny_st_model: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_transformer(tiny_st_model, cache_dir=False)
    before = model.model.config._attn_implementation
    monkeypatch.setattr(model, "_packing_gap", lambda: 0.5)
    assert not model.enable_packing()
    assert model.model.config._attn_implementation == before
    assert not model.packing


def test_worker_threads_give_the_same_vectors(tiny_st_model: Path) -> None:
    model = load_transformer(tiny_st_model, cache_dir=False)
    texts = [f"sentence {i} about " + "things " * (i % 7) for i in range(50)]
    model.set_workers(1)
    one = model.encode(texts, batch_size=4)
    model.set_workers(3)
    assert model.workers == 3 and model.threads_per_worker >= 1
    np.testing.assert_allclose(model.encode(texts, batch_size=4), one, atol=1e-6)


def test_workers_come_from_the_environment(tiny_st_model: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDLAB_WORKERS", "1")
    assert load_transformer(tiny_st_model, cache_dir=False).workers == 1
    monkeypatch.setenv("EMBEDLAB_WORKERS", "many")
    with pytest.raises(EmbedlabError, match="EMBEDLAB_WORKERS"):
        load_transformer(tiny_st_model, cache_dir=False)
