from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import embedlab
from embedlab.embedders.pooling import Pooling, pool


def test_decoder_is_detected_and_pads_left(tiny_decoder: Path):
    model = embedlab.load(tiny_decoder)
    assert model.padding_side == "left" and model.pooling is Pooling.LAST
    assert model.append_id == 1  # EOS appended so the last token reads the whole text


def test_last_token_is_independent_of_padding(tiny_decoder: Path):
    model = embedlab.load(tiny_decoder, cache_dir=False)
    texts = ["dog", "the man is playing the guitar in the park"]
    batched = model.encode(texts, batch_size=2)
    alone = np.vstack([model.encode([t]) for t in texts])
    np.testing.assert_allclose(batched, alone, atol=1e-4)


def test_mean_pooling_and_instruction(tiny_decoder: Path):
    last = embedlab.load(tiny_decoder).encode(["dog runs"])
    mean = embedlab.load(tiny_decoder, pooling="mean").encode(["dog runs"])
    assert not np.allclose(last, mean, atol=1e-3)
    instructed = embedlab.load(tiny_decoder, instruction="find a dog")
    assert not np.allclose(instructed.encode(["dog runs"], kind="query"),
                           instructed.encode(["dog runs"], kind="document"))


def test_pooling_under_left_and_right_padding():
    hidden = torch.arange(2 * 4 * 2, dtype=torch.float32).reshape(2, 4, 2)
    right = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]])
    left = torch.tensor([[0, 1, 1, 1], [1, 1, 1, 1]])
    assert pool(hidden, right, Pooling.LAST)[0].tolist() == hidden[0, 2].tolist()
    assert pool(hidden, left, Pooling.LAST)[0].tolist() == hidden[0, 3].tolist()
    assert pool(hidden, left, Pooling.CLS)[0].tolist() == hidden[0, 1].tolist()
    assert pool(hidden, right, Pooling.MEAN)[0].tolist() == hidden[0, :3].mean(0).tolist()
    assert pool(hidden, right, Pooling.MAX)[0].tolist() == hidden[0, 2].tolist()
    weights = torch.tensor([1.0, 2.0, 3.0])
    expected = (hidden[0, :3] * weights[:, None]).sum(0) / weights.sum()
    assert torch.allclose(pool(hidden, right, Pooling.WEIGHTED_MEAN)[0], expected)


def test_gguf_conversion_appears_complete_or_not_at_all(tiny_decoder: Path, tmp_path: Path,
                                                        monkeypatch):
    """convert_gguf writes through a staged folder: a failure leaves nothing behind."""
    import transformers

    from embedlab.embedders import decoder

    gguf = tmp_path / "src" / "model.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"GGUF not really")
    monkeypatch.setenv("EMBEDLAB_MODEL_DIR", str(tmp_path / "store"))
    real_tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_decoder)
    real_model = transformers.AutoModelForCausalLM.from_pretrained(tiny_decoder)

    class Fails:
        @staticmethod
        def from_pretrained(*args, **kwargs):
            raise ImportError("no gguf package")

    monkeypatch.setattr(transformers, "AutoModelForCausalLM", Fails)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained",
                        staticmethod(lambda *a, **k: real_tokenizer))
    with pytest.raises(decoder.EmbedlabError, match="needs more packages"):
        decoder.convert_gguf(gguf.parent, gguf.name)
    assert list((tmp_path / "store").iterdir()) == []  # no partial folder, no temp folder

    class Works:
        @staticmethod
        def from_pretrained(*args, **kwargs):
            return real_model

    monkeypatch.setattr(transformers, "AutoModelForCausalLM", Works)
    target = decoder.convert_gguf(gguf.parent, gguf.name)
    assert (target / "config.json").is_file() and target.parent == tmp_path / "store"
    assert [p.name for p in (tmp_path / "store").iterdir()] == [target.name]
    assert decoder.convert_gguf(gguf.parent, gguf.name) == target  # converted once
