"""``embedlab typos``: a queries file with typos, for measuring spelling correction.

A few lines over :func:`embedlab.data.typos.corrupt_file`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from embedlab.cli.common import err


def typos(
    queries: Annotated[str, typer.Argument(
        help="Queries: BEIR queries.jsonl, a SMART query file (cran.qry), .tsv/.csv, or "
             "plain text (one query a line).")],
    rate: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Share of the words of 4+ letters that get one edit.")] = 0.3,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same file).")] = 0,
    out: Annotated[str | None, typer.Option(
        "--out", "-o", help="Output file (default: beside the input, e.g. "
        "queries.typos-r30-s0.jsonl).")] = None,
) -> None:
    """Write the queries with typos: one insertion, deletion, substitution or transposition
    in a share of the long words."""
    from embedlab.data.typos import corrupt_file

    path = corrupt_file(queries, rate, seed, out)
    err.print(f"wrote {path}", markup=False, highlight=False)
