"""BM25, one way for every stage: the tokens, the settings, and a bm25s index over texts.

In: texts (documents, then queries). Out: per query, ``(position, score)`` pairs best first
(:class:`BM25Index`; queries of weighted tokens too, for query expansion), or
``(doc_id, score)`` pairs (:class:`BM25Retriever`, the ``Retriever``
that evaluate's ``bm25`` pseudo-model and hard-negative mining use). An index's per-generation
BM25 (:mod:`embedlab.search.bm25`) is a :class:`BM25Index` too, so its figures match
``embedlab eval -m bm25`` on unchunked documents.

Settings follow the BEIR baseline (Elasticsearch): k1 = 1.2, b = 0.75, Lucene's BM25 variant,
English stop words removed and words stemmed with the Snowball English stemmer (PyStemmer,
when installed). Tokens are lower-cased words of two or more characters, and single CJK
characters, so Chinese and Japanese text is searchable too. Documents with score 0 (no query
word) are not returned. bm25s cannot add to an index: a changed corpus is indexed again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError

#: single CJK characters (Han, kana, Hangul syllables), or words of two or more characters
TOKEN_PATTERN = (r"(?u)[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
                 r"|\b\w\w+\b")
K1 = 1.2
B = 0.75
METHOD = "lucene"
STOPWORDS = "en"


def stemmer() -> Callable[[list[str]], list[str]] | None:
    """The Snowball English stemmer where PyStemmer is installed, else None (no stemming).

    A fresh one per call: PyStemmer's stemmers are not safe to share between threads.
    """
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english").stemWords


def tokenize(texts: Sequence[str], *, as_ids: bool, progress: bool = False) -> Any:
    """bm25s tokens of ``texts``: ids and vocabulary (``as_ids``, to index) or lists of words
    (to query an index whose vocabulary they are looked up in)."""
    import bm25s

    return bm25s.tokenize(list(texts), lower=True, token_pattern=TOKEN_PATTERN,
                          stopwords=STOPWORDS, stemmer=stemmer(), return_ids=as_ids,
                          show_progress=progress)


class BM25Index:
    """A bm25s index whose document ``i`` is the ``i``-th text it was built from."""

    def __init__(self, model: Any, size: int) -> None:
        self.model = model
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = K1, b: float = B,
              progress: bool = False) -> BM25Index:
        import bm25s

        model = None
        if len(texts):
            model = bm25s.BM25(k1=k1, b=b, method=METHOD)
            model.index(tokenize(texts, as_ids=True, progress=progress), show_progress=progress)
        return cls(model, len(texts))

    def save(self, folder: Path) -> None:
        """bm25s's files into ``folder`` (nothing for an empty index)."""
        if self.model is not None:
            self.model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> BM25Index:
        """The index :meth:`save` wrote into ``folder``, of ``size`` documents (memory-mapped)."""
        import bm25s

        model = None
        if size:
            model = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        return cls(model, size)

    def search(self, queries: Sequence[str], k: int, *, mask: np.ndarray | None = None,
               progress: bool = False) -> list[list[tuple[int, float]]]:
        """Per query, up to ``k`` ``(position, score)`` pairs with score > 0, best first.

        ``mask``: float32 per document, 0 where a document must not be returned.
        """
        if self.model is None or k < 1 or not queries:
            return [[] for _ in queries]
        tokens = tokenize(queries, as_ids=False, progress=progress)
        docs, scores = self.model.retrieve(tokens, k=min(k, self.size), show_progress=progress,
                                           n_threads=1, weight_mask=mask)
        return [[(int(d), float(s)) for d, s in zip(row_d, row_s, strict=True) if s > 0]
                for row_d, row_s in zip(np.asarray(docs), np.asarray(scores), strict=True)]


    def analyse(self, texts: Sequence[str]) -> list[list[str]]:
        """The tokens BM25 sees in each text (lower-cased, stop words out, stemmed)."""
        return [list(t) for t in tokenize(texts, as_ids=False)] if texts else []

    def search_weighted(self, queries: Sequence[Mapping[str, float]], k: int, *,
                        mask: np.ndarray | None = None) -> list[list[tuple[int, float]]]:
        """Like :meth:`search`, for queries given as ``token -> weight`` (tokens as
        :meth:`analyse` gives them): a document scores the weighted sum of its per-token BM25
        scores, so weights that count each token's occurrences give :meth:`search`'s ranking."""
        if self.model is None or k < 1 or not queries:
            return [[] for _ in queries]
        vocab = self.model.vocab_dict
        out = []
        for weights in queries:
            scores = np.zeros(self.size, dtype=np.float32)
            for token, weight in weights.items():
                if token in vocab and weight:
                    scores += np.float32(weight) * self.model.get_scores([token])
            if mask is not None:
                scores *= mask
            top = min(k, self.size)
            best = np.argpartition(-scores, top - 1)[:top] if top < self.size else \
                np.arange(self.size)
            best = best[np.lexsort((best, -scores[best]))]
            out.append([(int(d), float(scores[d])) for d in best if scores[d] > 0])
        return out


class BM25Retriever:
    """BM25 over one corpus of identified documents; ``index`` once, then ``search``."""

    name = "bm25"

    def __init__(self, *, k1: float = K1, b: float = B, progress: bool = False) -> None:
        self.k1 = k1
        self.b = b
        self.progress = progress
        self._ids: list[str] = []
        self._index: BM25Index | None = None

    def index(self, doc_ids: Sequence[str], docs: Sequence[str]) -> None:
        self._ids = list(doc_ids)
        self._index = BM25Index.build(docs, k1=self.k1, b=self.b, progress=self.progress)

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        """Per query, up to ``k`` ``(doc_id, score)`` pairs with score > 0, best first."""
        if self._index is None:
            raise EmbedlabError("BM25Retriever.search called before index")
        found = self._index.search(queries, k, progress=self.progress)
        return [[(self._ids[d], s) for d, s in hits] for hits in found]
