"""Drift results for people: a table, JSON, and a plot of both samples on a 2-D projection.

In: :class:`DriftResult` s and both samples. Out: a rich table, or ``drift.json`` and
``drift.png`` in a folder (each file written whole or not at all).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rich.table import Table

from embedlab.files import atomic_file, atomic_write
from embedlab.monitor.drift import DriftResult


def drift_table(results: Sequence[DriftResult]) -> Table:
    table = Table("method", "score", "p-value", "threshold", "drift", "seconds")
    for r in results:
        table.add_row(r.method, f"{r.score:.4f}", f"{r.p_value:.4g}", f"{r.threshold:g}",
                      "[bold red]yes[/bold red]" if r.drift else "no", f"{r.seconds:.2f}")
    return table


def write_drift_report(results: Sequence[DriftResult], reference: np.ndarray,
                       current: np.ndarray, out_dir: str | Path,
                       max_points: int = 2000) -> list[Path]:
    """``drift.json`` and ``drift.png`` (PCA of both samples, scores in the title)."""
    from matplotlib.figure import Figure
    from sklearn.decomposition import PCA

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "drift.json",
                 json.dumps({"results": [r.as_dict() for r in results]}, indent=2))
    rng = np.random.default_rng(0)
    ref = reference[rng.permutation(len(reference))[:max_points]]
    cur = current[rng.permutation(len(current))[:max_points]]
    pca = PCA(n_components=2, random_state=0).fit(np.vstack([ref, cur]))
    fig = Figure(figsize=(7, 6))
    ax = fig.add_subplot()
    for name, sample, colour in (("reference", ref, "tab:blue"), ("current", cur, "tab:red")):
        xy = pca.transform(sample)
        ax.scatter(xy[:, 0], xy[:, 1], s=4, alpha=0.4, c=colour, label=f"{name} ({len(sample)})")
    summary = "; ".join(f"{r.method} {r.score:.3f} (p={r.p_value:.2g}){' DRIFT' if r.drift else ''}"
                        for r in results)
    ax.set_title(summary, fontsize=8)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    with atomic_file(out / "drift.png") as f:
        fig.savefig(f, format="png", dpi=120)
    return [out / "drift.json", out / "drift.png"]
