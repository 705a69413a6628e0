"""The ``bm25`` pseudo-model: lexical retrieval with bm25s, usable wherever a model name goes.

It makes no vectors, so it applies to retrieval only (other tasks report it as not applicable).
Settings follow the BEIR baseline (Elasticsearch): k1 = 1.2, b = 0.75, Lucene's BM25 variant,
English stop words removed and words stemmed with the Snowball English stemmer (PyStemmer,
when installed). Tokens are lower-cased words of two or more characters, and single CJK
characters, so Chinese and Japanese text is searchable too. Documents with score 0 (no query
word) are not returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError

#: single CJK characters (Han, kana, Hangul syllables), or words of two or more characters
TOKEN_PATTERN = (r"(?u)[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
                 r"|\b\w\w+\b")


def _stemmer() -> Any:
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english").stemWords


class BM25Retriever:
    """BM25 over one corpus (see the module docstring); implements ``Retriever``."""

    name = "bm25"

    def __init__(self, *, k1: float = 1.2, b: float = 0.75, progress: bool = False) -> None:
        self.k1 = k1
        self.b = b
        self.progress = progress
        self._ids: list[str] = []
        self._index: Any = None
        self._stem = _stemmer()

    def _tokenize(self, texts: Sequence[str], *, as_ids: bool) -> Any:
        import bm25s

        return bm25s.tokenize(list(texts), lower=True, token_pattern=TOKEN_PATTERN,
                              stopwords="en", stemmer=self._stem, return_ids=as_ids,
                              show_progress=self.progress)

    def index(self, doc_ids: Sequence[str], docs: Sequence[str]) -> None:
        import bm25s

        self._ids = list(doc_ids)
        self._index = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        if self._ids:
            self._index.index(self._tokenize(docs, as_ids=True), show_progress=self.progress)

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        if self._index is None:
            raise EmbedlabError("BM25Retriever.search called before index")
        k = min(k, len(self._ids))
        if k == 0 or not queries:
            return [[] for _ in queries]
        tokens = self._tokenize(queries, as_ids=False)
        docs, scores = self._index.retrieve(tokens, k=k, show_progress=self.progress,
                                            n_threads=1)
        return [[(self._ids[int(d)], float(s)) for d, s in zip(row_d, row_s, strict=True)
                 if s > 0]
                for row_d, row_s in zip(np.asarray(docs), np.asarray(scores), strict=True)]


class BM25Model:
    """The ``bm25`` pseudo-model: a name and a retriever factory (``RetrieverModel``)."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.name = "bm25"
        self.k1 = k1
        self.b = b

    def make_retriever(self, *, batch_size: int = 32, progress: bool = False) -> BM25Retriever:
        return BM25Retriever(k1=self.k1, b=self.b, progress=progress)
