"""ONNX encoders run with onnxruntime, tokenized by a ``tokenizer.json`` (fp32 or int8 graphs).

The graph must take ``input_ids`` and ``attention_mask`` (``token_type_ids`` is fed as zeros when
asked for) and return token vectors; pooling is ours, so every pooling mode works.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer

from embedlab.embedders.base import LongTextMode
from embedlab.embedders.manifest import MANIFEST, read_manifest
from embedlab.embedders.pooling import Pooling
from embedlab.embedders.tokenized import TokenizedEmbedder, file_fingerprint
from embedlab.errors import EmbedlabError

_TOKEN_OUTPUTS = ("last_hidden_state", "token_embeddings")


def _token_output(session: Any) -> tuple[str, int | None]:
    """The output holding token vectors, and its width when the graph declares it."""
    outputs = session.get_outputs()
    for out in outputs:
        if out.name in _TOKEN_OUTPUTS:
            return out.name, out.shape[-1] if isinstance(out.shape[-1], int) else None
    for out in outputs:
        if len(out.shape) == 3:
            return out.name, out.shape[-1] if isinstance(out.shape[-1], int) else None
    raise EmbedlabError("the ONNX graph has no (batch, tokens, dim) output to pool")


class OnnxEmbedder(TokenizedEmbedder):
    """An encoder graph run with onnxruntime; see :func:`load_onnx`."""

    def __init__(self, session: Any, output: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.output = output
        self._inputs = {i.name for i in session.get_inputs()}

    def _forward(self, input_ids: np.ndarray, mask: np.ndarray) -> torch.Tensor:
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (hidden,) = self.session.run([self.output], feeds)
        return torch.from_numpy(hidden)

    @property
    def threads(self) -> int:
        return int(self.session.get_session_options().intra_op_num_threads)


def make_session(model_path: Path, threads: int | None = None) -> Any:
    """An onnxruntime CPU session with full graph optimisation and explicit intra-op threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise EmbedlabError(f"cannot load ONNX model {model_path}: {exc}") from None


def load_onnx(
    model_path: str | Path,
    tokenizer_path: str | Path,
    *,
    name: str | None = None,
    window: int = 512,
    pooling: Pooling | str = Pooling.MEAN,
    prompts: dict[str, str] | None = None,
    threads: int | None = None,
    long: LongTextMode | str = LongTextMode.TRUNCATE,
    cache_dir: Any = None,
) -> OnnxEmbedder:
    """Load an ONNX encoder and the ``tokenizer.json`` that goes with it."""
    model_path, tokenizer_path = Path(model_path), Path(tokenizer_path)
    for p in (model_path, tokenizer_path):
        if not p.is_file():
            raise EmbedlabError(f"file not found: {p}")
    session = make_session(model_path, threads)
    missing = {"input_ids", "attention_mask"} - {i.name for i in session.get_inputs()}
    if missing:
        raise EmbedlabError(f"{model_path} lacks the inputs {sorted(missing)}")
    output, dim = _token_output(session)
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    pad_id = tokenizer.token_to_id("[PAD]")
    if pad_id is None:
        pad_id = tokenizer.padding["pad_id"] if tokenizer.padding else 0
    embedder = OnnxEmbedder(
        session,
        output,
        tokenizer=tokenizer,
        name=name or model_path.stem,
        dim=dim or 0,
        window=window,
        pooling=pooling,
        prompts=prompts,
        pad_id=pad_id,
        weights_id=file_fingerprint([model_path, tokenizer_path]),
        long=long,
        cache_dir=cache_dir,
    )
    if not embedder.dim:  # width not declared in the graph: ask it once
        ids, mask = embedder._collate(embedder._prepare(["a"], "document"))
        embedder.dim = int(embedder._forward(ids, mask).shape[-1])
    return embedder


def load_onnx_folder(folder: str | Path, *, name: str | None = None,
                     **options: Any) -> OnnxEmbedder:
    """A folder written by ``embedlab export`` (its manifest gives pooling, window, prompts);
    ``options`` as :func:`load_onnx`, ``max_length`` for the window."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise EmbedlabError(f"{folder}: no {MANIFEST}; not an embedlab export")
    settings = {"window": manifest.get("window", 512), "pooling": manifest.get("pooling", "mean"),
                "prompts": manifest.get("prompts") or {}}
    if options.get("max_length"):
        settings["window"] = options.pop("max_length")
    options.pop("max_length", None)
    settings.update({k: v for k, v in options.items() if v is not None})
    return load_onnx(folder / "model.onnx", folder / "tokenizer.json",
                     name=name or folder.name, **settings)


def from_files(files: Mapping[str, Path], *, max_length: int | None = None,
               **options: Any) -> OnnxEmbedder:
    """The registry's loader for an ``.onnx`` graph and its ``tokenizer.json``; the window is
    ``max_length`` (512 where neither the user nor the named model says)."""
    return load_onnx(files["model"], files["tokenizer"], window=max_length or 512, **options)


def export_from_files(files: Mapping[str, Path], **options: Any) -> OnnxEmbedder:
    """The registry's loader for a folder written by ``embedlab export``."""
    return load_onnx_folder(files["folder"], **options)
