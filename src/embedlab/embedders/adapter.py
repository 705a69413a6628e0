"""Wrap an embedder from elsewhere so that it meets the whole :class:`Embedder` contract.

In: any object with ``name``, ``dim`` and ``encode(texts, *, batch_size, normalize, kind,
progress)`` (a user's own class, a sentence-transformers wrapper, ...). Out: a
:class:`BaseEmbedder` that runs its batches through that ``encode``, so that search, serving
and evaluation call it like any backend. What the object declares of the rest of the contract
is kept (``config_key()``/``fingerprint``, ``window``, ``tokenizer``, ``count_tokens``); the
contract's defaults fill in the rest (text modality, no window, word counts as tokens). This is
the one place that looks at a foreign object's attributes, so that no stage has to. Its vectors
are not cached here: the object's own identity may not change when its weights do.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        window = getattr(inner, "window", None)
        self.window = int(window) if isinstance(window, int) and window > 0 else None
        self.tokenizer = getattr(inner, "tokenizer", None)

    def config_key(self) -> str:
        """The object's own ``config_key()`` or ``fingerprint`` where it has one, else its
        class, name and dimension (what search indexes record)."""
        key = getattr(self.inner, "config_key", None)
        if callable(key):
            return str(key())
        fingerprint = getattr(self.inner, "fingerprint", None)
        if isinstance(fingerprint, str) and fingerprint:
            return fingerprint
        return f"{type(self.inner).__name__}|{self.name}|{self.dim}"

    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]:
        count = getattr(self.inner, "count_tokens", None)
        if callable(count):
            return [int(n) for n in count(list(texts), kind)]
        return super().count_tokens(texts, kind)

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
