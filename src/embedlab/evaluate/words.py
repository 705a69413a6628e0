"""Word-level access to a model: which words it knows, and its vocabulary as a matrix.

A word-vector model (:class:`~embedlab.embedders.static.WordVectorEmbedder`: a vocabulary of
words, one matrix row each) only knows its vocabulary: a word it has no token for cannot be
embedded. Other models (subword transformers, model2vec) embed any word.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.embedders.base import l2_normalize
from embedlab.embedders.static import WordVectorEmbedder


def can_embed(model: Any, word: str) -> bool:
    """Whether ``model`` has a vector for ``word`` (for word-vector models: a known token)."""
    if not word.strip():
        return False
    if not isinstance(model, WordVectorEmbedder):
        return True
    return any(token in model.vocab for token in model.tokenize(word))


def vocabulary_rows(model: WordVectorEmbedder, limit: int) -> tuple[list[str | None], np.ndarray]:
    """The first ``limit`` vocabulary words of a word-vector model (row order, most frequent
    first for frequency-sorted files) and their L2-normalised vectors."""
    n = min(limit, model.matrix.shape[0])
    words: list[str | None] = [None] * n
    for word, row in model.vocab.items():
        if row < n and words[row] is None:
            words[row] = word
    return words, l2_normalize(np.asarray(model.matrix[:n], dtype=np.float32))
