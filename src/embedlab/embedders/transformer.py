"""Transformer encoders (BERT, MiniLM, E5, ...) in PyTorch, from a local folder or a hub id.

Reads the sentence-transformers layout where present (pooling mode, window, prompts) and works
on a plain Hugging Face folder too. Only Transformer -> Pooling (-> Normalize) pipelines are
supported, with Dense projection heads after pooling; a model with other modules is refused
with a clear message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from embedlab.embedders import packing
from embedlab.embedders.base import Kind, LongTextMode
from embedlab.embedders.pooling import Pooling, parse_pooling, pool
from embedlab.embedders.tokenized import TokenizedEmbedder, file_fingerprint
from embedlab.errors import EmbedlabError

_ST_POOLING_KEYS = {
    "pooling_mode_cls_token": Pooling.CLS,
    "pooling_mode_max_tokens": Pooling.MAX,
    "pooling_mode_mean_tokens": Pooling.MEAN,
    "pooling_mode_weightedmean_tokens": Pooling.WEIGHTED_MEAN,
    "pooling_mode_lasttoken": Pooling.LAST,
}
_SUPPORTED_MODULES = ("Transformer", "Pooling", "Normalize", "Dense")
_ACTIVATIONS = {"Identity": torch.nn.Identity, "Tanh": torch.nn.Tanh, "ReLU": torch.nn.ReLU,
                "GELU": torch.nn.GELU, "Sigmoid": torch.nn.Sigmoid}
_PROMPT_ALIASES = {"query": "query", "document": "document", "passage": "document",
                   "doc": "document"}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read_sentence_transformers_layout(folder: Path) -> dict[str, Any]:
    """Pooling, window and prompts declared by a sentence-transformers folder (empty if none)."""
    out: dict[str, Any] = {}
    modules = _read_json(folder / "modules.json")
    for module in modules if isinstance(modules, list) else []:
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        if not any(kind.startswith(s) for s in _SUPPORTED_MODULES):
            raise EmbedlabError(
                f"{folder} has a sentence-transformers module {kind!r} that embedlab does not "
                "run yet (only Transformer, Pooling, Normalize)"
            )
        if kind.startswith("Dense"):
            out.setdefault("dense", []).append(folder / module.get("path", ""))
        if kind.startswith("Pooling"):
            cfg = _read_json(folder / module.get("path", "") / "config.json")
            for key, mode in _ST_POOLING_KEYS.items():
                if cfg.get(key):
                    out["pooling"] = mode
                    break
    st_cfg = _read_json(folder / "sentence_bert_config.json")
    if st_cfg.get("max_seq_length"):
        out["window"] = int(st_cfg["max_seq_length"])
    prompts = _read_json(folder / "config_sentence_transformers.json").get("prompts") or {}
    out["prompts"] = {
        _PROMPT_ALIASES[k]: v for k, v in prompts.items() if k in _PROMPT_ALIASES and v
    }
    return out


def resolve_folder(source: str | Path) -> Path:
    """A local folder, or a hub id downloaded (or found in the hub cache) to one."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(source)))
    except Exception as exc:  # the hub raises many types: offline, not found, gated, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EmbedlabError(
            f"cannot load model {str(source)!r}: not a local folder, and the hub gave: {first}"
        ) from None


def window_of(config: Any, tokenizer_max: int | None, declared: int | None) -> int:
    """The usable window: the declared one, else the tokenizer's, capped by positions."""
    positions = getattr(config, "max_position_embeddings", None) or 512
    if declared:
        return min(declared, positions)
    if tokenizer_max and tokenizer_max < 100_000:
        return min(tokenizer_max, positions)
    return positions


def load_dense(folder: Path) -> torch.nn.Module:
    """A sentence-transformers Dense module (linear layer + activation) from its folder."""
    cfg = _read_json(folder / "config.json")
    try:
        linear = torch.nn.Linear(int(cfg["in_features"]), int(cfg["out_features"]),
                                 bias=bool(cfg.get("bias", True)))
    except KeyError:
        raise EmbedlabError(f"{folder}: a Dense module without in/out features") from None
    activation = str(cfg.get("activation_function", "Tanh")).rsplit(".", 1)[-1]
    if activation not in _ACTIVATIONS:
        raise EmbedlabError(f"{folder}: unsupported Dense activation {activation!r}")
    weights = folder / "model.safetensors"
    if weights.is_file():
        from safetensors.torch import load_file

        state = load_file(str(weights))
    else:
        state = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
    linear.load_state_dict({k.removeprefix("linear."): v for k, v in state.items()})
    return torch.nn.Sequential(linear, _ACTIVATIONS[activation]()).eval()


def workers_from_env() -> int | None:
    """``EMBEDLAB_WORKERS`` as a number (None when unset)."""
    raw = os.environ.get("EMBEDLAB_WORKERS", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise EmbedlabError(f"EMBEDLAB_WORKERS must be a whole number, got {raw!r}") from None


# Texts probed by enable_packing: lengths from 1 word to a few dozen tokens.
_PACKING_PROBE = ["a", "The cat sat on the mat.", "packing " * 40,
                  "Two short sentences. And a question?"]


class TransformerEmbedder(TokenizedEmbedder):
    """An encoder model run with PyTorch; see :func:`load_transformer`.

    With :meth:`enable_packing`, each batch runs as padding-free forward passes of at most
    ``pack_tokens`` tokens (see :mod:`embedlab.embedders.packing`): what a server wants for
    batches of mixed lengths.
    """

    #: tokens per packed forward pass at most (a longer single text still gets its own pass);
    #: longer passes ran slower per text once activations outgrow the CPU caches
    #: (benchmarks/results.md)
    pack_tokens = 512

    def __init__(self, model: torch.nn.Module, heads: list[torch.nn.Module] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.heads = heads or []
        self.packing = False
        self.set_workers(None)

    def set_workers(self, workers: int | None) -> None:
        """Encode ``workers`` batches at once, sharing torch's threads between them.

        None: ``EMBEDLAB_WORKERS`` if set, else 2 where torch has 2 threads or more. Two
        batches on one thread each beat one batch on two threads on a CPU (figures in
        benchmarks/results.md): a thread never waits at the barrier after each operator, and
        small matrix products do not parallelise well.
        """
        threads = torch.get_num_threads()
        if workers is None:
            workers = workers_from_env() or (2 if threads >= 2 else 1)
        if workers < 1:
            raise EmbedlabError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.threads_per_worker = max(1, threads // workers)

    def init_worker(self) -> None:
        torch.set_num_threads(self.threads_per_worker)  # per thread: the caller's stays

    def enable_packing(self) -> bool:
        """Encode each batch as packed passes if the model gives the same vectors that way."""
        if not self.packing:
            self.packing = packing.enable_packing(self.model, self._packing_gap)
        return self.packing

    def _packing_gap(self) -> float:
        """Largest cosine distance between packed and padded vectors of the probe texts."""
        items = self._prepare(_PACKING_PROBE, "document")
        padded = torch.from_numpy(super()._embed_items(items, "document"))
        together = torch.from_numpy(self._embed_packed(items))
        cos = torch.nn.functional.cosine_similarity(padded, together, dim=1)
        return float((1 - cos).abs().max())

    def _embed_items(self, items: list[np.ndarray], kind: Kind) -> np.ndarray:
        if self.packing:
            return self._embed_packed(items)
        return super()._embed_items(items, kind)

    def _embed_packed(self, items: list[np.ndarray]) -> np.ndarray:
        items = self._fit(items)
        out = np.empty((len(items), self.dim), dtype=np.float32)
        for group in packing.pack_groups([len(i) for i in items], self.pack_tokens):
            part = [items[i] for i in group]
            layout = packing.PackLayout.of([len(i) for i in part])
            with torch.inference_mode(), packing.packed(layout):
                hidden = self.model(input_ids=packing.concat_ids(part),
                                    position_ids=layout.position_ids()).last_hidden_state
                pooled = pool(layout.pad(hidden[0]), layout.mask, self.pooling)
                out[group] = self._after_pooling(pooled).float().numpy()
        return out

    def _after_pooling(self, pooled: torch.Tensor) -> torch.Tensor:
        for head in self.heads:
            pooled = head(pooled)
        return pooled

    def _forward(self, input_ids: np.ndarray, mask: np.ndarray) -> torch.Tensor:
        out = self.model(
            input_ids=torch.from_numpy(input_ids), attention_mask=torch.from_numpy(mask)
        )
        return out.last_hidden_state


def load_transformer(
    source: str | Path,
    *,
    name: str | None = None,
    pooling: Pooling | str | None = None,
    max_length: int | None = None,
    prompts: dict[str, str] | None = None,
    long: LongTextMode | str = LongTextMode.TRUNCATE,
    cache_dir: Any = None,
) -> TransformerEmbedder:
    """Load an encoder from a folder (sentence-transformers or plain HF layout) or a hub id."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    folder = resolve_folder(source)
    layout = read_sentence_transformers_layout(folder)
    try:
        config = AutoConfig.from_pretrained(folder)
        hf_tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModel.from_pretrained(folder, dtype=torch.float32)
    except (OSError, ValueError, KeyError) as exc:
        raise EmbedlabError(f"cannot load a transformer from {folder}: {exc}") from None
    model.eval()
    if not getattr(hf_tokenizer, "is_fast", False):
        raise EmbedlabError(f"{folder} has no fast tokenizer (tokenizer.json) to load")
    window = window_of(config, getattr(hf_tokenizer, "model_max_length", None),
                       layout.get("window"))
    if max_length is not None:
        if max_length < 4:
            raise EmbedlabError(f"max length must be at least 4 tokens, got {max_length}")
        window = min(max_length, getattr(config, "max_position_embeddings", max_length))
    weights = [p for p in folder.iterdir() if p.suffix in {".safetensors", ".bin"}]
    heads = [load_dense(d) for d in layout.get("dense", [])]
    for d in layout.get("dense", []):
        weights += [p for p in d.iterdir() if p.suffix in {".safetensors", ".bin"}]
    dim = heads[-1][0].out_features if heads else int(config.hidden_size)
    return TransformerEmbedder(
        model,
        heads,
        tokenizer=hf_tokenizer.backend_tokenizer,
        name=name or str(source),
        dim=dim,
        window=window,
        pooling=parse_pooling(pooling) if pooling else layout.get("pooling", Pooling.MEAN),
        prompts=prompts if prompts is not None else layout.get("prompts", {}),
        pad_id=hf_tokenizer.pad_token_id or 0,
        weights_id=file_fingerprint(weights),
        long=long,
        cache_dir=cache_dir,
    )


def from_files(files: Mapping[str, Path], **options: Any) -> TransformerEmbedder:
    """The registry's loader: ``files["folder"]``, options as :func:`load_transformer`."""
    return load_transformer(files["folder"], **options)
