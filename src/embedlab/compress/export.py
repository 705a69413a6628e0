"""Export a transformer encoder to ONNX, fuse its graph, and quantize it to int8.

Steps, each from the field's tools: ``torch.onnx.export`` (TorchScript exporter, dynamic batch
and sequence axes) of the model loaded with eager attention, so that onnxruntime's transformer
optimizer can fuse attention, embedding and layer-norm blocks; then onnxruntime's dynamic int8
quantization (per-channel weights, MatMul and Attention). The folder gets the graph, the
tokenizer and an ``embedlab.json`` manifest (pooling, window, prompts), so
``embedlab.load(DIR)`` gives an ONNX Embedder with the same settings as the source model.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.manifest import write_manifest
from embedlab.embedders.onnx import load_onnx_folder
from embedlab.errors import EmbedlabError
from embedlab.files import staged_folder

# Model types whose graphs onnxruntime's "bert" optimizer knows how to fuse.
_FUSABLE = {"bert", "roberta", "xlm-roberta", "camembert", "electra", "mpnet", "distilbert"}
_CHECK_TEXTS = [
    "A man is playing a guitar.",
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Quantization trades a little accuracy for a lot of speed.",
    "",
]


@dataclass
class ExportReport:
    """What an export produced and how close it stays to the source model."""

    out_dir: str
    model: str
    int8: bool
    fused: bool
    bytes: int
    seconds: float
    min_cosine_to_source: float


def _require_onnx() -> None:
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise EmbedlabError("exporting to ONNX needs the export extra: "
                            "pip install 'embedlab[export]' (onnx, onnxscript)") from None


def _source_of(model: str) -> tuple[Path, Any]:
    """The local folder of a transformer model and its loaded Embedder."""
    from embedlab.embedders.transformer import TransformerEmbedder
    from embedlab.registry import load, resolve

    resolved = resolve(model)
    embedder = load(resolved, cache_dir=False)
    if not isinstance(embedder, TransformerEmbedder) or embedder.padding_side != "right":
        raise EmbedlabError(f"{model!r} is not a transformer encoder; only encoders export "
                            "to ONNX here")
    return resolved.folder, embedder


class _HiddenStates:
    """Wraps a Hugging Face encoder so the exported graph returns only token vectors."""

    def __new__(cls, model: Any) -> Any:
        import torch

        class Wrapper(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
                return self.model(input_ids=input_ids,
                                  attention_mask=attention_mask).last_hidden_state

        return Wrapper()


def _export_graph(folder: Path, target: Path, opset: int) -> Any:
    import torch
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder, attn_implementation="eager",
                                      dtype=torch.float32).eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with torch.inference_mode():
        torch.onnx.export(
            _HiddenStates(model), (ids, torch.ones_like(ids)), str(target),
            input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes,
                          "last_hidden_state": axes},
            opset_version=opset, dynamo=False,
        )
    return config


def _fuse(graph: Path, config: Any) -> bool:
    """Fuse attention and normalisation blocks in place; False where the type is unknown."""
    if getattr(config, "model_type", "") not in _FUSABLE:
        return False
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(str(graph), model_type="bert",
                               num_heads=int(config.num_attention_heads),
                               hidden_size=int(config.hidden_size))
    optimized.save_model_to_file(str(graph))
    return True


def _quantize(graph: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = graph.with_suffix(".int8.onnx")
    quantize_dynamic(str(graph), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul", "Attention"],
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    os.replace(tmp, graph)


def export_onnx(model: str, out_dir: str | Path, *, int8: bool = True, optimize: bool = True,
                opset: int = 17, threads: int | None = None) -> ExportReport:
    """Export ``model`` (name, path or hub id of an encoder) into ``out_dir``; see module doc.

    The folder appears complete or not at all (built in a temporary folder, then renamed).
    """
    _require_onnx()
    start = time.perf_counter()
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise EmbedlabError(f"{out}: the output folder exists and is not empty")
    folder, source = _source_of(model)
    tokenizer = folder / "tokenizer.json"
    if not tokenizer.is_file():
        raise EmbedlabError(f"{folder} has no tokenizer.json to ship with the ONNX model")
    with staged_folder(out) as tmp:
        graph = tmp / "model.onnx"
        config = _export_graph(folder, graph, opset)
        fused = _fuse(graph, config) if optimize else False
        if int8:
            _quantize(graph)
        shutil.copy(tokenizer, tmp / "tokenizer.json")
        manifest = {"kind": "onnx", "source": str(model), "window": source.window,
                    "pooling": source.pooling.value, "prompts": source.prompts,
                    "int8": int8, "fused": fused, "opset": opset}
        write_manifest(tmp, manifest)
    exported = load_onnx_folder(out, threads=threads, cache_dir=False)
    a = source.encode(_CHECK_TEXTS)
    b = exported.encode(_CHECK_TEXTS)
    return ExportReport(
        out_dir=str(out), model=str(model), int8=int8, fused=fused,
        bytes=(out / "model.onnx").stat().st_size,
        seconds=round(time.perf_counter() - start, 2),
        min_cosine_to_source=round(float(np.min(np.sum(a * b, axis=1))), 6),
    )


def report_dict(report: ExportReport) -> dict[str, Any]:
    return asdict(report)
