"""Retrieval: rank a corpus for every judged query and score the ranking against graded qrels.

Models plug in through the :class:`Retriever` protocol: ``index(doc_ids, docs)`` once, then
``search(queries, k)`` gives, per query, up to ``k`` ``(doc_id, score)`` pairs, best first. An
Embedder becomes a :class:`DenseRetriever` (documents encoded with ``kind="document"``, queries
with ``kind="query"``, exact top-k by :func:`embedlab.ranking.topk.top_k`); a model that is
not an Embedder supplies its own retriever through ``make_retriever()`` (the
:class:`~embedlab.evaluate.base.RetrieverModel` protocol), as the ``bm25`` pseudo-model does.

Scores: nDCG@10 (main), MRR@10, MAP@100 and Recall@1/3/5/10/20/50/100, computed by
:mod:`embedlab.ranking.metrics` with trec_eval's semantics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from embedlab.data.datasets import RetrievalData
from embedlab.embedders.adapter import as_embedder
from embedlab.embedders.base import Embedder
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import (
    Evaluator,
    NotApplicableError,
    Ranked,
    Retriever,
    RetrieverModel,
    model_name,
)
from embedlab.ranking import metrics
from embedlab.ranking.topk import top_k


class DenseRetriever:
    """An Embedder as a retriever: cosine similarity, exact search (``ranking.topk.top_k``)."""

    def __init__(self, embedder: Embedder, *, batch_size: int = 32, progress: bool = False):
        self.embedder = embedder
        self.name = embedder.name
        self.batch_size = batch_size
        self.progress = progress
        self._ids: list[str] = []
        self._vectors: np.ndarray | None = None

    def index(self, doc_ids: Sequence[str], docs: Sequence[str]) -> None:
        self._ids = list(doc_ids)
        self._vectors = np.asarray(self.embedder.encode(
            list(docs), batch_size=self.batch_size, normalize=True, kind="document",
            progress=self.progress), dtype=np.float32)

    def search(self, queries: Sequence[str], k: int) -> Ranked:
        if self._vectors is None:
            raise EmbedlabError("DenseRetriever.search called before index")
        q = np.asarray(self.embedder.encode(
            list(queries), batch_size=self.batch_size, normalize=True, kind="query",
            progress=self.progress), dtype=np.float32)
        idx, scores = top_k(q, self._vectors, k, progress=self.progress)
        return [[(self._ids[i], float(s)) for i, s in zip(row_i, row_s, strict=True)]
                for row_i, row_s in zip(idx, scores, strict=True)]


def as_retriever(model: Any, *, batch_size: int = 32, progress: bool = False) -> Retriever:
    """A retriever for ``model``: its own (``make_retriever``) or a dense one over its vectors."""
    if isinstance(model, RetrieverModel):
        return model.make_retriever(batch_size=batch_size, progress=progress)
    if isinstance(model, Embedder):
        return DenseRetriever(model, batch_size=batch_size, progress=progress)
    if isinstance(model, Retriever):
        return model
    try:
        embedder = as_embedder(model)
    except EmbedlabError:
        raise NotApplicableError(f"{model_name(model)!r} is neither an embedding model nor a "
                                 "retriever") from None
    return DenseRetriever(embedder, batch_size=batch_size, progress=progress)


class RetrievalEvaluator(Evaluator):
    """Ranks ``data.corpus`` for each judged query of ``data.queries``; scores vs ``data.qrels``.

    In: a :class:`RetrievalData` (corpus text is title + " " + text). Out: ``ndcg@10`` (main),
    ``mrr@10``, ``map@100``, ``recall@k`` for k in ``recall_at``.
    """

    kind: ClassVar[str] = "retrieval"
    primary_metric: ClassVar[str] = "ndcg@10"

    def __init__(
        self,
        data: RetrievalData,
        *,
        batch_size: int = 32,
        progress: bool = False,
        recall_at: Sequence[int] = metrics.DEFAULT_RECALL,
    ) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data
        self.recall_at = tuple(recall_at)
        self.depth = max((100, *self.recall_at))

    def run(self, model: Any) -> dict[str, dict[str, float]]:
        """The run ``{query_id: {doc_id: score}}`` of ``model`` (top ``depth`` per query)."""
        retriever = as_retriever(model, batch_size=self.batch_size, progress=self.progress)
        retriever.index(list(self.data.corpus), list(self.data.corpus.values()))
        qids = list(self.data.queries)
        ranked = retriever.search([self.data.queries[q] for q in qids], self.depth)
        return {qid: dict(hits) for qid, hits in zip(qids, ranked, strict=True)}

    def __call__(self, model: Any) -> dict[str, float]:
        return metrics.evaluate_run(self.run(model), self.data.qrels,
                                    recall_at=self.recall_at)
