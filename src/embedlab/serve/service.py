"""Texts in, vectors and token counts out: limits, the LRU cache and the batcher in one place.

In: the texts of one request and their kind (``query`` or ``document``). Out:
:class:`Embedded` (L2-normalised float32 rows in input order, and the tokens the model saw).
Limit breaches are :class:`~embedlab.serve.errors.APIError` (413 for too many texts or too many
characters, 400 for an empty text or, with ``truncate`` off, a text over the model window); a
full queue or a shutdown raise the batcher's ``QueueFull`` / ``ShuttingDown`` (429 / 503).

The batches are encoded by the :class:`~embedlab.serve.encoders.Encoder` it is given (worker
processes), else by a :class:`~embedlab.serve.encoders.ThreadEncoder` of its own, which
:meth:`EmbeddingService.close` closes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, LongTextMode, l2_normalize
from embedlab.serve.batching import Batcher, QueueFull, ShuttingDown
from embedlab.serve.cache import VectorLRU
from embedlab.serve.encoders import Encoder, ThreadEncoder
from embedlab.serve.errors import APIError
from embedlab.serve.metrics import Metrics
from embedlab.serve.settings import ServeSettings

# Tokenizing this many characters or more goes to a thread instead of the event loop.
_INLINE_TOKENIZE_CHARS = 20_000


@dataclass
class Embedded:
    vectors: np.ndarray
    tokens: int


class EmbeddingService:
    """The embedding path of the server (see the module docstring)."""

    def __init__(self, embedder: BaseEmbedder, settings: ServeSettings, metrics: Metrics,
                 encoder: Encoder | None = None) -> None:
        self.embedder = embedder
        self.settings = settings
        self.metrics = metrics
        self.dim = int(embedder.dim)
        # The window cuts long texts only where the model truncates them (not where it chunks).
        self.window: int | None = embedder.window if embedder.long == LongTextMode.TRUNCATE \
            else None
        self._owns_encoder = encoder is None
        #: what encodes the batches: the given one (worker processes), else threads here.
        #: Packed passes make a batch of mixed lengths cost its real tokens (no padding);
        #: models that cannot pack get their batch split by plan_passes instead.
        self.encoder: Encoder = encoder if encoder is not None else ThreadEncoder(
            embedder, threads=settings.workers or None, pack=settings.pack,
            pass_overhead_tokens=settings.pass_overhead_tokens,
            encode_batch_size=settings.encode_batch_size)
        self.cache = VectorLRU(settings.cache_size)
        #: called with the token counts of new texts and the window (drift monitoring)
        self.on_counts: Any = None
        self.batcher = Batcher(self.encoder, dim=self.dim,
                               max_batch_tokens=settings.max_batch_tokens,
                               max_wait_ms=settings.max_wait_ms, max_queue=settings.max_queue,
                               quiet_ms=settings.quiet_ms,
                               on_batch=metrics.observe_batch,
                               ahead=settings.batches_ahead)
        metrics.queue_depth.set_function(lambda: self.batcher.depth)

    async def close(self, timeout: float) -> None:
        """Encode what is queued (up to ``timeout`` s), then stop the encoder if it is ours."""
        await self.batcher.close(timeout)
        if self._owns_encoder:
            self.encoder.close()

    def count_tokens(self, texts: list[str], kind: str) -> list[int]:
        """Tokens per text before truncation (words where the model has no tokenizer)."""
        return [int(n) for n in self.embedder.count_tokens(texts, kind)]

    # -- on the event loop -------------------------------------------------------------------
    def check_texts(self, texts: list[str]) -> None:
        """Raise the limit errors that need no tokenizer (count, size, emptiness)."""
        s = self.settings
        if not texts:
            raise APIError(400, "input must not be empty", "empty_input", param="input")
        if len(texts) > s.max_items:
            raise APIError(413, f"input has {len(texts)} items; at most {s.max_items} are "
                                "allowed per request", "too_many_items", param="input")
        for i, text in enumerate(texts):
            if len(text) > s.max_chars:
                raise APIError(413, f"input[{i}] has {len(text)} characters; at most "
                                    f"{s.max_chars} are allowed", "input_too_long",
                               param=f"input[{i}]")
            if not text:
                raise APIError(400, f"input[{i}] is an empty string", "empty_input",
                               param=f"input[{i}]")

    async def embed(self, texts: list[str], kind: str = "document") -> Embedded:
        """Rows for ``texts`` in order, from the cache or the batcher (module docstring)."""
        self.check_texts(texts)
        rows = np.empty((len(texts), self.dim), dtype=np.float32)
        tokens = np.zeros(len(texts), dtype=np.int64)
        todo: dict[str, list[int]] = {}  # text -> positions still to fill
        for i, text in enumerate(texts):
            found = self.cache.get(kind, text)
            if found is None:
                todo.setdefault(text, []).append(i)
            else:
                rows[i], tokens[i] = found
        hits = len(texts) - sum(len(p) for p in todo.values())
        self.metrics.cache_hits.inc(hits)
        self.metrics.cache_misses.inc(len(texts) - hits)
        if todo:
            fresh = list(todo)
            counts = await self._counts(fresh, kind)
            if self.on_counts is not None:
                self.on_counts(counts, self.window)
            costs = self._costs(fresh, counts, todo)
            try:
                vectors = await self.batcher.submit(fresh, costs, kind)
            except (QueueFull, ShuttingDown):
                raise
            except Exception:  # the batcher logged it; the client gets a 500, not a traceback
                raise APIError(500, "the model failed to encode these texts",
                               "encode_failed") from None
            for text, vector, cost in zip(fresh, vectors, costs, strict=True):
                # a copy, so a cached row does not keep its whole request's array alive
                self.cache.put(kind, text, vector.copy(), cost)
                for i in todo[text]:
                    rows[i], tokens[i] = vector, cost
        self.metrics.texts.inc(len(texts))
        return Embedded(rows, int(tokens.sum()))

    async def _counts(self, texts: list[str], kind: str) -> list[int]:
        if sum(len(t) for t in texts) < _INLINE_TOKENIZE_CHARS:
            return self.count_tokens(texts, kind)
        return await asyncio.to_thread(self.count_tokens, texts, kind)

    def _costs(self, texts: list[str], counts: list[int], where: dict[str, list[int]]
               ) -> list[int]:
        """Tokens the model will see per text; over the window: cut, or refused (400)."""
        window = self.window
        if window is None:
            return counts
        for text, n in zip(texts, counts, strict=True):
            if n > window and not self.settings.truncate:
                i = where[text][0]
                raise APIError(400, f"input[{i}] has {n} tokens; this model's window is "
                                    f"{window} tokens (the server refuses longer texts; "
                                    "it truncates them with --truncate)",
                               "context_length_exceeded", param=f"input[{i}]")
        return [min(n, window) for n in counts]


def shorten(vectors: np.ndarray, dimensions: int | None) -> np.ndarray:
    """Matryoshka: the first ``dimensions`` columns, L2-normalised again."""
    if dimensions is None or dimensions >= vectors.shape[1]:
        return vectors
    return np.ascontiguousarray(l2_normalize(vectors[:, :dimensions]), dtype=np.float32)
