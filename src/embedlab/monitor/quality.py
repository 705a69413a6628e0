"""Quality signals that need no labels: how well the corpus answers queries, and how much of the
input the model cannot see.

- top-1 similarity of search queries: when its distribution falls, queries are arriving that the
  corpus does not answer (a two-sample KS test and the fall of the mean say how much);
- unknown-word rate (static models) and truncated-text rate (transformers), from the encode
  path's counts: a rise means new vocabulary or longer inputs than the model window.

:class:`SignalWindow` keeps the most recent values of each signal in a bounded window, for the
server; :func:`compare_top1` compares a reference and a current window.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError


@dataclass
class Top1Shift:
    reference_mean: float
    current_mean: float
    fall: float
    ks_statistic: float
    p_value: float
    drift: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def compare_top1(reference: Any, current: Any, *, alpha: float = 0.01,
                 min_samples: int = 20) -> Top1Shift:
    """Did the top-1 similarity of queries fall? Drift = a significant KS test and a fall."""
    from scipy.stats import ks_2samp

    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    if len(ref) < min_samples or len(cur) < min_samples:
        raise EmbedlabError(f"comparing top-1 similarities needs at least {min_samples} queries "
                            f"on each side (got {len(ref)} and {len(cur)})")
    test = ks_2samp(ref, cur)
    fall = float(ref.mean() - cur.mean())
    return Top1Shift(float(ref.mean()), float(cur.mean()), fall, float(test.statistic),
                     float(test.pvalue), bool(test.pvalue < alpha and fall > 0))


def top1_similarities(index: Any, queries: list[str], *, mode: str = "dense") -> np.ndarray:
    """The best hit's score for each query against a search index (``embedlab.search.Index``)."""
    scores = []
    for query in queries:
        hits = index.search(query, k=1, mode=mode)
        scores.append(float(hits[0].score) if hits else 0.0)
    return np.asarray(scores)


class SignalWindow:
    """Thread-safe bounded windows of recent inputs and signals (for the server)."""

    def __init__(self, size: int = 2000) -> None:
        if size < 1:
            raise EmbedlabError(f"the window size must be at least 1, got {size}")
        self.size = size
        self._lock = threading.Lock()
        self.vectors: deque[np.ndarray] = deque(maxlen=size)
        self.top1: deque[float] = deque(maxlen=size)
        self._texts: deque[tuple[int, int]] = deque(maxlen=size)  # (truncated, chunked)
        self._tokens: deque[tuple[int, int]] = deque(maxlen=size)  # (oov, tokens)

    def add_vectors(self, vectors: np.ndarray) -> None:
        with self._lock:
            self.vectors.extend(np.asarray(vectors, dtype=np.float32))

    def add_top1(self, score: float) -> None:
        with self._lock:
            self.top1.append(float(score))

    def add_encode_stats(self, stats: Any) -> None:
        """Counts from an ``EncodeStats`` of one encode call."""
        with self._lock:
            encoded = max(int(stats.encoded), 1)
            for i in range(encoded):
                self._texts.append((int(i < stats.truncated), int(i < stats.chunked)))
            self._tokens.append((int(stats.oov_tokens), int(stats.tokens)))

    def sample(self) -> np.ndarray:
        with self._lock:
            return np.array(self.vectors) if self.vectors else np.zeros((0, 0), np.float32)

    def rates(self) -> dict[str, float]:
        with self._lock:
            texts = len(self._texts) or 1
            tokens = sum(t for _, t in self._tokens) or 1
            return {
                "truncated_rate": sum(t for t, _ in self._texts) / texts,
                "chunked_rate": sum(c for _, c in self._texts) / texts,
                "oov_rate": sum(o for o, _ in self._tokens) / tokens,
                "top1_mean": float(np.mean(self.top1)) if self.top1 else float("nan"),
                "window_vectors": float(len(self.vectors)),
            }
