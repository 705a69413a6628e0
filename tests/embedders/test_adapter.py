"""as_embedder: an object from elsewhere meets the whole Embedder contract, keeping what it has."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.embedders.adapter import ForeignEmbedder, as_embedder
from embedlab.embedders.base import BaseEmbedder, Embedder
from embedlab.errors import EmbedlabError


class Plain:
    """Only name, dim and encode, as a user's own class might have."""

    name = "plain"
    dim = 4

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], bool, str]] = []

    def encode(self, texts, *, batch_size=32, normalize=True, kind="document", progress=False):
        self.calls.append((list(texts), normalize, kind))
        return np.array([[len(t), 1.0, 0.0, 0.0] for t in texts], dtype=np.float32)


class Declared(Plain):
    """A foreign model that declares more of the contract."""

    window = 16
    tokenizer = object()

    def config_key(self) -> str:
        return "declared|v2"

    def count_tokens(self, texts, kind="document"):
        return [len(t) for t in texts]


def test_a_base_embedder_is_returned_as_it_is(tiny_st_model):
    from embedlab.registry import load

    model = load(str(tiny_st_model), cache_dir=False)
    assert as_embedder(model) is model


def test_a_plain_object_gets_the_contract_defaults():
    inner = Plain()
    model = as_embedder(inner)
    assert isinstance(model, ForeignEmbedder) and isinstance(model, BaseEmbedder)
    assert isinstance(model, Embedder)
    assert (model.name, model.dim, model.modality, model.window) == ("plain", 4, "text", None)
    assert model.tokenizer is None
    assert model.fingerprint == "Plain|plain|4"  # the key search indexes recorded before
    assert model.count_tokens(["two words", "x"]) == [2, 1]
    vectors = model.encode(["ab", "abcd", "ab"], kind="query")
    # normalised here; the object is asked for raw vectors, once per distinct text
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.allclose(vectors[0], vectors[2])
    assert inner.calls == [(["abcd", "ab"], False, "query")] or \
        inner.calls == [(["ab", "abcd"], False, "query")]


def test_what_the_object_declares_is_kept():
    inner = Declared()
    model = as_embedder(inner)
    assert model.fingerprint == "declared|v2"
    assert model.window == 16 and model.tokenizer is inner.tokenizer
    assert model.count_tokens(["abc", "a"]) == [3, 1]


def test_two_objects_that_differ_only_in_identity_keep_different_fingerprints():
    class Other(Declared):
        def config_key(self) -> str:
            return "declared|v3"

    assert as_embedder(Declared()).fingerprint != as_embedder(Other()).fingerprint


def test_foreign_vectors_are_never_cached():
    inner = Plain()
    model = as_embedder(inner)
    model.encode(["same"])
    model.encode(["same"])
    assert len(inner.calls) == 2 and model.cache is None


@pytest.mark.parametrize("thing", [object(), "minilm-as-a-string-object", 3])
def test_what_is_not_a_model_is_refused_in_one_line(thing):
    with pytest.raises(EmbedlabError, match="neither a model name nor an Embedder"):
        as_embedder(thing)
