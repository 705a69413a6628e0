"""Word analogies ``a : b :: c : ?`` by 3CosAdd and 3CosMul (gensim's questions-words.txt).

In: :class:`~embedlab.data.datasets.Analogies`. The answer is the candidate word ``x`` (never
``a``, ``b`` or ``c``) that maximises

- 3CosAdd: ``cos(x, b) - cos(x, a) + cos(x, c)`` (Mikolov et al. 2013);
- 3CosMul: ``cos'(x, b) cos'(x, c) / (cos'(x, a) + eps)``, ``cos' = (cos + 1) / 2``,
  ``eps = 1e-3`` (Levy & Goldberg 2014).

Candidates: for word-vector models, the first ``vocab_limit`` vocabulary words (default 300,000,
gensim's default), matched case-insensitively, as gensim's ``evaluate_word_analogies`` does; for
other models, every distinct word of the analogy file (the first ``vocab_limit`` of them, in file
order), matched exactly. A question with a word outside the candidates is skipped, not wrong.

Out: ``3cosadd`` (main) and ``3cosmul`` accuracy over the answered questions, the same per
section (``3cosadd:<section>``), and the counts ``answered`` and ``skipped``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, ClassVar

import numpy as np

from embedlab.data.datasets import Analogies
from embedlab.embedders.static import WordVectorEmbedder
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Evaluator
from embedlab.evaluate.words import vocabulary_rows
from embedlab.progress import progress_bar

DEFAULT_VOCAB_LIMIT = 300_000
SCORE_BUDGET = 20_000_000  # floats per similarity block: bounds memory whatever the vocabulary


class _Space:
    """Candidate keys, their unit vectors, and how question words map to them."""

    def __init__(self, keys: list[str | None], vectors: np.ndarray, fold: Any) -> None:
        self.keys = keys
        self.vectors = vectors
        self.fold = fold
        self.row: dict[str, int] = {}
        self.rows_of: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            if key is None:
                continue
            self.row.setdefault(key, i)
            self.rows_of[key].append(i)


class AnalogyEvaluator(Evaluator):
    """3CosAdd and 3CosMul accuracy, overall and per section (see the module docstring)."""

    kind: ClassVar[str] = "analogy"
    primary_metric: ClassVar[str] = "3cosadd"

    def __init__(self, data: Analogies, *, batch_size: int = 32, progress: bool = False,
                 vocab_limit: int | None = None, epsilon: float = 1e-3) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        if vocab_limit is not None and vocab_limit < 1:
            raise EmbedlabError(f"vocabulary limit must be at least 1, got {vocab_limit}")
        self.data = data
        self.vocab_limit = vocab_limit
        self.epsilon = epsilon

    def space(self, model: Any) -> _Space:
        """The candidate words of ``model`` and their vectors."""
        embedder = self.embedder(model)
        if isinstance(embedder, WordVectorEmbedder):
            words, vectors = vocabulary_rows(embedder, self.vocab_limit or DEFAULT_VOCAB_LIMIT)
            return _Space([w.upper() if w is not None else None for w in words], vectors,
                          str.upper)
        words = list(dict.fromkeys(w for qs in self.data.sections.values() for q in qs
                                   for w in q))
        words = words[:self.vocab_limit] if self.vocab_limit else words
        return _Space(list(words), self.encode(embedder, words), lambda w: w)

    def __call__(self, model: Any) -> dict[str, float]:
        space = self.space(model)
        questions = [(section, tuple(space.fold(w) for w in q))
                     for section, qs in self.data.sections.items() for q in qs]
        answerable = [(s, q) for s, q in questions if all(w in space.row for w in q)]
        add_ok, mul_ok = self._answer([q for _, q in answerable], space)
        scores: dict[str, float] = {}
        n = len(answerable)
        scores["3cosadd"] = float(add_ok.mean()) if n else 0.0
        scores["3cosmul"] = float(mul_ok.mean()) if n else 0.0
        sections = np.array([s for s, _ in answerable], dtype=object)
        for section in self.data.sections:
            mask = sections == section
            if mask.any():
                scores[f"3cosadd:{section}"] = float(add_ok[mask].mean())
                scores[f"3cosmul:{section}"] = float(mul_ok[mask].mean())
        scores["answered"] = float(n)
        scores["skipped"] = float(len(questions) - n)
        return scores

    def _answer(self, questions: list[tuple[str, ...]], space: _Space
                ) -> tuple[np.ndarray, np.ndarray]:
        """Whether 3CosAdd and 3CosMul find ``d`` for each ``(a, b, c, d)``.

        Questions go in blocks; each block computes the similarities of its distinct question
        words to all candidates once, then combines rows in place (row-wise numpy operations,
        which are much faster than gathering whole blocks).
        """
        add_ok = np.zeros(len(questions), dtype=bool)
        mul_ok = np.zeros(len(questions), dtype=bool)
        vectors = space.vectors
        transposed = np.ascontiguousarray(vectors.T)
        chunk = max(1, SCORE_BUDGET // max(1, vectors.shape[0]))
        buffer = np.empty((min(chunk, len(questions)), vectors.shape[0]), dtype=np.float32)
        with progress_bar(self.progress, len(questions), "answering analogies") as advance:
            for start in range(0, len(questions), chunk):
                block = questions[start:start + chunk]
                m = len(block)
                rows = np.array([[space.row[w] for w in q[:3]] for q in block])
                unique, inverse = np.unique(rows, return_inverse=True)
                abc = inverse.reshape(rows.shape)
                sims = np.asarray(vectors[unique] @ transposed, dtype=np.float32)
                score = buffer[:m]
                for i, (a, b, c) in enumerate(abc):  # 3CosAdd: b - a + c
                    np.add(sims[b], sims[c], out=score[i])
                    score[i] -= sims[a]
                add_ok[start:start + m] = self._hits(score, block, space)
                sims += 1.0  # 3CosMul, on cosines shifted to [0, 1]
                sims *= 0.5
                denominators = sims + self.epsilon
                for i, (a, b, c) in enumerate(abc):
                    np.multiply(sims[b], sims[c], out=score[i])
                    score[i] /= denominators[a]
                mul_ok[start:start + m] = self._hits(score, block, space)
                advance(m)
        return add_ok, mul_ok

    @staticmethod
    def _hits(score: np.ndarray, block: list[tuple[str, ...]], space: _Space) -> list[bool]:
        """Whether the best candidate, never a question word, is ``d`` (``score`` is changed)."""
        for i, q in enumerate(block):
            for word in q[:3]:
                score[i, space.rows_of[word]] = -np.inf
        return [space.keys[j] == q[3] for j, q in zip(score.argmax(1), block, strict=True)]
