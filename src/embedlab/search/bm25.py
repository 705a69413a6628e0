"""BM25 over an index's chunks, saved in each generation (``bm25/``).

In: the store rows of the live chunks and their texts. Out: per query, ``(row, score)`` pairs,
best first, optionally only among allowed rows (filters). The BM25 itself is
:class:`embedlab.ranking.lexical.BM25Index`, the same tokens and settings as the ``bm25``
pseudo-model of the evaluation, so an index's BM25 figures match ``embedlab eval -m bm25`` on
unchunked documents. bm25s cannot add to an index, so each generation re-tokenizes its chunks.
Files: ``bm25/rows.npy`` (the row of each BM25 document) and bm25s's own files beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from embedlab.ranking.lexical import BM25Index
from embedlab.search.damage import reading

FOLDER = "bm25"


class ChunkBM25:
    """A BM25 index whose document ``i`` is the chunk at store row ``rows[i]``."""

    def __init__(self, rows: np.ndarray, index: BM25Index) -> None:
        self.rows = rows
        self.index = index

    @classmethod
    def build(cls, rows: np.ndarray, texts: Sequence[str], progress: bool = False) -> ChunkBM25:
        rows = np.asarray(rows, dtype=np.int64)
        return cls(rows, BM25Index.build(texts, progress=progress))

    def save(self, folder: Path) -> None:
        target = folder / FOLDER
        target.mkdir()
        np.save(target / "rows.npy", self.rows)
        self.index.save(target)

    @classmethod
    def load(cls, folder: Path) -> ChunkBM25:
        target = folder / FOLDER
        with reading(target / "rows.npy"):
            rows = np.load(target / "rows.npy")
            if rows.ndim != 1:
                raise ValueError(f"expected one row number per document, got shape {rows.shape}")
        with reading(target):
            return cls(rows, BM25Index.load(target, len(rows)))

    def search(self, queries: Sequence[str | Mapping[str, float]], k: int,
               allowed: np.ndarray | None = None) -> list[list[tuple[int, float]]]:
        """Per query, up to ``k`` ``(row, score)`` pairs, best first; ``allowed``: sorted rows.

        A query is a text, or ``token -> weight`` (an expanded query, see
        :meth:`BM25Index.search_weighted`).
        """
        if not len(self.rows) or k < 1:
            return [[] for _ in queries]
        mask = None
        if allowed is not None:
            mask = np.isin(self.rows, allowed).astype(np.float32)
            if not mask.any():
                return [[] for _ in queries]
        texts = [i for i, q in enumerate(queries) if isinstance(q, str)]
        weighted = [i for i, q in enumerate(queries) if not isinstance(q, str)]
        found: list[list[tuple[int, float]]] = [[] for _ in queries]
        if texts:
            hits = self.index.search([queries[i] for i in texts], k, mask=mask)  # type: ignore
            for i, h in zip(texts, hits, strict=True):
                found[i] = h
        if weighted:
            hits = self.index.search_weighted([queries[i] for i in weighted], k,  # type: ignore
                                              mask=mask)
            for i, h in zip(weighted, hits, strict=True):
                found[i] = h
        return [[(int(self.rows[d]), s) for d, s in hits] for hits in found]
