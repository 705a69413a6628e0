"""BM25 over an index's chunks with bm25s, saved in each generation (``bm25/``).

The same settings and tokens as the ``bm25`` pseudo-model of the evaluation
(:mod:`embedlab.evaluate.bm25`: k1 = 1.2, b = 0.75, Lucene's variant, English stop words,
Snowball stemming where PyStemmer is installed), so an index's BM25 figures match
``embedlab eval -m bm25`` on unchunked documents. bm25s cannot add to an index, so each
generation re-tokenizes its chunks (a few seconds per 100,000 chunks). Chunks with score 0
(no query word) are not returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.evaluate.bm25 import TOKEN_PATTERN

FOLDER = "bm25"
K1, B = 1.2, 0.75


def _stemmer() -> Any:
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english").stemWords


def _tokenize(texts: Sequence[str], *, as_ids: bool, progress: bool = False) -> Any:
    import bm25s

    return bm25s.tokenize(list(texts), lower=True, token_pattern=TOKEN_PATTERN, stopwords="en",
                          stemmer=_stemmer(), return_ids=as_ids, show_progress=progress)


class ChunkBM25:
    """A bm25s index whose document ``i`` is the chunk at store row ``rows[i]``."""

    def __init__(self, rows: np.ndarray, model: Any) -> None:
        self.rows = rows
        self.model = model

    @classmethod
    def build(cls, rows: np.ndarray, texts: Sequence[str], progress: bool = False) -> ChunkBM25:
        import bm25s

        model = None
        if len(rows):
            model = bm25s.BM25(k1=K1, b=B, method="lucene")
            model.index(_tokenize(texts, as_ids=True, progress=progress), show_progress=progress)
        return cls(np.asarray(rows, dtype=np.int64), model)

    def save(self, folder: Path) -> None:
        target = folder / FOLDER
        target.mkdir()
        np.save(target / "rows.npy", self.rows)
        if self.model is not None:
            self.model.save(str(target), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> ChunkBM25:
        import bm25s

        target = folder / FOLDER
        rows = np.load(target / "rows.npy")
        model = None
        if len(rows):
            model = bm25s.BM25.load(str(target), mmap=True, show_progress=False)
        return cls(rows, model)

    def search(self, queries: Sequence[str], k: int,
               allowed: np.ndarray | None = None) -> list[list[tuple[int, float]]]:
        """Per query, up to ``k`` ``(row, score)`` pairs, best first; ``allowed``: sorted rows."""
        n = len(self.rows)
        if self.model is None or n == 0 or k < 1:
            return [[] for _ in queries]
        mask = None
        if allowed is not None:
            mask = np.isin(self.rows, allowed).astype(np.float32)
            if not mask.any():
                return [[] for _ in queries]
        docs, scores = self.model.retrieve(_tokenize(queries, as_ids=False), k=min(k, n),
                                           show_progress=False, n_threads=1, weight_mask=mask)
        return [[(int(self.rows[d]), float(s)) for d, s in zip(row_d, row_s, strict=True)
                 if s > 0]
                for row_d, row_s in zip(np.asarray(docs), np.asarray(scores), strict=True)]
