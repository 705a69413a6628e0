"""The data sets that evaluation tasks take, one small data class per kind of task.

In: what the loaders of :mod:`embedlab.data` read from users' files. Out: :class:`ScoredPairs`
(STS, document similarity), :class:`LabelledPairs` (pair classification),
:class:`LabelledTexts` / :class:`ClassificationData`, :class:`RetrievalData`,
:class:`WordPairs`, :class:`Analogies` and :class:`TextSet` (intrinsic geometry).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ScoredPairs:
    """Text pairs with a graded similarity (STS): ``scores[i]`` for ``(texts1[i], texts2[i])``."""

    name: str
    texts1: list[str]
    texts2: list[str]
    scores: np.ndarray


@dataclass
class LabelledPairs:
    """Text pairs with a binary label (1 = paraphrase/duplicate, 0 = not)."""

    name: str
    texts1: list[str]
    texts2: list[str]
    labels: np.ndarray


@dataclass
class LabelledTexts:
    """Texts with one class label each."""

    name: str
    texts: list[str]
    labels: list[str]


@dataclass
class ClassificationData:
    """A train and a test set of labelled texts."""

    name: str
    train: LabelledTexts
    test: LabelledTexts


@dataclass
class RetrievalData:
    """A corpus (id -> title + " " + text), queries (id -> text) and graded qrels.

    ``queries`` holds only the judged queries of the split; ``qrels[qid][docid]`` is the grade.
    """

    name: str
    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass
class WordPairs:
    """Word pairs with a human similarity score."""

    name: str
    words1: list[str]
    words2: list[str]
    scores: np.ndarray


@dataclass
class Analogies:
    """Analogy questions ``a : b :: c : d`` by section, in file order."""

    name: str
    sections: dict[str, list[tuple[str, str, str, str]]]


@dataclass
class TextSet:
    """Any texts, with labels where the file has them and positive pairs where it has pairs."""

    name: str
    texts: list[str]
    labels: list[str] | None = None
    pairs: tuple[list[str], list[str]] | None = None
