"""The Embedder contract and the encode path every backend shares.

:class:`Embedder` is what every later stage (evaluate, search, serve, ...) may rely on:
``name``, ``dim``, ``modality``, ``fingerprint``, ``window``, ``encode`` and ``count_tokens``.
:class:`BaseEmbedder` implements it, with defaults for the optional parts (token counting,
a tokenizer for chunking, and the speed hooks: worker threads, packed passes), so callers call
methods instead of probing with ``getattr``. An object from elsewhere that only has ``name``,
``dim`` and ``encode`` is wrapped by :func:`embedlab.embedders.adapter.as_embedder`.

A backend subclasses :class:`BaseEmbedder` and supplies small hooks:

- ``_prepare(items, kind)``: turn inputs into prepared items whose ``len()`` is their cost
  (token ids for transformer models, the texts themselves otherwise);
- ``_embed_items(prepared, kind)``: float32 vectors, shape ``(len(prepared), dim)``, not
  normalised;
- optionally ``_split_item(item)`` (pieces within the model window, for ``long="chunk"``),
  ``_truncates(item)`` (whether the model window cuts this item), and, for a modality other
  than text, ``_check_item(item)`` and ``_item_bytes(item)`` (what the cache keys on).

The shared path does the rest: duplicate inputs are encoded once (any hashable input), cached
vectors are reused, items are sorted by length into batches (less padding) and put back in
order, long texts are truncated (and counted) or split and mean-pooled, and rows are
L2-normalised without NaNs. A backend with ``workers > 1`` has its batches encoded by that
many threads at once (each set up by ``init_worker``, e.g. with its own torch thread count).
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from embedlab.embedders.cache import CacheWriter, VectorCache, default_cache_dir, item_key
from embedlab.errors import EmbedlabError
from embedlab.progress import progress_bar

Kind = Literal["query", "document"]
KINDS: tuple[str, ...] = ("query", "document")
#: what an embedder takes: ``text`` now; ``image`` (files) and ``node`` (graph ids) plug in
MODALITIES: tuple[str, ...] = ("text", "image", "node")


class LongTextMode(StrEnum):
    """What to do with a text longer than the model's window."""

    TRUNCATE = "truncate"
    CHUNK = "chunk"


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns items (texts, or what its ``modality`` names) into float32 vectors.

    ``fingerprint`` changes whenever the vectors would (weights, pooling, window, prompts): it
    keys caches and is recorded beside stored vectors. ``window`` is the tokens per input for
    text models (None where there is no limit). ``count_tokens`` gives the tokens each text
    costs before truncation (words where a model has no tokenizer).
    """

    name: str
    dim: int
    modality: str
    window: int | None

    @property
    def fingerprint(self) -> str: ...

    def encode(
        self,
        items: Sequence[Any],
        *,
        batch_size: int = 32,
        normalize: bool = True,
        kind: Kind = "document",
        progress: bool = False,
    ) -> np.ndarray: ...

    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]: ...


@dataclass
class EncodeStats:
    """What one encode call did: counts that go into summaries and reports."""

    count: int = 0
    unique: int = 0
    cache_hits: int = 0
    encoded: int = 0
    truncated: int = 0
    chunked: int = 0
    oov_tokens: int = 0
    tokens: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "extra"}
        out["seconds"] = round(self.seconds, 4)
        out.update(self.extra)
        return out


@dataclass
class EncodeResult:
    vectors: np.ndarray
    stats: EncodeStats


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation; an all-zero row stays zero instead of becoming NaN."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class BaseEmbedder(ABC):
    """The shared encode path; see the module docstring for the hooks a backend supplies."""

    name: str
    dim: int
    #: what ``encode`` takes (one of MODALITIES)
    modality: str = "text"
    #: the model window in tokens, or None where there is none (static vectors)
    window: int | None = None
    #: the ``tokenizers.Tokenizer`` that counts this model's tokens (None: it has none), so
    #: that documents can be cut into chunks that fit the window
    tokenizer: Any = None
    #: batches encoded at once, each by its own worker thread (1: in the calling thread)
    workers: int = 1
    #: whether batches run as padding-free packed passes (see :meth:`enable_packing`)
    packing: bool = False

    def __init__(
        self,
        *,
        long: LongTextMode | str = LongTextMode.TRUNCATE,
        cache_dir: Path | str | None | Literal[False] = None,
    ) -> None:
        if self.modality not in MODALITIES:
            raise EmbedlabError(f"{type(self).__name__}: unknown modality {self.modality!r}; "
                                f"expected one of {', '.join(MODALITIES)}")
        try:
            self.long = LongTextMode(long)
        except ValueError:
            raise EmbedlabError(
                f"unknown long-text mode {long!r}; expected one of: truncate, chunk"
            ) from None
        directory = default_cache_dir() if cache_dir is None else cache_dir
        self._cache_dir: Path | None = Path(directory) if directory else None
        self._cache: VectorCache | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    # -- hooks -------------------------------------------------------------------------------
    @abstractmethod
    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        """Items ready for ``_embed_items``; ``len(item)`` is the cost used for batching."""

    @abstractmethod
    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        """Vectors for one batch of prepared items, float32 ``(len(items), dim)``."""

    def _truncates(self, item: Any) -> bool:
        return False

    def _split_item(self, item: Any) -> list[Any]:
        return [item]

    def _check_item(self, item: Any) -> str | None:
        """What is wrong with ``item`` for this model (None: nothing). Text models take str."""
        if not isinstance(item, str):
            return f"is {type(item).__name__}, expected str"
        return None

    def _item_bytes(self, item: Any) -> bytes:
        """The bytes the vector cache keys ``item`` on (with the fingerprint): a text's UTF-8;
        a backend for another modality says what identifies its inputs (a file's path and
        content hash, a node id)."""
        if isinstance(item, str):
            return item.encode("utf-8", "surrogatepass")
        raise NotImplementedError(f"{type(self).__name__} takes {self.modality} inputs and must "
                                  "say what the cache keys them on (_item_bytes)")

    # -- optional parts of the contract, with defaults --------------------------------------
    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]:
        """Tokens per text before truncation; words where the model has no tokenizer."""
        return [max(1, len(t.split())) for t in texts]

    def reserved_tokens(self, kind: Kind = "document") -> int:
        """Window tokens that are not the text's own (special tokens, prompt, appended EOS)."""
        return 0

    def set_workers(self, workers: int | None) -> None:
        """Encode ``workers`` batches at once (None: the backend's default)."""
        if workers is not None:
            if workers < 1:
                raise EmbedlabError(f"workers must be at least 1, got {workers}")
            self.workers = workers

    def init_worker(self) -> None:  # noqa: B027  (a hook: most backends need nothing)
        """Called once in each worker thread before its first batch (thread-local settings)."""

    def enable_packing(self) -> bool:
        """Run batches as padding-free packed passes where the model allows; whether it does."""
        return self.packing

    def config_key(self) -> str:
        """Everything that changes the vectors: model identity, pooling, window, prompts."""
        return f"{type(self).__name__}|{self.name}|{self.dim}|{self.long.value}"

    @property
    def fingerprint(self) -> str:
        """The contract's name for :meth:`config_key` (cache keys, stored vector files)."""
        return self.config_key()

    # -- the shared path ---------------------------------------------------------------------
    @property
    def cache(self) -> VectorCache | None:
        if self._cache is None and self._cache_dir is not None:
            self._cache = VectorCache(self._cache_dir)
        return self._cache

    def encode(
        self,
        items: Sequence[Any],
        *,
        batch_size: int = 32,
        normalize: bool = True,
        kind: Kind = "document",
        progress: bool = False,
    ) -> np.ndarray:
        """Float32 vectors ``(len(items), dim)``, row i for item i."""
        return self.embed(
            items, batch_size=batch_size, normalize=normalize, kind=kind, progress=progress
        ).vectors

    def _check_items(self, items: Sequence[Any]) -> list[Any]:
        if isinstance(items, (str, bytes)):
            raise EmbedlabError("texts must be a sequence of strings, not a single string"
                                if self.modality == "text" else
                                f"{self.modality} inputs must be a sequence, not one string")
        out = list(items)
        for i, item in enumerate(out):
            problem = self._check_item(item)
            if problem is not None:
                noun = "text" if self.modality == "text" else f"{self.modality} input"
                raise EmbedlabError(f"{noun} {i} {problem}")
        return out

    def embed(
        self,
        items: Sequence[Any],
        *,
        batch_size: int = 32,
        normalize: bool = True,
        kind: Kind = "document",
        progress: bool = False,
    ) -> EncodeResult:
        """Like :meth:`encode`, and also the :class:`EncodeStats` of the call."""
        start = time.perf_counter()
        texts = self._check_items(items)
        if kind not in KINDS:
            raise EmbedlabError(f"unknown kind {kind!r}; expected query or document")
        if batch_size < 1:
            raise EmbedlabError(f"batch size must be at least 1, got {batch_size}")
        stats = EncodeStats(count=len(texts))
        index_of: dict[Any, int] = {}
        unique: list[Any] = []
        rows = np.empty(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            j = index_of.get(text)
            if j is None:
                j = index_of[text] = len(unique)
                unique.append(text)
            rows[i] = j
        stats.unique = len(unique)

        vectors = np.zeros((len(unique), self.dim), dtype=np.float32)
        cache = self.cache
        fingerprint = f"{self.config_key()}|{kind}"
        keys = [item_key(fingerprint, self._item_bytes(t)) for t in unique] if cache else []
        hits = cache.get_many(keys, self.dim) if cache else {}
        missing = [j for j in range(len(unique)) if not (cache and keys[j] in hits)]
        for j in range(len(unique)):
            if cache and keys[j] in hits:
                vectors[j] = hits[keys[j]]
        stats.cache_hits = len(unique) - len(missing)

        if missing:
            writer = CacheWriter(cache, [keys[j] for j in missing]) if cache else None
            try:
                fresh = self._encode_missing([unique[j] for j in missing], kind, batch_size,
                                             progress, stats, writer.add if writer else None)
            finally:  # an error or Ctrl+C: the batches done so far stay cached
                if writer:
                    writer.flush()
            vectors[missing] = fresh
        stats.encoded = len(missing)

        out = vectors[rows]
        np.nan_to_num(out, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        if normalize:
            out = l2_normalize(out)
        stats.seconds = time.perf_counter() - start
        return EncodeResult(np.ascontiguousarray(out, dtype=np.float32), stats)

    def worker_pool(self) -> ThreadPoolExecutor:
        """The ``workers`` threads that encode batches, started on first use."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max(self.workers, 1), f"embedlab-{self.name}",
                                                initializer=self.init_worker)
            return self._pool

    def _run_batches(self, batches: list[list[int]], pieces: list[Any], kind: Kind
                     ) -> Iterator[tuple[list[int], np.ndarray]]:
        """``(batch, vectors)`` for each batch of piece positions, in order."""
        if self.workers <= 1 or len(batches) <= 1:
            for batch in batches:
                yield batch, self._embed_items([pieces[k] for k in batch], kind)
            return
        pool = self.worker_pool()
        futures: list[Future[np.ndarray]] = [
            pool.submit(self._embed_items, [pieces[k] for k in batch], kind) for batch in batches]
        try:
            for batch, future in zip(batches, futures, strict=True):
                yield batch, future.result()
        finally:  # an error or Ctrl+C: do not leave queued batches running
            for future in futures:
                future.cancel()

    def _encode_missing(
        self, texts: list[Any], kind: Kind, batch_size: int, progress: bool, stats: EncodeStats,
        done: Callable[[list[int], np.ndarray], None] | None = None,
    ) -> np.ndarray:
        """Vectors of ``texts``; ``done(positions, vectors)`` hears of each text as soon as all
        its pieces are encoded (the cache stores them batch by batch)."""
        items = self._prepare(texts, kind)
        pieces: list[Any] = []
        owner: list[int] = []
        for i, item in enumerate(items):
            if self._truncates(item):
                if self.long is LongTextMode.CHUNK:
                    parts = self._split_item(item)
                    stats.chunked += 1
                else:
                    parts = [item]
                    stats.truncated += 1
            else:
                parts = [item]
            pieces.extend(parts)
            owner.extend([i] * len(parts))
        stats.tokens += int(sum(len(p) for p in pieces))
        stats.oov_tokens += int(sum(getattr(item, "oov", 0) for item in items))

        order = sorted(range(len(pieces)), key=lambda k: -len(pieces[k]))
        batches = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]
        whole = len(pieces) == len(items)
        piece_vecs = np.zeros((len(pieces), self.dim), dtype=np.float32)
        out = piece_vecs if whole else np.zeros((len(items), self.dim), dtype=np.float32)
        owner_arr = np.asarray(owner, dtype=np.int64)
        # A chunked text is the length-weighted mean of its pieces' vectors.
        weights = np.array([max(len(p), 1) for p in pieces], dtype=np.float32)
        sizes = np.bincount(owner_arr, minlength=len(items))
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        left = sizes.copy()
        with progress_bar(progress, len(pieces), f"encoding with {self.name}") as advance:
            for batch, vectors in self._run_batches(batches, pieces, kind):
                piece_vecs[batch] = vectors
                if whole:
                    finished = list(batch)
                else:
                    owners = owner_arr[batch]
                    np.subtract.at(left, owners, 1)
                    finished = [int(i) for i in np.unique(owners) if left[i] == 0]
                    for i in finished:
                        span = slice(first[i], first[i] + sizes[i])
                        w = weights[span]
                        out[i] = (piece_vecs[span] * w[:, None]).sum(axis=0) / w.sum()
                if done is not None:
                    done(finished, out[finished])
                advance(len(batch))
        return out
