"""The search path of the server: an :class:`embedlab.search.Index`, and a 2-D map of results.

In: a :class:`~embedlab.serve.schemas.SearchRequest`. Out: the answer body (hits with scores;
with ``correct`` or ``expand``, the query as searched under ``understanding``; and, when asked,
PCA coordinates of the query and the hits for the page's map). The index picks up
generations that writers publish while the server runs.

Searches run on threads of their own (``search_threads``), not where the embeddings' batches
are sent or encoded: a slow search (a large filter, a deep ``k``) then delays other searches,
never ``/v1/embeddings``. At most ``max_searches`` are admitted at once (running or waiting for
a thread); past that a search is answered 429 at once instead of queueing without end.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from sklearn.decomposition import PCA

from embedlab.serve.batching import QueueFull
from embedlab.serve.errors import APIError
from embedlab.serve.schemas import SearchRequest, search_answer
from embedlab.serve.service import EmbeddingService

# How often (seconds) to look for a newer index generation.
_REFRESH_EVERY = 2.0


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """Rows projected on their first two principal components (zeros where there are fewer)."""
    out = np.zeros((len(vectors), 2), dtype=np.float64)
    components = min(2, len(vectors) - 1, vectors.shape[1])
    if components >= 1:
        out[:, :components] = PCA(n_components=components).fit_transform(
            vectors.astype(np.float64))
    return out


class SearchService:
    """Searches one index on threads of its own (module docstring); ``embeddings`` supplies
    the limits on texts and the vectors for the map. :meth:`close` stops the threads."""

    def __init__(self, index: Any, embeddings: EmbeddingService, max_k: int, *,
                 threads: int = 1, max_searches: int = 64) -> None:
        self.index = index
        self.embeddings = embeddings
        self.max_k = max_k
        self.max_searches = max_searches
        self.admitted = 0
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="embedlab-search")
        self._checked = time.monotonic()
        self.on_top1: Any = None  # called with each search's best score (drift monitoring)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _run(self, req: SearchRequest, k: int) -> tuple[list[Any], Any]:
        if self.admitted >= self.max_searches:
            raise QueueFull(1)
        self.admitted += 1
        try:
            return await asyncio.wrap_future(self._pool.submit(self._search, req, k))
        finally:
            self.admitted -= 1

    def _search(self, req: SearchRequest, k: int) -> tuple[list[Any], Any]:
        """On a search thread: refresh the generation now and then, then search; the hits and
        what correction and expansion did to the query."""
        refresh = getattr(self.index, "refresh", None)
        if refresh is not None and time.monotonic() - self._checked > _REFRESH_EVERY:
            self._checked = time.monotonic()
            refresh()
        return self.index.search_explained(req.query, k, mode=req.mode, filters=req.filter,
                                           per_document=req.per_document, correct=req.correct,
                                           expand=req.expand)

    async def search(self, req: SearchRequest, model: str) -> dict[str, Any]:
        k = min(10, self.max_k) if req.k is None else req.k
        if k > self.max_k:
            raise APIError(422, f"k: at most {self.max_k} results can be asked for",
                           "invalid_value", param="k")
        if not req.query.strip():
            raise APIError(400, "query must not be empty", "empty_input", param="query")
        self.embeddings.check_texts([req.query])
        hits, seen = await self._run(req, k)
        if self.on_top1 is not None and hits and req.mode == "dense":  # cosine scores only
            self.on_top1(float(hits[0].score))
        points = None
        if req.map and hits:
            query = await self.embeddings.embed([seen.corrected], "query")
            docs = await self.embeddings.embed([h.text for h in hits], "document")
            points = pca_2d(np.vstack([query.vectors, docs.vectors]))
        answer = search_answer(hits, model, req.query, points)
        if req.correct or req.expand:
            # the query as searched: {"corrected", "corrections": [{"from", "to"}], "expanded"}
            answer["understanding"] = {k: v for k, v in seen.as_dict().items() if k != "query"}
        return answer
