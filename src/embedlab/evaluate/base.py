"""What every evaluator shares: the model check, encoding, and the error for a model that does
not apply to a task.

An evaluator (sentence-transformers style) is built from one loaded data set, has a
``primary_metric`` name, and is called with a model: ``scores = evaluator(model)``, a
``dict[str, float]`` holding the primary metric and its companions (fractions 0..1 unless the
name says otherwise, e.g. counts).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from embedlab.embedders.base import Embedder, Kind
from embedlab.errors import EmbedlabError


class NotApplicableError(EmbedlabError):
    """This model cannot do this task (e.g. ``bm25`` has no vectors for STS).

    ``reason`` says why without naming the task, for notes that list several tasks.
    """

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


class Evaluator(ABC):
    """One task on one data set; call it with a model to get its scores."""

    #: the task family, as written before the colon in ``KIND:PATH``
    kind: ClassVar[str]
    #: the key of the main score in the returned dict
    primary_metric: ClassVar[str]

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
        """``model`` if it makes vectors, else NotApplicableError naming model and task."""
        if isinstance(model, Embedder):
            return model
        name = getattr(model, "name", type(model).__name__)
        reason = "it makes no vectors (it only ranks documents, for retrieval tasks)"
        raise NotApplicableError(f"model {name!r} does not apply to {self.kind}: {reason}",
                                 reason)

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
