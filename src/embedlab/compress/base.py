"""The compressor interface, method strings, and saving/loading.

A compressor is fitted on a sample of float32 vectors, then ``encode`` turns vectors into compact
codes, ``decode`` turns codes back into approximate float32 vectors, and ``scores`` compares float
queries with stored codes (asymmetric search: the query stays full precision). Methods are named
by strings such as ``int8``, ``binary:rescore=4``, ``pca:128``, ``whiten``, ``whiten:256``,
``mrl:128``, ``fp16``; ``parse_methods("int8,pca:128")`` gives fresh compressors.
Saved compressors are one ``.npz`` file (arrays plus a JSON header), no pickle.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.errors import EmbedlabError

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

    # -- persistence -------------------------------------------------------------------------
    def _state(self) -> dict[str, np.ndarray]:
        return {}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:  # noqa: B027
        pass

    def save(self, path: str | Path) -> Path:
        """Write the fitted state to one ``.npz`` file."""
        path = Path(path)
        header = json.dumps({"spec": self.spec, "dim": self.dim})
        np.savez(path, __header__=np.array(header), **self._state())
        return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")


def load_compressor(path: str | Path) -> Compressor:
    """A compressor saved by :meth:`Compressor.save`."""
    path = Path(path)
    if not path.is_file():
        raise EmbedlabError(f"{path}: compressor file not found")
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["__header__"]))
            state = {k: data[k] for k in data.files if k != "__header__"}
    except (ValueError, KeyError, OSError) as exc:
        raise EmbedlabError(f"{path}: not a saved compressor ({exc})") from None
    compressor = parse_method(header["spec"])
    compressor.dim = header["dim"]
    compressor._set_state(state)
    return compressor


def _split_spec(text: str) -> tuple[str, list[str], dict[str, str]]:
    name, _, rest = text.strip().partition(":")
    args, kwargs = [], {}
    for part in filter(None, (p.strip() for p in rest.split(":"))):
        if "=" in part:
            k, _, v = part.partition("=")
            kwargs[k.strip()] = v.strip()
        else:
            args.append(part)
    return name.strip().lower(), args, kwargs


def _positive_int(value: str, spec: str, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise EmbedlabError(f"method {spec!r}: {what} must be a whole number, not {value!r}") \
            from None
    if number < 1:
        raise EmbedlabError(f"method {spec!r}: {what} must be at least 1, got {number}")
    return number


def parse_method(spec: str) -> Compressor:
    """One compressor from a method string (see the module docstring for the grammar)."""
    from embedlab.compress.quantize import (
        BinaryQuantizer,
        Float16,
        Float32,
        ScalarQuantizer,
    )
    from embedlab.compress.reduce import Matryoshka, Pca, Whitening

    name, args, kwargs = _split_spec(spec)
    allowed_kwargs = {"binary": {"rescore"}}.get(name, set())
    unknown = set(kwargs) - allowed_kwargs
    if unknown:
        raise EmbedlabError(f"method {spec!r}: unknown option(s) {sorted(unknown)}")
    needs_k = {"pca", "mrl", "matryoshka"}
    takes_k = needs_k | {"whiten"}
    if name in needs_k and len(args) != 1:
        raise EmbedlabError(f"method {spec!r}: give the dimension, e.g. {name}:128")
    if (name not in takes_k and args) or len(args) > 1:
        raise EmbedlabError(f"method {spec!r}: unexpected argument(s) {args}")
    k = _positive_int(args[0], spec, "the dimension") if args else None
    if name in {"fp32", "float32"}:
        return Float32()
    if name in {"fp16", "float16"}:
        return Float16()
    if name in {"int8", "uint8"}:
        return ScalarQuantizer(signed=name == "int8")
    if name == "binary":
        rescore = _positive_int(kwargs.get("rescore", "4"), spec, "rescore")
        return BinaryQuantizer(rescore=rescore)
    if name == "pca":
        return Pca(k)  # type: ignore[arg-type]
    if name == "whiten":
        return Whitening(k)
    if name in {"mrl", "matryoshka"}:
        return Matryoshka(k)  # type: ignore[arg-type]
    raise EmbedlabError(f"unknown compression method {spec!r}; expected float32, fp16, int8, "
                        "uint8, binary[:rescore=N], pca:K, whiten[:K], mrl:K")


def parse_methods(text: str) -> list[Compressor]:
    """Compressors for a comma-separated list of method strings."""
    specs = [s for s in (p.strip() for p in text.split(",")) if s]
    if not specs:
        raise EmbedlabError("no compression methods given")
    return [parse_method(s) for s in specs]
