"""Precision reduction: float16, int8/uint8 scalar quantization, binary (sign) quantization.

Scalar quantization maps each dimension's calibrated range (robust percentiles of a sample, so
one outlier does not waste the grid) onto 256 levels, as sentence-transformers' ``quantize
_embeddings`` does; values outside the range are clipped. Binary keeps the sign bit per
dimension, packed 8 to a byte; search ranks by Hamming distance, then rescores the top
``k * rescore`` candidates with the float query against the ±1 document vectors.
"""

from __future__ import annotations

import numpy as np

from embedlab.compress.base import Compressor
from embedlab.errors import EmbedlabError


class Float32(Compressor):
    """No compression: the float32 baseline, through the same interface."""

    method = "float32"

    def min_sample(self) -> int:
        return 0

    def encode(self, vectors: np.ndarray) -> np.ndarray:
        return self._check(vectors).copy()

    def decode(self, codes: np.ndarray) -> np.ndarray:
        return np.asarray(codes, dtype=np.float32)

    def bytes_per_vector(self) -> float:
        return 4.0 * (self.dim or 0)


class Float16(Compressor):
    method = "fp16"

    def encode(self, vectors: np.ndarray) -> np.ndarray:
        return self._check(vectors).astype(np.float16)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        return np.asarray(codes, dtype=np.float32)

    def bytes_per_vector(self) -> float:
        return 2.0 * (self.dim or 0)


class ScalarQuantizer(Compressor):
    """int8 (signed) or uint8 codes from per-dimension ranges calibrated on a sample."""

    def __init__(self, signed: bool = True, percentile: float = 0.0) -> None:
        self.signed = signed
        self.percentile = percentile
        self.low: np.ndarray | None = None
        self.step: np.ndarray | None = None

    @property
    def method(self) -> str:  # type: ignore[override]
        return "int8" if self.signed else "uint8"

    def _fit(self, sample: np.ndarray) -> None:
        low = np.percentile(sample, self.percentile, axis=0)
        high = np.percentile(sample, 100 - self.percentile, axis=0)
        if np.all(high - low <= 0):
            raise EmbedlabError(f"{self.spec}: the calibration sample is constant; it cannot "
                                "set quantization ranges")
        self.low = low.astype(np.float32)
        self.step = (np.maximum(high - low, 1e-12) / 255.0).astype(np.float32)

    def encode(self, vectors: np.ndarray) -> np.ndarray:
        vectors = self._check(vectors)
        levels = np.clip(np.rint((vectors - self.low) / self.step), 0, 255)
        if self.signed:
            return (levels - 128).astype(np.int8)
        return levels.astype(np.uint8)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        levels = codes.astype(np.float32) + (128.0 if self.signed else 0.0)
        return levels * self.step + self.low

    def max_error(self) -> np.ndarray:
        """The largest absolute round-trip error per dimension for values inside the range."""
        return self.step / 2

    def bytes_per_vector(self) -> float:
        return float(self.dim or 0)

    def _state(self) -> dict[str, np.ndarray]:
        return {"low": self.low, "step": self.step}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        self.low, self.step = state["low"], state["step"]


class BinaryQuantizer(Compressor):
    """One sign bit per dimension; Hamming search with float rescoring (see module docstring)."""

    method = "binary"

    def __init__(self, rescore: int = 4) -> None:
        self.rescore = rescore

    @property
    def spec(self) -> str:
        return f"binary:rescore={self.rescore}"

    def min_sample(self) -> int:
        return 0  # the sign needs no calibration

    def fit(self, sample: np.ndarray) -> Compressor:
        if self.dim is None:
            super().fit(sample)
        return self

    def encode(self, vectors: np.ndarray) -> np.ndarray:
        if self.dim is None:
            self.dim = int(np.asarray(vectors).shape[1])
        return np.packbits(self._check(vectors) > 0, axis=1)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        bits = np.unpackbits(codes, axis=1, count=self.dim).astype(np.float32)
        return (bits * 2 - 1) / np.sqrt(self.dim)

    def hamming(self, queries: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Hamming distances ``(n_queries, n_codes)`` between float queries' signs and codes."""
        q = np.packbits(self._check(queries) > 0, axis=1)
        x = np.bitwise_xor(q[:, None, :], codes[None, :, :])
        return np.unpackbits(x, axis=2).sum(axis=2, dtype=np.int32)

    def search(self, queries: np.ndarray, codes: np.ndarray, k: int) -> tuple[np.ndarray,
                                                                             np.ndarray]:
        """Top-k (indices, scores) per query: Hamming candidates, then float rescoring.

        Always ``min(k, n_codes)`` results per query, however small ``rescore`` is.
        """
        queries = self._check(queries)
        n = codes.shape[0]
        k = min(k, n)
        pool = min(n, max(k * self.rescore, k))
        out_idx = np.empty((len(queries), k), dtype=np.int64)
        out_scores = np.empty((len(queries), k), dtype=np.float32)
        for start in range(0, len(queries), 64):  # bounded memory: 64 queries at a time
            q = queries[start : start + 64]
            dist = self.hamming(q, codes)
            cand = np.argpartition(dist, pool - 1, axis=1)[:, :pool]
            docs = self.decode(codes[cand.reshape(-1)]).reshape(len(q), pool, -1)
            s = np.einsum("qd,qpd->qp", q, docs)
            order = np.argsort(-s, axis=1)[:, :k]
            out_idx[start : start + len(q)] = np.take_along_axis(cand, order, axis=1)
            out_scores[start : start + len(q)] = np.take_along_axis(s, order, axis=1)
        return out_idx, out_scores

    def bytes_per_vector(self) -> float:
        return float(np.ceil((self.dim or 0) / 8))
