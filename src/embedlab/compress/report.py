"""Compression results for people: a terminal table, ``report.md``, ``results.json``, a plot."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from embedlab.compress.evaluate import CompressionResult
from embedlab.files import atomic_file, atomic_write


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def compression_table(results: Sequence[CompressionResult]) -> Table:
    table = Table("method", "bytes/vector", "x smaller", "search ms/query", "main metric",
                  "score", "retention")
    for r in results:
        table.add_row(r.method, f"{r.bytes_per_vector:g}", f"{r.compression:.1f}",
                      _ms(r.search_ms_per_query), r.main_metric, f"{r.main_score:.4f}",
                      f"{100 * r.retention:.1f}%")
    return table


def compression_json(results: Sequence[CompressionResult]) -> dict[str, Any]:
    return {"results": [r.as_dict() for r in results]}


def compression_markdown(results: Sequence[CompressionResult]) -> str:
    lines = ["| method | bytes/vector | × smaller | search ms/query | metric | score | retention |",
             "|---|---:|---:|---:|---|---:|---:|"]
    for r in results:
        lines.append(f"| {r.method} | {r.bytes_per_vector:g} | {r.compression:.1f} | "
                     f"{_ms(r.search_ms_per_query)} | {r.main_metric} | {r.main_score:.4f} | "
                     f"{100 * r.retention:.1f}% |")
    return "\n".join(lines)


def write_compression_report(results: Sequence[CompressionResult], out_dir: str | Path,
                             title: str = "Compression") -> list[Path]:
    """``report.md``, ``results.json`` and ``compression.png`` (retention against bytes)."""
    from matplotlib.figure import Figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    task = results[0].task if results else ""
    atomic_write(out / "report.md", f"# {title}: {task}\n\n{compression_markdown(results)}\n")
    atomic_write(out / "results.json", json.dumps(compression_json(results), indent=2))
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    for r in results:
        ax.scatter(r.bytes_per_vector, 100 * r.retention)
        ax.annotate(r.method, (r.bytes_per_vector, 100 * r.retention), fontsize=8,
                    xytext=(4, 4), textcoords="offset points")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("bytes per vector (log scale)")
    ax.set_ylabel(f"{results[0].main_metric if results else 'score'} retention (% of float32)")
    ax.set_title(f"{title}: {task}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_file(out / "compression.png") as f:
        fig.savefig(f, format="png", dpi=120)
    return [out / "report.md", out / "results.json", out / "compression.png"]
