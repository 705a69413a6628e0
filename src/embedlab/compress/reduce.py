"""Dimension reduction: PCA, whitening (BERT-whitening, Su et al. 2021), Matryoshka truncation.

PCA uses scikit-learn. Whitening is BERT-whitening's closed form on the sample covariance
(``W = U diag(1/sqrt(s))``, optionally keeping the first k columns), in a few lines of numpy
rather than sklearn's ``PCA(whiten=True)``: with fewer sample vectors than dimensions some
variances are zero, which sklearn divides by (inf/NaN), while here they are floored. Outputs are
re-normalised, so cosine similarity stays a dot product.
"""

from __future__ import annotations

import numpy as np

from embedlab.compress.base import Compressor
from embedlab.embedders.base import l2_normalize
from embedlab.errors import EmbedlabError


class _Reducer(Compressor):
    """Projects to ``k`` float32 dimensions; decoding is the identity in the reduced space."""

    def __init__(self, k: int | None) -> None:
        self.k = k

    @property
    def spec(self) -> str:
        return f"{self.method}:{self.k}" if self.k else self.method

    def _check_k(self, dim: int) -> None:
        if self.k is not None and self.k > dim:
            raise EmbedlabError(f"{self.spec}: k={self.k} is larger than the vectors' "
                                f"dimension {dim}")

    def encode(self, vectors: np.ndarray) -> np.ndarray:
        return self._project(self._check(vectors))

    def decode(self, codes: np.ndarray) -> np.ndarray:
        return np.asarray(codes, dtype=np.float32)

    def transform_query(self, queries: np.ndarray) -> np.ndarray:
        return self._project(self._check(queries))

    def _project(self, vectors: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def bytes_per_vector(self) -> float:
        return 4.0 * (self.k or self.dim or 0)

    def output_dim(self, input_dim: int) -> int:
        return self.k or input_dim


class Pca(_Reducer):
    method = "pca"

    def __init__(self, k: int) -> None:
        super().__init__(k)
        self.mean: np.ndarray | None = None
        self.components: np.ndarray | None = None

    def min_sample(self) -> int:
        return max(2, self.k or 2)

    def _fit(self, sample: np.ndarray) -> None:
        from sklearn.decomposition import PCA

        self._check_k(sample.shape[1])
        pca = PCA(n_components=self.k, svd_solver="full").fit(sample)
        self.mean = pca.mean_.astype(np.float32)
        self.components = pca.components_.astype(np.float32)

    def _project(self, vectors: np.ndarray) -> np.ndarray:
        return l2_normalize((vectors - self.mean) @ self.components.T)

    def _state(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean, "components": self.components}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        self.mean, self.components = state["mean"], state["components"]


class Whitening(_Reducer):
    method = "whiten"

    def __init__(self, k: int | None = None) -> None:
        super().__init__(k)
        self.mean: np.ndarray | None = None
        self.kernel: np.ndarray | None = None

    def min_sample(self) -> int:
        return 2

    def _fit(self, sample: np.ndarray) -> None:
        self._check_k(sample.shape[1])
        mean = sample.mean(axis=0, keepdims=True)
        cov = np.cov((sample - mean).T)
        u, s, _ = np.linalg.svd(cov)
        if s[0] <= 1e-12:
            raise EmbedlabError(f"{self.spec}: the calibration sample is constant")
        kernel = u @ np.diag(1.0 / np.sqrt(np.maximum(s, s[0] * 1e-6)))
        self.mean = mean.astype(np.float32)
        self.kernel = kernel[:, : self.k].astype(np.float32) if self.k else kernel.astype(
            np.float32)

    def _project(self, vectors: np.ndarray) -> np.ndarray:
        return l2_normalize((vectors - self.mean) @ self.kernel)

    def bytes_per_vector(self) -> float:
        return 4.0 * (self.k or self.dim or 0)

    def _state(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean, "kernel": self.kernel}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        self.mean, self.kernel = state["mean"], state["kernel"]


class Matryoshka(_Reducer):
    """Keep the first k dimensions and re-normalise (for Matryoshka-trained models)."""

    method = "mrl"

    def __init__(self, k: int) -> None:
        super().__init__(k)

    def min_sample(self) -> int:
        return 0

    def fit(self, sample: np.ndarray) -> Compressor:
        sample = np.asarray(sample)
        self._check_k(sample.shape[-1])
        self.dim = int(sample.shape[-1])
        return self

    def _project(self, vectors: np.ndarray) -> np.ndarray:
        return l2_normalize(vectors[:, : self.k])
