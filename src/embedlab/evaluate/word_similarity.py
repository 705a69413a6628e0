"""Word similarity: cosine of two words' vectors against human scores (WordSim-353, SimLex-999).

In: :class:`~embedlab.data.datasets.WordPairs`. A pair is skipped when the model cannot embed one
of its words (word-vector models: no known token; see :mod:`embedlab.evaluate.words`), as
gensim's ``evaluate_word_pairs`` does. Out: ``spearman`` (main) and ``pearson`` over the pairs
kept, ``pairs`` (how many were kept) and ``skipped`` (how many were not) -- the last two are
counts. Words are encoded with ``kind="query"``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.data.datasets import WordPairs
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Evaluator, row_cosines
from embedlab.evaluate.sts import correlations
from embedlab.evaluate.words import can_embed


class WordSimilarityEvaluator(Evaluator):
    """Spearman of cosine against human word-pair scores (see the module docstring)."""

    kind: ClassVar[str] = "word-similarity"
    primary_metric: ClassVar[str] = "spearman"

    def __init__(self, data: WordPairs, *, batch_size: int = 32, progress: bool = False):
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data

    def __call__(self, model: Any) -> dict[str, float]:
        embedder = self.embedder(model)
        words1, words2 = self.data.words1, self.data.words2
        keep = np.array([can_embed(embedder, a) and can_embed(embedder, b)
                         for a, b in zip(words1, words2, strict=True)], dtype=bool)
        kept = int(keep.sum())
        if kept < 2:
            raise EmbedlabError(f"{self.data.name}: model {embedder.name!r} knows the words of "
                                f"only {kept} of {len(keep)} pairs; nothing to correlate")
        first = [w for w, k in zip(words1, keep, strict=True) if k]
        second = [w for w, k in zip(words2, keep, strict=True) if k]
        vectors = self.encode(embedder, first + second)
        similarity = row_cosines(vectors[:kept], vectors[kept:])
        scores = correlations(similarity, self.data.scores[keep])
        scores.update(pairs=float(kept), skipped=float(len(keep) - kept))
        return scores
