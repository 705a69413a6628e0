"""Measure what each compression method costs on a task: bytes, search time, score retention.

A :class:`CompressedModel` wraps an Embedder (any model object, through ``as_embedder``) and a
compressor; it meets the Embedder contract itself, so every evaluator runs unchanged:

- as an Embedder (STS, classification, clustering, ...), every vector goes through
  ``decode(encode(v))`` — both sides of a pair are compressed, as they would be when stored;
- as a retriever (retrieval tasks), the corpus is stored as codes and queries stay float:
  ``compressor.search`` ranks them (binary: Hamming candidates, then float rescoring).

The compressor is fitted on a sample of the corpus (retrieval) or of the first vectors it sees.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from embedlab.compress.base import Compressor
from embedlab.compress.methods import parse_methods
from embedlab.compress.quantize import BinaryQuantizer, Float32
from embedlab.embedders.adapter import as_embedder
from embedlab.embedders.base import BaseEmbedder, Kind, l2_normalize
from embedlab.ranking.topk import top_k

CALIBRATION_SIZE = 10_000


def calibration_sample(vectors: np.ndarray, size: int = CALIBRATION_SIZE,
                       seed: int = 0) -> np.ndarray:
    """Up to ``size`` rows drawn without replacement, reproducibly."""
    if len(vectors) <= size:
        return vectors
    rows = np.random.default_rng(seed).choice(len(vectors), size=size, replace=False)
    return vectors[np.sort(rows)]


def compressed_search(compressor: Compressor, queries: np.ndarray, codes: np.ndarray,
                      k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k ``(indices, scores)`` of float queries against stored codes."""
    if isinstance(compressor, BinaryQuantizer):
        return compressor.search(queries, codes, k)
    return top_k(compressor.transform_query(queries), compressor.decode(codes), k)


class CompressedRetriever:
    """Stores the corpus as codes; float queries; records the time spent searching."""

    def __init__(self, model: CompressedModel) -> None:
        self.model = model
        self.name = model.name
        self._ids: list[str] = []
        self._codes: np.ndarray | None = None
        self.search_seconds = 0.0
        self.queries_searched = 0

    def index(self, doc_ids: Sequence[str], docs: Sequence[str]) -> None:
        vectors = self.model.inner.encode(list(docs), batch_size=self.model.batch_size,
                                          kind="document", progress=self.model.progress)
        compressor = self.model.compressor
        compressor.fit(calibration_sample(vectors))
        self._ids = list(doc_ids)
        self._codes = compressor.encode(vectors)

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        q = self.model.inner.encode(list(queries), batch_size=self.model.batch_size,
                                    kind="query")
        start = time.perf_counter()
        idx, scores = compressed_search(self.model.compressor, q, self._codes, k)
        self.search_seconds += time.perf_counter() - start
        self.queries_searched += len(queries)
        self.model.last_retriever = self
        return [[(self._ids[i], float(s)) for i, s in zip(ri, rs, strict=True)]
                for ri, rs in zip(idx, scores, strict=True)]


@dataclass
class CompressedModel:
    """An Embedder seen through a compressor (see the module docstring).

    ``inner`` may be any model object: it is taken through ``as_embedder``. The compressor is
    fitted on the first call's vectors as a whole (not batch by batch), so this class implements
    the Embedder contract itself rather than subclassing the batched ``BaseEmbedder``.
    """

    inner: BaseEmbedder
    compressor: Compressor
    batch_size: int = 32
    progress: bool = False
    last_retriever: CompressedRetriever | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.inner = as_embedder(self.inner)

    @property
    def name(self) -> str:
        return f"{self.inner.name}+{self.compressor.spec}"

    @property
    def dim(self) -> int:
        return int(self.compressor.output_dim(self.inner.dim))

    @property
    def modality(self) -> str:
        return self.inner.modality

    @property
    def window(self) -> int | None:
        return self.inner.window

    @property
    def fingerprint(self) -> str:
        return f"{self.inner.fingerprint}|{self.compressor.spec}"

    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]:
        return self.inner.count_tokens(texts, kind)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, normalize: bool = True,
               kind: Kind = "document", progress: bool = False) -> np.ndarray:
        vectors = self.inner.encode(texts, batch_size=batch_size, kind=kind, progress=progress)
        if self.compressor.dim is None:
            self.compressor.fit(calibration_sample(vectors))
        out = self.compressor.decode(self.compressor.encode(vectors))
        return l2_normalize(out) if normalize else out

    def make_retriever(self, *, batch_size: int = 32, progress: bool = False) -> Any:
        self.batch_size, self.progress = batch_size, progress
        return CompressedRetriever(self)


@dataclass
class CompressionResult:
    """One method on one task: cost, speed, and quality against float32."""

    method: str
    task: str
    main_metric: str
    main_score: float
    retention: float
    bytes_per_vector: float
    compression: float
    search_ms_per_query: float | None
    scores: dict[str, float]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_compression(embedder: Any, task: Any, methods: str | list[Compressor], *,
                         batch_size: int = 32, progress: bool = False) -> list[CompressionResult]:
    """The float32 baseline and each method on ``task`` (a parsed ``embedlab`` task);
    ``embedder`` is any model object (see ``as_embedder``)."""
    embedder = as_embedder(embedder)
    compressors = parse_methods(methods) if isinstance(methods, str) else methods
    float_bytes = 4.0 * embedder.dim
    results: list[CompressionResult] = []
    entries: list[tuple[str, CompressedModel]] = [("float32", _Float32(embedder))]
    entries += [(c.spec, CompressedModel(embedder, c)) for c in compressors]
    base_score: float | None = None
    for spec, model in entries:
        start = time.perf_counter()
        scores = task.evaluator(batch_size=batch_size, progress=progress)(model)
        seconds = time.perf_counter() - start
        main = float(scores[task.primary_metric])
        base_score = main if base_score is None else base_score
        retriever = model.last_retriever
        size = model.compressor.bytes_per_vector()
        search_ms = (1000 * retriever.search_seconds / max(retriever.queries_searched, 1)
                     if retriever else None)
        results.append(CompressionResult(
            method=spec, task=task.name, main_metric=task.primary_metric, main_score=main,
            retention=main / base_score if base_score else float("nan"),
            bytes_per_vector=size, compression=float_bytes / size if size else float("nan"),
            search_ms_per_query=search_ms, scores=dict(scores), seconds=round(seconds, 3),
        ))
    return results


class _Float32(CompressedModel):
    """The uncompressed baseline, timed through the same retrieval path."""

    def __init__(self, inner: BaseEmbedder) -> None:
        super().__init__(inner, Float32())

    @property
    def name(self) -> str:
        return self.inner.name
