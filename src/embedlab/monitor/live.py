"""Drift monitoring inside the server: a reference sample, a sliding window, periodic tests.

In: the reference vectors (from ``--drift-reference FILE``: vectors, or texts encoded once at
start), the methods to run and how often. The request path only appends vectors and signals to
a bounded :class:`~embedlab.monitor.quality.SignalWindow` (a lock and a deque append); a
background task runs the drift tests every ``interval_s`` seconds in a worker thread, off the
event loop, and publishes the latest results as Prometheus gauges and at ``GET /v1/drift``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.monitor.drift import DEFAULT_ALPHA, METHODS, MIN_SAMPLES, DriftResult, detect_drift
from embedlab.monitor.quality import SignalWindow


class LiveDriftMonitor:
    """Keeps the window, runs the tests periodically, and exports their results."""

    def __init__(self, reference: np.ndarray, *, methods: tuple[str, ...] = ("mmd", "ks"),
                 window: int = 2000, interval_s: float = 60.0, alpha: float = DEFAULT_ALPHA,
                 min_current: int = 200) -> None:
        reference = np.asarray(reference, dtype=np.float32)
        if reference.ndim != 2 or len(reference) < MIN_SAMPLES:
            raise EmbedlabError(f"the drift reference needs at least {MIN_SAMPLES} vectors, "
                                f"got shape {reference.shape}")
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            raise EmbedlabError(f"unknown drift method(s) {unknown}; expected {METHODS}")
        self.reference = reference
        self.methods = tuple(methods)
        self.window = SignalWindow(window)
        self.interval_s = interval_s
        self.alpha = alpha
        self.min_current = max(min_current, MIN_SAMPLES)
        self.results: dict[str, DriftResult] = {}
        self.checked_at: float | None = None
        self.checks = 0
        self._task: asyncio.Task | None = None
        self._gauges: dict[str, Any] = {}

    @property
    def dim(self) -> int:
        return int(self.reference.shape[1])

    # -- request path (cheap) ----------------------------------------------------------------
    def observe(self, vectors: np.ndarray) -> None:
        if vectors.ndim == 2 and vectors.shape[1] == self.dim:
            self.window.add_vectors(vectors)

    def observe_top1(self, score: float) -> None:
        self.window.add_top1(score)

    def observe_texts(self, tokens: list[int], window: int | None) -> None:
        """Token counts of new texts, to count those over the model window."""
        truncated = sum(1 for n in tokens if window is not None and n > window)
        stats = type("Stats", (), {"encoded": len(tokens), "truncated": truncated,
                                   "chunked": 0, "oov_tokens": 0, "tokens": sum(tokens)})
        self.window.add_encode_stats(stats)

    # -- the periodic check ------------------------------------------------------------------
    def check(self) -> dict[str, DriftResult]:
        """Run every method on reference vs window now (blocking; call it in a thread)."""
        current = self.window.sample()
        if len(current) < self.min_current:
            return self.results
        results = {m: detect_drift(self.reference, current, m, alpha=self.alpha,
                                   seed=self.checks) for m in self.methods}
        self.results, self.checked_at = results, time.time()
        self.checks += 1
        self._publish()
        return results

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            with contextlib.suppress(EmbedlabError):
                await asyncio.to_thread(self.check)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -- export ------------------------------------------------------------------------------
    def register(self, registry: Any) -> None:
        """Prometheus gauges in ``registry``: scores, p-values, yes/no, window signals."""
        from prometheus_client import Gauge

        self._gauges = {
            "score": Gauge("embedlab_drift_score", "Latest drift score", ["method"],
                           registry=registry),
            "p_value": Gauge("embedlab_drift_p_value", "Latest drift p-value", ["method"],
                             registry=registry),
            "drift": Gauge("embedlab_drift_detected", "1 when the latest test called drift",
                           ["method"], registry=registry),
            "window": Gauge("embedlab_drift_window_vectors", "Vectors in the drift window",
                            registry=registry),
            "truncated": Gauge("embedlab_truncated_rate", "Share of recent texts over the "
                               "model window", registry=registry),
            "top1": Gauge("embedlab_search_top1_mean", "Mean top-1 similarity of recent "
                          "searches", registry=registry),
        }
        self._gauges["window"].set_function(lambda: len(self.window.vectors))
        self._gauges["truncated"].set_function(lambda: self.window.rates()["truncated_rate"])
        self._gauges["top1"].set_function(
            lambda: 0.0 if math.isnan(v := self.window.rates()["top1_mean"]) else v)

    def _publish(self) -> None:
        if not self._gauges:
            return
        for method, r in self.results.items():
            self._gauges["score"].labels(method).set(r.score)
            self._gauges["p_value"].labels(method).set(r.p_value)
            self._gauges["drift"].labels(method).set(1.0 if r.drift else 0.0)

    def status(self) -> dict[str, Any]:
        """The body of ``GET /v1/drift``."""
        rates = self.window.rates()
        return {
            "object": "drift",
            "reference_vectors": int(len(self.reference)),
            "window_vectors": int(rates["window_vectors"]),
            "min_window_vectors": self.min_current,
            "interval_s": self.interval_s,
            "checks": self.checks,
            "checked_at": self.checked_at,
            "drift": any(r.drift for r in self.results.values()),
            "results": [r.as_dict() for r in self.results.values()],
            "signals": {k: (None if isinstance(v, float) and math.isnan(v) else v)
                        for k, v in rates.items()},
        }
