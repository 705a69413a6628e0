"""The Embedder contract: defaults on the base class, and the shared path for any hashable input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from embedlab.embedders.base import BaseEmbedder, Embedder, Kind
from embedlab.errors import EmbedlabError


class Words(BaseEmbedder):
    """A text backend with nothing but the two required hooks."""

    name, dim = "words", 3

    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        return texts

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        return np.array([[len(t), 1, 0] for t in items], dtype=np.float32)


class Nodes(BaseEmbedder):
    """A non-text backend: graph node ids (ints) looked up in a table."""

    name, dim, modality = "nodes", 2, "node"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: list[int] = []

    def _check_item(self, item: Any) -> str | None:
        return None if isinstance(item, int) else f"is {type(item).__name__}, expected a node id"

    def _item_bytes(self, item: Any) -> bytes:
        return str(item).encode()

    def _prepare(self, items: list[Any], kind: Kind) -> list[Any]:
        return [str(i) for i in items]

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        self.seen += [int(i) for i in items]
        return np.array([[int(i), 1.0] for i in items], dtype=np.float32)


def test_the_base_class_meets_the_contract_with_defaults():
    model = Words(cache_dir=False)
    assert isinstance(model, Embedder)
    assert (model.modality, model.window, model.tokenizer, model.workers) == ("text", None,
                                                                               None, 1)
    assert model.count_tokens(["a b c", "", "one"]) == [3, 1, 1]
    assert model.reserved_tokens("query") == 0
    assert model.enable_packing() is False
    model.set_workers(2)
    assert model.workers == 2
    with pytest.raises(EmbedlabError, match="at least 1"):
        model.set_workers(0)
    assert model.fingerprint == model.config_key() == "Words|words|3|truncate"


def test_text_inputs_are_checked_as_before():
    model = Words(cache_dir=False)
    with pytest.raises(EmbedlabError, match="not a single string"):
        model.encode("one text")
    with pytest.raises(EmbedlabError, match="text 1 is int, expected str"):
        model.encode(["fine", 3])


def test_any_hashable_input_takes_the_whole_shared_path(tmp_path):
    model = Nodes(cache_dir=tmp_path)
    first = model.encode([3, 5, 3], normalize=False)
    assert model.seen == [3, 5]  # a repeated input is encoded once
    assert np.allclose(first, [[3, 1], [5, 1], [3, 1]])
    again = Nodes(cache_dir=tmp_path)
    result = again.embed([5, 3], normalize=False)
    assert again.seen == [] and result.stats.cache_hits == 2  # the cache keys on node ids
    assert np.allclose(result.vectors, [[5, 1], [3, 1]])
    with pytest.raises(EmbedlabError, match="node input 0 is str, expected a node id"):
        model.encode(["3"])


def test_another_modality_must_say_what_the_cache_keys_on(tmp_path):
    class Unkeyed(Nodes):
        def _item_bytes(self, item: Any) -> bytes:
            return BaseEmbedder._item_bytes(self, item)

    with pytest.raises(NotImplementedError, match="_item_bytes"):
        Unkeyed(cache_dir=tmp_path).encode([1])
    assert Unkeyed(cache_dir=False).encode([1]).shape == (1, 2)  # no cache, no key needed


def test_an_unknown_modality_is_refused():
    class Sounds(Words):
        modality = "sound"

    with pytest.raises(EmbedlabError, match="unknown modality 'sound'"):
        Sounds(cache_dir=False)
