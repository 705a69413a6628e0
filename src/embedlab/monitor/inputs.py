"""Samples for drift tests: vector files as they are, text files encoded with a model.

In: a path (``.npy``/``.parquet`` vectors, or any text format ``embedlab encode`` reads) and the
model for texts. Out: float32 vectors and the identity of the model that made them (None for a
``.npy`` file, which records none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from embedlab.data.writers import VECTOR_SUFFIXES, read_vector_model, read_vectors
from embedlab.errors import EmbedlabError


def is_vector_file(path: str | Path) -> bool:
    return Path(path).suffix in VECTOR_SUFFIXES


def load_sample(path: str | Path, embedder: Any | None, *, field: str | None = None,
                batch_size: int = 32, progress: bool = False) -> tuple[np.ndarray, str | None]:
    """Vectors of one sample and the model identity they come from."""
    if is_vector_file(path):
        vectors, _ = read_vectors(path)
        return vectors, read_vector_model(path)
    if embedder is None:
        raise EmbedlabError(f"{path}: texts need a model to encode them (-m MODEL)")
    from embedlab.data.readers import read_texts

    texts = read_texts(path, field).texts
    vectors = embedder.encode(texts, batch_size=batch_size, progress=progress)
    return vectors, embedder.config_key()


def check_same_model(reference: str | None, current: str | None, ref_path: str,
                     cur_path: str) -> None:
    """Refuse samples that record different models (a drift test between them is meaningless)."""
    if reference and current and reference != current:
        name = lambda key: key.split("|")[1] if "|" in key else key  # noqa: E731
        raise EmbedlabError(f"{ref_path} and {cur_path} come from different models "
                            f"({name(reference)} vs {name(current)}); encode both with one model")
