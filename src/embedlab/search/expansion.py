"""Query expansion: neighbour terms, and pseudo-relevance feedback (RM3 and Rocchio).

In: a query's BM25 tokens (``analyse``, the index's BM25 analyser: lower case, stop words out,
stemmed) and, for neighbours, a :class:`~embedlab.search.wordspace.WordSpace`; for feedback,
the texts and scores of the first search's best chunks, or their vectors. Out: a BM25 query as
``token -> weight`` (the query's own tokens keep weight 1 per occurrence) or a dense query
vector.

- ``neighbours``: for each query word of :data:`MIN_LETTERS` or more letters that is not a
  stop word (scikit-learn's English list, longer than BM25's), up to :data:`NEIGHBOURS` index
  words whose vectors are within cosine :data:`THRESHOLD` of it; each adds its BM25 tokens
  with weight ``NEIGHBOUR_WEIGHT * cosine`` (lower than the query's own words). Dense search
  is unchanged.
- ``prf`` on BM25, RM3 (Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004, with Anserini's
  defaults): the top :data:`FEEDBACK_DOCS` chunks, each token's share of a chunk weighted by
  the chunk's share of the scores; the :data:`FEEDBACK_TERMS` heaviest tokens, mixed with the
  query as ``ORIGINAL_WEIGHT * query + (1 - ORIGINAL_WEIGHT) * feedback``, both normalised.
- ``prf`` on dense, Rocchio (1971): ``q + ROCCHIO_BETA * mean(top ROCCHIO_DOCS vectors)``,
  L2-normalised.

These are a few lines of arithmetic each over the index's own BM25 and vectors, so they are
written here (the libraries that ship RM3, Pyserini and PyTerrier, need Java).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from embedlab.search.vocabulary import words_of
from embedlab.search.wordspace import WordSpace

EXPANSIONS = ("neighbours", "prf")
NEIGHBOURS = 2
THRESHOLD = 0.8
NEIGHBOUR_WEIGHT = 0.25
MIN_LETTERS = 4
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 10
ORIGINAL_WEIGHT = 0.5
ROCCHIO_DOCS = 3
ROCCHIO_BETA = 0.5

Analyse = Callable[[Sequence[str]], list[list[str]]]


def neighbour_terms(query: str, space: WordSpace, analyse: Analyse
                    ) -> tuple[dict[str, float], list[str]]:
    """The query's BM25 tokens plus its words' neighbours; and the neighbour words added."""
    weights: dict[str, float] = dict(Counter(analyse([query])[0]))
    own = set(weights)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as STOP

    words = [w for w in dict.fromkeys(words_of(query)) if len(w) >= MIN_LETTERS
             and w not in STOP]
    words = [w for w, toks in zip(words, analyse(words), strict=True) if toks]
    added: list[str] = []
    found = [(n, sim) for w in words for n, sim in space.neighbours(w, NEIGHBOURS, THRESHOLD)
             if n not in STOP]
    tokens = analyse([n for n, _ in found]) if found else []
    for (word, sim), toks in zip(found, tokens, strict=True):
        fresh = [t for t in toks if t not in own]
        for t in fresh:
            weights[t] = max(weights.get(t, 0.0), NEIGHBOUR_WEIGHT * sim)
        if fresh:
            added.append(word)
    return weights, added


def rm3_terms(query: str, texts: Sequence[str], scores: Sequence[float], analyse: Analyse
              ) -> tuple[dict[str, float], list[str]]:
    """RM3's ``token -> weight`` from the first search's best chunks; and the tokens added."""
    query_tokens = Counter(analyse([query])[0])
    if not texts or not query_tokens:
        return dict(query_tokens), []
    share = np.asarray(scores[:FEEDBACK_DOCS], dtype=np.float64)
    share = share / share.sum() if share.sum() > 0 else np.full(len(share), 1 / len(share))
    model: Counter[str] = Counter()
    for tokens, w in zip(analyse(list(texts[:FEEDBACK_DOCS])), share, strict=False):
        if tokens:
            for t, c in Counter(tokens).items():
                model[t] += w * c / len(tokens)
    top = [(t, v) for t, v in model.most_common(FEEDBACK_TERMS) if v > 0]
    total_fb = sum(v for _, v in top) or 1.0
    total_q = sum(query_tokens.values())
    weights: dict[str, float] = {}
    for t, c in query_tokens.items():
        weights[t] = ORIGINAL_WEIGHT * c / total_q
    for t, v in top:
        weights[t] = weights.get(t, 0.0) + (1 - ORIGINAL_WEIGHT) * v / total_fb
    return weights, [t for t, _ in top if t not in query_tokens]


def rocchio(query: np.ndarray, feedback: np.ndarray) -> np.ndarray:
    """The query vector moved toward the mean of the feedback vectors, L2-normalised."""
    moved = np.asarray(query, dtype=np.float32)
    if len(feedback):
        moved = moved + ROCCHIO_BETA * np.asarray(feedback, dtype=np.float32).mean(0)
    norm = float(np.linalg.norm(moved))
    return moved / norm if norm > 0 else moved
