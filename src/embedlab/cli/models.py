"""``embedlab models``: the models known by name, as a table, plain columns or JSON.

A model name is never cut: on a terminal wide enough the rich table keeps the name column
whole, elsewhere (a pipe, a file, a narrow terminal) the rows are plain padded columns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from embedlab.cli.common import out

COLUMNS = ("name", "kind", "dim", "available", "source", "description")
#: columns that wrap in the table, each given at least this many characters
WRAPPED = {"source": 12, "description": 16}


def _cells(row: dict[str, Any]) -> list[str]:
    return [row["name"] + (" (default)" if row["default"] else ""), row["kind"], str(row["dim"]),
            "yes" if row["available"] else "no", row["source"], row["description"]]


def plain_columns(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as left-aligned columns two spaces apart (the last one unpadded)."""
    lines = [list(COLUMNS)] + [_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS) - 1)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(line, widths, strict=False)),
                                line[-1]]) for line in lines)


def table_width(rows: Sequence[dict[str, Any]]) -> int:
    """The narrowest table that keeps every unwrapped column whole."""
    lines = [list(COLUMNS)] + [_cells(r) for r in rows]
    widths = [WRAPPED.get(name) or max(len(line[i]) for line in lines)
              for i, name in enumerate(COLUMNS)]
    return sum(widths) + 3 * len(COLUMNS) + 1  # one space each side of a cell, and borders


def models_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table()
    for name in COLUMNS:
        wrapped = name in WRAPPED
        table.add_column(name, no_wrap=not wrapped, overflow="fold",
                         min_width=WRAPPED.get(name))
    for r in rows:
        table.add_row(*_cells(r))
    return table


def print_models(rows: Sequence[dict[str, Any]], console: Console) -> None:
    """The rich table on a terminal that fits it, plain columns otherwise."""
    if console.is_terminal and console.width >= table_width(rows):
        console.print(models_table(rows))
    else:
        console.print(plain_columns(rows), markup=False, highlight=False, soft_wrap=True)


def models(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the models embedlab knows by name, and whether each is installed here."""
    from embedlab.named_models import list_models

    rows = list_models()
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    print_models(rows, out)
