"""The ``bm25`` pseudo-model: lexical retrieval, usable wherever a model name goes.

It makes no vectors, so it applies to retrieval only (other tasks report it as not applicable).
Its retriever is :class:`embedlab.ranking.lexical.BM25Retriever`, the one BM25 that search
indexes and hard-negative mining use too (settings and tokens: :mod:`embedlab.ranking.lexical`).
"""

from __future__ import annotations

from embedlab.ranking.lexical import K1, B, BM25Retriever


class BM25Model:
    """The ``bm25`` pseudo-model: a name and a retriever factory (``RetrieverModel``)."""

    def __init__(self, *, k1: float = K1, b: float = B) -> None:
        self.name = "bm25"
        self.k1 = k1
        self.b = b

    def make_retriever(self, *, batch_size: int = 32, progress: bool = False) -> BM25Retriever:
        return BM25Retriever(k1=self.k1, b=self.b, progress=progress)
