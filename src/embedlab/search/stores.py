"""Vector stores by backend name: a new, empty store, or the one a manifest section describes.

In: a backend name (``faiss``, ``qdrant``) with the vector dimension, index kind and the
backend's options, or a generation's manifest ``store`` section. Out: a
:class:`~embedlab.search.store.VectorStore`. Backends are imported on first use (faiss and
qdrant-client load only when asked for); this factory is kept apart from the interface so that
the backends can import the interface without a cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from embedlab.errors import EmbedlabError
from embedlab.search.store import KINDS, VectorStore

BACKENDS = ("faiss", "qdrant")


def store_class(backend: str) -> type[VectorStore]:
    if backend == "faiss":
        from embedlab.search.backends.faiss_store import FaissStore

        return FaissStore
    if backend == "qdrant":
        from embedlab.search.backends.qdrant_store import QdrantStore

        return QdrantStore
    raise EmbedlabError(f"unknown backend {backend!r}; expected one of: {', '.join(BACKENDS)}")


def create_store(backend: str, dim: int, *, kind: str = "auto", index_dir: Path,
                 **options: Any) -> VectorStore:
    """A new, empty store of the named backend (``options`` are the backend's settings)."""
    if kind not in KINDS:
        raise EmbedlabError(f"unknown index kind {kind!r}; expected one of: {', '.join(KINDS)}")
    return store_class(backend).create(dim, kind=kind, index_dir=index_dir, **options)


def open_store(section: dict[str, Any], folder: Path, index_dir: Path) -> VectorStore:
    """The store a generation's manifest ``section`` describes, its files in ``folder``."""
    return store_class(section["backend"]).open(section, folder, index_dir)
