"""The search path of the server: an :class:`embedlab.search.Index`, and a 2-D map of results.

In: a :class:`~embedlab.serve.schemas.SearchRequest`. Out: the answer body (hits with scores;
with ``correct`` or ``expand``, the query as searched under ``understanding``; and, when asked,
PCA coordinates of the query and the hits for the page's map). The index runs
where the encoder runs other work (it encodes the query with the model in this process: with
encode threads, it takes its turn between batches) and picks up generations that writers
publish while the server runs.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.decomposition import PCA

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
    """Searches one index; ``embeddings`` supplies the shared batcher and vector cache."""

    def __init__(self, index: Any, embeddings: EmbeddingService, max_k: int) -> None:
        self.index = index
        self.embeddings = embeddings
        self.max_k = max_k
        self._checked = time.monotonic()
        self.on_top1: Any = None  # called with each search's best score (drift monitoring)

    def _search(self, req: SearchRequest, k: int) -> tuple[list[Any], Any]:
        """On the encoder's thread: refresh the generation now and then, then search; the hits
        and what correction and expansion did to the query."""
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
        hits, seen = await self.embeddings.batcher.run(self._search, req, k)
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
