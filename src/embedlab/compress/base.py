"""The compressor interface, and saving one.

A compressor is fitted on a sample of float32 vectors, then ``encode`` turns vectors into compact
codes, ``decode`` turns codes back into approximate float32 vectors, and ``scores`` compares float
queries with stored codes (asymmetric search: the query stays full precision). A saved compressor
is one ``.npz`` file (arrays plus a JSON header naming its method), no pickle; method strings and
loading are in :mod:`embedlab.compress.methods`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.files import atomic_file

MIN_CALIBRATION = 2


def as_matrix(vectors: Any, what: str = "vectors") -> np.ndarray:
    """A 2-D float32 matrix, or a clear error."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise EmbedlabError(f"{what} must be a 2-D matrix (n, dim), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise EmbedlabError(f"{what} contain NaN or infinite values")
    return arr


class Compressor(ABC):
    """Fit on a sample, then encode / decode / score; see the module docstring."""

    method: ClassVar[str]
    dim: int | None = None

    @property
    def spec(self) -> str:
        """The method string that rebuilds this compressor (before fitting)."""
        return self.method

    def fit(self, sample: np.ndarray) -> Compressor:
        sample = as_matrix(sample, "the calibration sample")
        if len(sample) < self.min_sample():
            raise EmbedlabError(f"{self.spec}: the calibration sample has {len(sample)} vectors; "
                                f"at least {self.min_sample()} are needed")
        self.dim = sample.shape[1]
        self._fit(sample)
        return self

    def min_sample(self) -> int:
        return MIN_CALIBRATION

    def _fit(self, sample: np.ndarray) -> None:  # noqa: B027 - most methods learn nothing
        pass

    def _check(self, vectors: np.ndarray) -> np.ndarray:
        vectors = as_matrix(vectors)
        if self.dim is None:
            raise EmbedlabError(f"{self.spec}: fit the compressor before using it")
        if vectors.shape[1] != self.dim:
            raise EmbedlabError(f"{self.spec}: vectors have dim {vectors.shape[1]}, the "
                                f"compressor was fitted on dim {self.dim}")
        return vectors

    @abstractmethod
    def encode(self, vectors: np.ndarray) -> np.ndarray:
        """Compact codes for float32 vectors ``(n, dim)``."""

    @abstractmethod
    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Approximate float32 vectors for codes (in the output space of the method)."""

    def transform_query(self, queries: np.ndarray) -> np.ndarray:
        """Float queries mapped into the space the decoded codes live in."""
        return self._check(queries)

    def scores(self, queries: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Similarity of float queries to stored codes, ``(n_queries, n_codes)``."""
        return self.transform_query(queries) @ self.decode(codes).T

    @abstractmethod
    def bytes_per_vector(self) -> float:
        """Storage cost of one encoded vector."""

    def output_dim(self, input_dim: int) -> int:
        """The dimension of decoded vectors for inputs of ``input_dim``."""
        return input_dim

    # -- persistence -------------------------------------------------------------------------
    def _state(self) -> dict[str, np.ndarray]:
        return {}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:  # noqa: B027
        pass

    def save(self, path: str | Path) -> Path:
        """Write the fitted state to one ``.npz`` file."""
        path = Path(path)
        if path.suffix != ".npz":  # numpy's own rule, kept: the file always ends in .npz
            path = path.with_suffix(path.suffix + ".npz")
        header = json.dumps({"spec": self.spec, "dim": self.dim})
        with atomic_file(path) as f:
            np.savez(f, __header__=np.array(header), **self._state())
        return path
