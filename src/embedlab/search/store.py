"""The vector store interface (:class:`VectorStore`) and the filter it takes (:class:`Where`).

A store keeps one float32 vector per chunk, keyed by an integer ``row`` that the index assigns
(``0, 1, 2, ...`` in insertion order), and answers top-k inner-product queries (vectors are
L2-normalised, so this is cosine similarity). Writes follow the index's generations: a writer
opens the store of the current generation, calls :meth:`VectorStore.add` /
:meth:`VectorStore.delete`, then :meth:`VectorStore.save` into the new generation's folder,
and :meth:`VectorStore.committed` once that generation is published.

Backends: ``faiss`` (embedded, the default: :mod:`embedlab.search.backends.faiss_store`) and
``qdrant`` (a Qdrant server, or qdrant-client's local mode:
:mod:`embedlab.search.backends.qdrant_store`); :mod:`embedlab.search.stores` picks one by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.search.filters import Filters

KINDS = ("auto", "exact", "hnsw", "int8", "binary")


@dataclass(frozen=True)
class Where:
    """A filter as the store sees it: the allowed rows, and the same condition on fields.

    ``rows`` (sorted) is what the catalog found; ``terms`` lets a store that indexes metadata
    itself (Qdrant) filter natively instead.
    """

    rows: np.ndarray
    terms: Filters = field(default_factory=dict)


class VectorStore(ABC):
    """Rows of float32 vectors with top-k inner-product search (see the module docstring)."""

    backend: ClassVar[str]
    dim: int

    @classmethod
    @abstractmethod
    def create(cls, dim: int, *, kind: str, index_dir: Path, **options: Any) -> VectorStore:
        """A new, empty store."""

    @classmethod
    @abstractmethod
    def open(cls, section: dict[str, Any], folder: Path, index_dir: Path) -> VectorStore:
        """The store a manifest section describes (its files in ``folder``)."""

    @abstractmethod
    def add(self, rows: np.ndarray, vectors: np.ndarray, terms: list[list[str]]) -> None:
        """Add vectors under new rows; ``terms[i]`` are row i's ``field=value`` filter terms."""

    @abstractmethod
    def delete(self, rows: np.ndarray) -> None:
        """Forget rows (they are never returned by a search of a later generation)."""

    @abstractmethod
    def save(self, folder: Path) -> dict[str, Any]:
        """Write this generation's files into ``folder``; the manifest section that reopens it."""

    def committed(self) -> None:  # noqa: B027 - most stores have nothing to do
        """The generation written by :meth:`save` is now the current one."""

    def drop(self) -> None:  # noqa: B027 - files in generation folders go with them
        """Remove data kept outside the index folder (when an index is rebuilt over it)."""

    def compact(self) -> np.ndarray | None:
        """Renumber rows densely if deletions left too many holes: ``new_row[old_row]``
        (-1 for deleted rows), or None where nothing changed."""
        return None

    @abstractmethod
    def search(self, queries: np.ndarray, k: int, where: Where | None = None,
               exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ``(rows, scores)``, each ``(len(queries), k)``, best first; row -1 pads.

        ``exact`` searches by brute force whatever the index kind (the reference for recall).
        """

    def vectors_of(self, rows: np.ndarray) -> np.ndarray | None:
        """The stored vectors of ``rows``, where the store keeps them at hand (else None:
        the caller encodes the rows' texts again)."""
        return None

    @abstractmethod
    def info(self) -> dict[str, Any]:
        """Kind, sizes and settings, for ``embedlab index info``."""

    @property
    @abstractmethod
    def n_rows(self) -> int:
        """One more than the largest row ever added (the next row to assign)."""
