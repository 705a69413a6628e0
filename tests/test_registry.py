"""The one resolver (local path, installed package, hub) and the KINDS loader table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from embedlab import registry
from embedlab.embedders.adapter import ForeignEmbedder
from embedlab.embedders.manifest import MANIFEST
from embedlab.errors import EmbedlabError
from embedlab.named_models import DEFAULT_MODEL, MODELS


def test_a_local_folder_resolves_by_its_layout(tiny_st_model: Path, tiny_decoder: Path,
                                               tiny_glove: Path):
    assert registry.resolve(tiny_st_model).kind == "transformer"
    assert registry.resolve(tiny_st_model).folder == tiny_st_model
    assert registry.resolve(tiny_st_model).label == tiny_st_model.name
    assert registry.resolve(tiny_decoder).kind == "decoder"
    resolved = registry.resolve(tiny_glove)
    assert resolved.kind == "static" and resolved.files == {"file": tiny_glove}
    with pytest.raises(EmbedlabError, match="static model, not a model folder"):
        _ = resolved.folder


def test_folders_embedlab_wrote_resolve_by_their_manifest(tmp_path: Path):
    for manifest_kind, kind in (("onnx", "onnx-export"), ("static", "trained-static"),
                                ("doc2vec", "trained-static")):
        folder = tmp_path / manifest_kind
        folder.mkdir()
        (folder / MANIFEST).write_text(json.dumps({"kind": manifest_kind}), encoding="utf-8")
        assert registry.resolve(folder).kind == kind
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / MANIFEST).write_text('{"kind": "sound"}', encoding="utf-8")
    with pytest.raises(EmbedlabError, match="unknown model kind 'sound'"):
        registry.resolve(odd)


def test_a_named_model_resolves_to_its_package_files():
    resolved = registry.resolve("minilm-onnx")
    assert resolved.kind == "onnx" and resolved.label == "minilm-onnx"
    assert set(resolved.files) == {"model", "tokenizer"}
    assert resolved.defaults == {"max_length": 256}  # the graph's window unless given
    assert registry.resolve().label == DEFAULT_MODEL


def test_an_unknown_name_is_one_line():
    with pytest.raises(EmbedlabError, match="not a path, not one of minilm"):
        registry.resolve("no-such-model")


def test_every_kind_has_a_loader_in_embedders():
    kinds = {spec.kind for spec in MODELS.values()} | {"onnx-export", "trained-static"}
    assert kinds <= set(registry.KINDS)
    import importlib

    for kind in registry.KINDS.values():
        module = importlib.import_module(f"embedlab.embedders.{kind.module}")
        assert callable(getattr(module, kind.function))


def test_options_are_checked_against_the_kind(tiny_st_model: Path, tiny_glove: Path):
    assert registry.accepts("onnx", "threads") and not registry.accepts("transformer", "threads")
    with pytest.raises(EmbedlabError, match="option --threads does not apply"):
        registry.load(tiny_st_model, threads=2)
    with pytest.raises(EmbedlabError, match="option --max-length does not apply"):
        registry.load(tiny_glove, max_length=8)
    model = registry.load(registry.resolve(tiny_st_model), pooling="cls", cache_dir=False)
    assert model.pooling.value == "cls" and model.name == tiny_st_model.name


def test_to_embedder_loads_names_and_wraps_objects(tiny_glove: Path):
    loaded = registry.to_embedder(tiny_glove, cache_dir=False)
    assert loaded.dim > 0 and loaded is not None

    class Mine:
        name, dim = "mine", 2

        def encode(self, texts, **kwargs):
            return np.ones((len(texts), 2), dtype=np.float32)

    wrapped = registry.to_embedder(Mine())
    assert isinstance(wrapped, ForeignEmbedder) and wrapped.encode(["a"]).shape == (1, 2)
    assert registry.to_embedder(loaded) is loaded
