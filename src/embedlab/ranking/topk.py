"""Exact top-k by inner product, in bounded memory.

In: query and document matrices (float32, rows are vectors) and ``k``. Out: ``(indices,
scores)``, each ``(len(queries), min(k, len(docs)))``, best first. Written with numpy rather
than a vector library because evaluation, compression measurements and mining need an exact
reference with a fixed tie order (score descending, then document index ascending), and this
is a few lines.
"""

from __future__ import annotations

import numpy as np

from embedlab.progress import progress_bar


def top_k(
    queries: np.ndarray,
    docs: np.ndarray,
    k: int,
    *,
    query_chunk: int = 256,
    doc_chunk: int = 50_000,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k by inner product: ``(indices, scores)``, each ``(len(queries), min(k, n))``.

    Memory stays at about ``query_chunk * (doc_chunk + k)`` floats whatever the corpus size.
    Rows are ordered by score descending, then document index ascending.
    """
    n_docs = docs.shape[0]
    k = min(k, n_docs)
    n_q = queries.shape[0]
    out_idx = np.zeros((n_q, k), dtype=np.int64)
    out_scores = np.zeros((n_q, k), dtype=np.float32)
    if k == 0 or n_q == 0:
        return out_idx, out_scores
    with progress_bar(progress and n_q > query_chunk, n_q, "searching") as advance:
        for q0 in range(0, n_q, query_chunk):
            block = queries[q0:q0 + query_chunk]
            best_idx = np.zeros((len(block), 0), dtype=np.int64)
            best = np.zeros((len(block), 0), dtype=np.float32)
            for d0 in range(0, n_docs, doc_chunk):
                scores = block @ docs[d0:d0 + doc_chunk].T
                idx = np.broadcast_to(np.arange(d0, d0 + scores.shape[1]), scores.shape)
                best = np.concatenate([best, scores], axis=1)
                best_idx = np.concatenate([best_idx, idx], axis=1)
                if best.shape[1] > k:
                    keep = np.argpartition(-best, k - 1, axis=1)[:, :k]
                    best = np.take_along_axis(best, keep, axis=1)
                    best_idx = np.take_along_axis(best_idx, keep, axis=1)
            order = np.lexsort((best_idx, -best), axis=1)
            out_idx[q0:q0 + len(block)] = np.take_along_axis(best_idx, order, axis=1)
            out_scores[q0:q0 + len(block)] = np.take_along_axis(best, order, axis=1)
            advance(len(block))
    return out_idx, out_scores
