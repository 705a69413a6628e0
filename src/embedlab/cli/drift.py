"""``embedlab drift``: the options of :func:`embedlab.monitor.compare.run_drift`, its table or
JSON, an optional report folder, and exit code 1 on drift when asked."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from embedlab.cli.common import ModelOpt, err, out
from embedlab.named_models import DEFAULT_MODEL


def drift(
    reference: Annotated[str, typer.Argument(help="Reference sample: .npy/.parquet vectors, "
                                             "or texts.")],
    current: Annotated[str, typer.Argument(help="Current sample, the same way.")],
    model: ModelOpt = DEFAULT_MODEL,
    method: Annotated[list[str] | None, typer.Option(
        "--method", help="mmd, classifier, mean-shift, ks (repeatable; default all).")] = None,
    alpha: Annotated[float, typer.Option(help="Call drift below this p-value.")] = 0.01,
    field: Annotated[str | None, typer.Option(help="Text field of text inputs.")] = None,
    seed: Annotated[int, typer.Option()] = 0,
    out_dir: Annotated[str | None, typer.Option("--out", help="Write drift.json and a plot.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    fail_on_drift: Annotated[bool, typer.Option(help="Exit 1 when any method calls drift.")]
    = False,
) -> None:
    """Test whether CURRENT embeddings drifted from REFERENCE (texts are encoded with -m)."""
    from embedlab.monitor.compare import run_drift
    from embedlab.monitor.report import drift_table, write_drift_report

    run = run_drift(reference, current, model=model, methods=method, alpha=alpha, field=field,
                    seed=seed, progress=not as_json)
    if as_json:
        print(json.dumps({"results": [r.as_dict() for r in run.results]}))
    else:
        out.print(drift_table(run.results))
    if out_dir:
        for path in write_drift_report(run.results, run.reference, run.current, out_dir):
            err.print(f"wrote {path}")
    if fail_on_drift and run.drift:
        raise typer.Exit(1)
