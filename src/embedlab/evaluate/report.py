"""Results for people: a terminal table, a JSON document, and a report folder.

``results_table(results)``: a rich Table, one row per task and one column per model, the main
score in each cell ("—" where a model was skipped), the best of each row in bold (except
geometry, which has no better direction).
``results_to_json(results)``: ``{"results": [{"model", "task", "dataset", "main_metric",
"main_score", "scores", "seconds"}]}``. ``write_report(results, out_dir)``: ``report.md`` (the
same table, then every score per task), ``results.json`` and PNG plots under ``plots/``: a bar
chart of the main score per task, a recall@k curve per retrieval task, and a 2-D map of the nodes
coloured by label per model on a node-clustering task, and for image retrieval a grid of
query images with their nearest neighbours per model (``examples`` where kept).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedlab.files import atomic_file, atomic_write

if TYPE_CHECKING:
    from rich.table import Table

    from embedlab.evaluate.results import Result

NO_DIRECTION = {"geometry"}  # kinds whose main score is a description, not a quality


def _columns(results: Sequence[Result]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((r.task, r.dataset) for r in results))


def _models(results: Sequence[Result]) -> list[str]:
    return list(dict.fromkeys(r.model for r in results))


def _cells(results: Sequence[Result]) -> dict[tuple[str, str, str], Result]:
    return {(r.model, r.task, r.dataset): r for r in results}


def _best(results: Sequence[Result], column: tuple[str, str]) -> float | None:
    if column[0] in NO_DIRECTION:
        return None
    scores = [r.main_score for r in results if (r.task, r.dataset) == column]
    return max(scores) if len(scores) > 1 else None


def _metric(results: Sequence[Result], column: tuple[str, str]) -> str:
    return next(r.main_metric for r in results if (r.task, r.dataset) == column)


def _clean(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else value


def results_to_json(results: Sequence[Result]) -> dict[str, Any]:
    """``{"results": [...]}``, one object per result (NaN/inf scores become null)."""
    rows = []
    for r in results:
        row = r.as_dict()
        row["main_score"] = _clean(r.main_score)
        row["scores"] = {k: _clean(v) for k, v in r.scores.items()}
        if not row["examples"]:  # only image retrieval keeps examples
            del row["examples"]
        rows.append(row)
    return {"results": rows}


def _cell(r: Result | None, best: float | None, bold: tuple[str, str]) -> str:
    if r is None:
        return "—"
    text = f"{r.main_score:.3f}"
    return f"{bold[0]}{text}{bold[1]}" if r.main_score == best else text


def results_table(results: Sequence[Result]) -> Table:
    """One row per task, one column per model, the main score in each cell (see the module
    docstring)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="embedlab eval", caption="main score per task (— = does not apply)")
    table.add_column("task")
    table.add_column("dataset")
    table.add_column("metric", style="dim")
    models = _models(results)
    for model in models:
        table.add_column(model, justify="right")
    cells = _cells(results)
    for column in _columns(results):
        best = _best(results, column)
        # names such as "scifact [hnsw]" are not rich markup
        table.add_row(*(escape(c) for c in column), _metric(results, column),
                      *(_cell(cells.get((m, *column)), best, ("[bold green]", "[/]"))
                        for m in models))
    return table


def _slug(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-") or "task"


def _markdown(results: Sequence[Result], plots: dict[tuple[str, str], list[str]]) -> str:
    columns = _columns(results)
    cells = _cells(results)
    lines = ["# Evaluation report", "",
             "Main score per model and task (fractions 0-1, higher is better except for "
             "geometry; — = the model does not apply).", ""]
    models = _models(results)
    lines += ["| task | dataset | metric | " + " | ".join(models) + " |",
              "|" + "---|" * (3 + len(models))]
    for column in columns:
        best = _best(results, column)
        row = [*column, _metric(results, column)]
        row += [_cell(cells.get((m, *column)), best, ("**", "**")) for m in models]
        lines.append("| " + " | ".join(row) + " |")
    for column in columns:
        task, dataset = column
        here = [r for r in results if (r.task, r.dataset) == column]
        metrics = list(dict.fromkeys(k for r in here for k in r.scores))
        lines += ["", f"## {task}: {dataset}", "",
                  "| metric | " + " | ".join(r.model for r in here) + " |",
                  "|" + "---|" * (len(here) + 1)]
        for name in metrics:
            values = [r.scores.get(name) for r in here]
            shown = ["" if v is None else (f"{v:.0f}" if name in ("pairs", "skipped",
                                                                   "answered") else f"{v:.4f}")
                     for v in values]
            lines.append(f"| {name} | " + " | ".join(shown) + " |")
        lines.append("| seconds | " + " | ".join(f"{r.seconds:.1f}" for r in here) + " |")
        for plot in plots.get(column, []):
            lines += ["", f"![{task}: {dataset}]({plot})"]
    return "\n".join(lines) + "\n"


def _recall_points(scores: dict[str, float]) -> tuple[list[int], list[float]]:
    points = sorted((int(k.split("@")[1]), v) for k, v in scores.items()
                    if re.fullmatch(r"recall@\d+", k))
    return [k for k, _ in points], [v for _, v in points]


def _plots(results: Sequence[Result], folder: Path) -> dict[tuple[str, str], list[str]]:
    from matplotlib.figure import Figure

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[tuple[str, str], list[str]] = {}
    for column in _columns(results):
        task, dataset = column
        here = [r for r in results if (r.task, r.dataset) == column]
        names: list[str] = []
        fig = Figure(figsize=(max(4.0, 1.0 + 0.9 * len(here)), 3.2), layout="constrained")
        ax = fig.subplots()
        bars = ax.bar([r.model for r in here], [r.main_score for r in here], color="#4c72b0")
        ax.bar_label(bars, fmt="%.3f", fontsize=8)
        ax.set_ylabel(here[0].main_metric)
        ax.set_title(f"{task}: {dataset}", fontsize=10)
        ax.tick_params(axis="x", labelrotation=20, labelsize=8)
        name = f"{_slug(task, dataset)}.png"
        with atomic_file(folder / name) as f:
            fig.savefig(f, format="png", dpi=110)
        names.append(f"{folder.name}/{name}")
        curves = [(r.model, *_recall_points(r.scores)) for r in here]
        if task == "retrieval" and any(len(ks) > 1 for _, ks, _ in curves):
            fig = Figure(figsize=(5.0, 3.4), layout="constrained")
            ax = fig.subplots()
            for model, ks, values in curves:
                ax.plot(ks, values, marker="o", label=model)
            ax.set_xscale("log")
            ticks = sorted({k for _, ks, _ in curves for k in ks})
            ax.set_xticks(ticks, [str(k) for k in ticks])
            ax.minorticks_off()
            ax.set_xlabel("k")
            ax.set_ylabel("recall@k")
            ax.set_ylim(0, 1)
            ax.set_title(f"recall@k: {dataset}", fontsize=10)
            ax.legend(fontsize=8)
            name = f"{_slug(task, dataset)}-recall.png"
            with atomic_file(folder / name) as f:
                fig.savefig(f, format="png", dpi=110)
            names.append(f"{folder.name}/{name}")
        names += [_scatter(r, folder) for r in here if r.points]
        for r in here:
            if r.examples:
                from embedlab.evaluate.image_grid import neighbour_grid

                name = f"{_slug(task, dataset, r.model)}-neighbours.png"
                neighbour_grid(r.examples, folder / name)
                names.append(f"{folder.name}/{name}")
        out[column] = names
    return out


def _scatter(r: Result, folder: Path) -> str:
    """A 2-D map of ``r.points`` coloured by label (up to 20 labels get their own colour)."""
    from matplotlib.figure import Figure

    points = r.points or {}
    labels = [str(x) for x in points["labels"]]
    names = sorted(set(labels), key=lambda x: (-labels.count(x), x))
    fig = Figure(figsize=(5.6, 4.6), layout="constrained")
    ax = fig.subplots()
    x, y = points["x"], points["y"]
    for i, name in enumerate(names[:20]):
        keep = [k for k, lab in enumerate(labels) if lab == name]
        ax.scatter([x[k] for k in keep], [y[k] for k in keep], s=6, label=name,
                   color=f"C{i % 10}" if i < 10 else None, marker="o" if i < 10 else "x")
    rest = [k for k, lab in enumerate(labels) if lab not in names[:20]]
    if rest:
        ax.scatter([x[k] for k in rest], [y[k] for k in rest], s=4, color="#999999",
                   label="other")
    ax.set_title(f"{r.model} on {r.dataset} ({points.get('method', '2-D')})", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, markerscale=2, loc="best")
    name = f"{_slug(r.task, r.dataset, r.model)}-map.png"
    with atomic_file(folder / name) as f:
        fig.savefig(f, format="png", dpi=110)
    return f"{folder.name}/{name}"


def write_report(results: Sequence[Result], out_dir: str | Path) -> list[Path]:
    """Write ``report.md``, ``results.json`` and ``plots/*.png`` into ``out_dir``; their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plots = _plots(results, out / "plots") if results else {}
    atomic_write(out / "results.json",
                 json.dumps(results_to_json(results), indent=2, ensure_ascii=False) + "\n")
    atomic_write(out / "report.md", _markdown(results, plots))
    written = [out / "report.md", out / "results.json"]
    written += [out / p for names in plots.values() for p in names]
    return written
