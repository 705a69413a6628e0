"""Word-level access to a model: which words it knows, and its vocabulary as a matrix.

A word-vector model (an Embedder with a ``vocab`` dict word -> row, like embedlab's static
word vectors) only knows its vocabulary: a word it has no token for cannot be embedded. Other
models (subword transformers, model2vec) embed any word.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.embedders.base import l2_normalize


def has_vocab(model: Any) -> bool:
    """Whether ``model`` is a word-vector model with a vocabulary."""
    return isinstance(getattr(model, "vocab", None), dict)


def word_tokens(model: Any, word: str) -> list[str]:
    """The vocabulary keys ``model`` looks up for ``word``."""
    tokenize = getattr(model, "tokenize", None)
    if callable(tokenize):
        return list(tokenize(word))
    return [word.lower() if getattr(model, "lowercase", False) else word]


def can_embed(model: Any, word: str) -> bool:
    """Whether ``model`` has a vector for ``word`` (for word-vector models: a known token)."""
    if not word.strip():
        return False
    if not has_vocab(model):
        return True
    return any(token in model.vocab for token in word_tokens(model, word))


def vocabulary_rows(model: Any, limit: int) -> tuple[list[str | None], np.ndarray]:
    """The first ``limit`` vocabulary words of a word-vector model (row order, most frequent
    first for frequency-sorted files) and their L2-normalised vectors."""
    size = len(model.vocab)
    matrix = getattr(model, "matrix", None)
    if isinstance(matrix, np.ndarray):
        size = matrix.shape[0]
    n = min(limit, size)
    words: list[str | None] = [None] * n
    for word, row in model.vocab.items():
        if row < n and words[row] is None:
            words[row] = word
    if isinstance(matrix, np.ndarray):
        vectors = l2_normalize(np.asarray(matrix[:n], dtype=np.float32))
    else:
        vectors = np.asarray(model.encode([w or "" for w in words], normalize=True, kind="query"),
                             dtype=np.float32)
    return words, vectors
