"""``embedlab export``: a transformer encoder to an ONNX folder that ``-m DIR`` loads."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from embedlab.cli.common import ModelOpt, err
from embedlab.named_models import DEFAULT_MODEL


def export(
    out_dir: Annotated[str, typer.Option("--out", help="The folder to create.")],
    model: ModelOpt = DEFAULT_MODEL,
    int8: Annotated[bool, typer.Option("--int8/--no-int8", help="Quantize weights to int8.")]
    = True,
    optimize: Annotated[bool, typer.Option("--optimize/--no-optimize",
                                           help="Fuse attention and layer norms.")] = True,
    threads: Annotated[int | None, typer.Option(min=1, help="Intra-op threads for the check.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Export a transformer encoder to ONNX (fused, int8 by default); load it by its folder."""
    from embedlab.compress.export import export_onnx, report_dict

    report = export_onnx(model, out_dir, int8=int8, optimize=optimize, threads=threads)
    if as_json:
        print(json.dumps(report_dict(report)))
    else:
        err.print(f"wrote {report.out_dir} ({report.bytes / 1e6:.1f} MB, int8={report.int8}, "
                  f"fused={report.fused}) in {report.seconds:.1f} s; min cosine to the source "
                  f"model on check sentences: {report.min_cosine_to_source:.4f}")
