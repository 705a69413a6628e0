"""Folders written by ``embedlab train-static``: word2vec / fastText vectors, or Doc2Vec.

In: the folder (its ``embedlab.json`` manifest names the file and the kind). Out: a word-vector
Embedder (``static``: mean or SIF pooling, see :mod:`embedlab.embedders.static`) or a
:class:`Doc2VecEmbedder` that infers one vector per text with gensim, reseeded per text so that
the same text always gets the same vector.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.embedders.manifest import MANIFEST, read_manifest
from embedlab.embedders.static import load_word_vectors, tokenize_words
from embedlab.errors import EmbedlabError


class Doc2VecEmbedder(BaseEmbedder):
    """Vectors inferred by a trained Doc2Vec model; reseeded per text, so repeatable."""

    def __init__(self, model: Any, *, name: str, seed: int = 42, cache_dir: Any = None) -> None:
        super().__init__(cache_dir=cache_dir)
        self.model = model
        self.name = name
        self.dim = int(model.vector_size)
        self.seed = seed

    def config_key(self) -> str:
        return f"{super().config_key()}|{self.seed}|{len(self.model.wv)}"

    def _prepare(self, texts: list[str], kind: Kind) -> list[list[str]]:
        return [tokenize_words(t) for t in texts]

    def _embed_items(self, items: list[list[str]], kind: Kind) -> np.ndarray:
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for i, words in enumerate(items):
            if words:
                self.model.random.seed(self.seed)
                out[i] = self.model.infer_vector(words)
        return out


def load_trained_folder(folder: str | Path, *, name: str | None = None,
                        pooling: str | None = None, cache_dir: Any = None) -> BaseEmbedder:
    """An Embedder for a folder written by ``embedlab train-static``."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None or "file" not in manifest:
        raise EmbedlabError(f"{folder}: no {MANIFEST} naming the vectors file")
    path = folder / str(manifest["file"])
    if manifest.get("kind") == "doc2vec":
        from gensim.models import Doc2Vec

        try:
            model = Doc2Vec.load(str(path))
        except (OSError, ValueError, EOFError) as exc:
            raise EmbedlabError(f"cannot load the Doc2Vec model {path}: {exc}") from None
        return Doc2VecEmbedder(model, name=name or folder.name,
                               seed=manifest.get("config", {}).get("seed", 42),
                               cache_dir=cache_dir)
    return load_word_vectors(path, name=name or folder.name, pooling=pooling or "mean",
                             cache_dir=cache_dir)


def from_files(files: Mapping[str, Path], **options: Any) -> BaseEmbedder:
    """The registry's loader for a folder written by ``embedlab train-static``."""
    return load_trained_folder(files["folder"], **options)
