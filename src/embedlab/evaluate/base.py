"""What every evaluator shares: the model check, encoding, and the error for a model that does
not apply to a task; and what a model is to evaluation.

A model is an Embedder (an object with only ``name``, ``dim`` and ``encode`` is wrapped by
:func:`~embedlab.embedders.adapter.as_embedder`), or a pseudo-model that ranks documents
without vectors: a :class:`RetrieverModel` (``make_retriever()``) or a :class:`Retriever`.

An evaluator (sentence-transformers style) is built from one loaded data set, has a
``primary_metric`` name, and is called with a model: ``scores = evaluator(model)``, a
``dict[str, float]`` holding the primary metric and its companions (fractions 0..1 unless the
name says otherwise, e.g. counts).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from embedlab.embedders.adapter import as_embedder
from embedlab.embedders.base import Embedder, Kind
from embedlab.errors import EmbedlabError

Ranked = list[list[tuple[str, float]]]


class NotApplicableError(EmbedlabError):
    """This model cannot do this task (e.g. ``bm25`` has no vectors for STS).

    ``reason`` says why without naming the task, for notes that list several tasks.
    """

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


@runtime_checkable
class Retriever(Protocol):
    """Ranks the documents of one indexed corpus for queries."""

    name: str

    def index(self, doc_ids: Sequence[str], docs: Sequence[str]) -> None:
        """Take the corpus (called once, before any search)."""

    def search(self, queries: Sequence[str], k: int) -> Ranked:
        """Per query, up to ``k`` ``(doc_id, score)`` pairs, best first."""


@runtime_checkable
class RetrieverModel(Protocol):
    """A model that is not an Embedder but can retrieve (e.g. ``bm25``)."""

    name: str

    def make_retriever(self, *, batch_size: int = 32, progress: bool = False) -> Retriever:
        """A fresh retriever, ready to index a corpus."""


def model_name(model: Any) -> str:
    """The name a model is reported under: an Embedder's or a retriever's ``name`` (or any
    string ``name`` it has), else the name of its type."""
    if isinstance(model, (Embedder, RetrieverModel, Retriever)):
        return str(model.name)
    name = getattr(model, "name", None)  # e.g. a recommender model
    return name if isinstance(name, str) else type(model).__name__


class Evaluator(ABC):
    """One task on one data set; call it with a model to get its scores."""

    #: the task family, as written before the colon in ``KIND:PATH``
    kind: ClassVar[str]
    #: the key of the main score in the returned dict
    primary_metric: ClassVar[str]
    #: what the task's items are (an embedder of another modality does not apply)
    modality: ClassVar[str] = "text"
    #: other modalities whose embedders also apply (e.g. a word2vec file keyed by node id loads
    #: as a static text model, and a node task takes it)
    also_accepts: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, batch_size: int = 32, progress: bool = False) -> None:
        if batch_size < 1:
            raise EmbedlabError(f"batch size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self.progress = progress

    @property
    def main_metric(self) -> str:
        """Alias of ``primary_metric``."""
        return self.primary_metric

    @abstractmethod
    def __call__(self, model: Any) -> dict[str, float]:
        """Scores of ``model`` on this data set."""

    def embedder(self, model: Any) -> Embedder:
        """``model`` as an Embedder (see :func:`~embedlab.embedders.adapter.as_embedder`) if it
        makes vectors for this task's items, else NotApplicableError naming model and task."""
        if isinstance(model, Embedder):
            embedder = model
        else:
            try:
                embedder = as_embedder(model)
            except EmbedlabError:
                reason = "it makes no vectors (it only ranks documents, for retrieval tasks)"
                raise NotApplicableError(
                    f"model {model_name(model)!r} does not apply to {self.kind}: {reason}",
                    reason) from None
        modality = getattr(embedder, "modality", "text")
        if modality != self.modality and modality not in self.also_accepts:
            reason = f"it takes {modality} inputs, the task has {self.modality} inputs"
            raise NotApplicableError(
                f"model {model_name(model)!r} does not apply to {self.kind}: {reason}", reason)
        return embedder

    def encode(self, model: Any, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        """L2-normalised float32 vectors of ``texts`` (duplicates are encoded once)."""
        embedder = self.embedder(model)
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        vectors = embedder.encode(list(texts), batch_size=self.batch_size, normalize=True,
                                  kind=kind, progress=self.progress)
        return np.asarray(vectors, dtype=np.float32)


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of row i of ``a`` with row i of ``b`` (float64; a zero row gives 0)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.einsum("ij,ij->i", a, b) / np.maximum(norms, 1e-12)
