"""Wrap an embedder from elsewhere so that it meets the whole :class:`Embedder` contract.

In: any object with ``name``, ``dim`` and ``encode(texts, *, batch_size, normalize, kind,
progress)`` (a user's own class, a sentence-transformers wrapper, ...). Out: a
:class:`BaseEmbedder` that runs its batches through that ``encode``, with the contract's
defaults for everything else (text modality, no window, word counts as tokens), so that search
and serving call it like any backend. Its vectors are not cached: a foreign object has no
identity that would tell when its vectors change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.errors import EmbedlabError


class ForeignEmbedder(BaseEmbedder):
    """A BaseEmbedder over another object's ``encode`` (see the module docstring)."""

    def __init__(self, inner: Any) -> None:
        super().__init__(cache_dir=False)
        self.inner = inner
        self.name = str(getattr(inner, "name", type(inner).__name__))
        self.dim = int(inner.dim)

    def config_key(self) -> str:
        """The wrapped object's class, name and dimension (what search indexes record)."""
        return f"{type(self.inner).__name__}|{self.name}|{self.dim}"

    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        return texts

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        vectors = self.inner.encode(list(items), batch_size=max(len(items), 1), normalize=False,
                                    kind=kind, progress=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(items), self.dim)


def as_embedder(model: Any) -> BaseEmbedder:
    """``model`` itself when it is a :class:`BaseEmbedder`, else a :class:`ForeignEmbedder`."""
    if isinstance(model, BaseEmbedder):
        return model
    if not (callable(getattr(model, "encode", None)) and hasattr(model, "dim")):
        raise EmbedlabError(f"{model!r} is neither a model name nor an Embedder "
                            "(it needs dim and encode)")
    return ForeignEmbedder(model)
