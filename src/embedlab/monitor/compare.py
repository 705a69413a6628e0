"""Drift between two samples given as files: the flow behind ``embedlab drift``.

In: a reference and a current sample, each a vector file (``.npy``/``.parquet``) or a text file
(encoded with ``model``), and the methods to run. Out: a :class:`DriftRun` with one
:class:`DriftResult` per method and both samples' vectors (for the report's plot). Names are
checked before any model loads; the model is loaded only when a sample holds texts; samples
recorded from different models are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.monitor.drift import DEFAULT_ALPHA, METHODS, DriftResult, check_method, detect_drift
from embedlab.monitor.inputs import check_same_model, is_vector_file, load_sample
from embedlab.named_models import DEFAULT_MODEL


@dataclass
class DriftRun:
    """The verdicts of :func:`run_drift` and the two samples they were computed on."""

    results: list[DriftResult]
    reference: np.ndarray
    current: np.ndarray

    @property
    def drift(self) -> bool:
        """Whether any method called drift."""
        return any(r.drift for r in self.results)


def run_drift(reference: str | Path, current: str | Path, *, model: Any = DEFAULT_MODEL,
              methods: Sequence[str] | None = None, alpha: float = DEFAULT_ALPHA,
              field: str | None = None, seed: int = 0, progress: bool = False) -> DriftRun:
    """Test whether ``current`` drifted from ``reference`` with each of ``methods`` (default
    all). ``model``: a model name or an Embedder, used only for text samples."""
    chosen = list(methods or METHODS)
    for name in chosen:
        check_method(name)
    embedder = None
    if not (is_vector_file(reference) and is_vector_file(current)):
        from embedlab.registry import to_embedder

        embedder = to_embedder(model)
    ref, ref_model = load_sample(reference, embedder, field=field, progress=progress)
    cur, cur_model = load_sample(current, embedder, field=field, progress=progress)
    check_same_model(ref_model, cur_model, str(reference), str(current))
    results = [detect_drift(ref, cur, m, alpha=alpha, seed=seed) for m in chosen]
    return DriftRun(results=results, reference=ref, current=cur)
