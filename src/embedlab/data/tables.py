"""Evaluation and training files as tables: CSV/TSV rows with their header found, JSON objects.

In: the path of a task file. Out: rows as ``(line number, cells)`` (cells stripped, blank rows
dropped; tab files are split on tabs without quoting, CSV files use the csv module), a
:class:`Table` (a header or none, one width) with column lookup and split selection, or the JSON
objects of a JSON-lines file or JSON list. Problems raise :class:`EmbedlabError` naming the file
and line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.data.columns import SPLIT_NAMES, guess_column, match_column
from embedlab.data.records import (
    JsonLineError,
    parse_delimited,
    parse_json_records,
    read_text,
    split_lines,
)
from embedlab.data.splits import split_names
from embedlab.errors import EmbedlabError


def is_number(cell: str) -> bool:
    """Whether a cell parses as a finite float."""
    try:
        return bool(np.isfinite(float(cell)))
    except ValueError:
        return False


def _is_tab_file(path: Path, text: str) -> bool:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return False
    if name.endswith((".tsv", ".tab", ".data")):
        return True
    return any("\t" in line for line in islice((ln for ln in split_lines(text) if ln.strip()), 20))


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank rows of a CSV/TSV file as ``(line number, cells)``; tabs win over commas."""
    text = read_text(path)
    tab = _is_tab_file(path, text)
    rows = parse_delimited(text, path, "\t" if tab else ",", quoting=not tab)
    stripped = [(number, [cell.strip() for cell in cells]) for number, cells in rows]
    return [(number, cells) for number, cells in stripped if any(cells)]


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Objects of a JSON-lines file (or of a JSON list) as ``(line number, object)``."""
    try:
        rows = parse_json_records(read_text(path), path)
    except JsonLineError as exc:
        raise EmbedlabError(f"{path}: line {exc.line} is not JSON; expected one JSON object per "
                            "line") from None
    for number, obj in rows:
        if not isinstance(obj, dict):
            raise EmbedlabError(f"{path}: line {number} is not a JSON object")
    return rows


@dataclass
class Table:
    """Rows of one width, and the header when the file has one."""

    path: Path
    header: list[str] | None
    rows: list[tuple[int, list[str]]]
    width: int

    def column_names(self) -> list[str]:
        return self.header or [f"column {i + 1}" for i in range(self.width)]

    def describe(self) -> str:
        """The columns, for messages: the header, or the first row of a file without one."""
        if self.header is not None:
            return f"columns {self.header}"
        first = [c if len(c) <= 30 else c[:27] + "..." for c in self.rows[0][1]]
        return f"{self.width} columns and no header (first row {first})"

    def column(self, index: int) -> list[str]:
        return [cells[index] for _, cells in self.rows]

    def find(self, names: Sequence[str]) -> int | None:
        """The index of the first of ``names`` the header has (ignoring case), if any."""
        if self.header is None:
            return None
        name = guess_column(self.header, names)
        return None if name is None else self.header.index(name)

    def resolve(self, field: str, role: str) -> int:
        """A column given by the user: a header name or a 1-based column number."""
        if self.header is not None:
            name = match_column(self.header, field)
            if name is not None:
                return self.header.index(name)
        if field.isdigit() and 1 <= int(field) <= self.width:
            return int(field) - 1
        raise EmbedlabError(f"{self.path}: no {role} column {field!r}; found "
                            f"{self.describe()}")


def numeric_columns(rows: Sequence[tuple[int, list[str]]], width: int) -> list[int]:
    """The columns whose every cell is a number."""
    if not rows:
        return []
    return [i for i in range(width) if all(is_number(cells[i]) for _, cells in rows)]


def mean_length(table: Table, index: int) -> float:
    """The mean length in characters of a column's cells."""
    return float(np.mean([len(v) for v in table.column(index)]))


def read_table(path: Path, header_names: Sequence[str] = ()) -> Table:
    """Rows of a CSV/TSV file with the header found (if any) and a common width.

    The first row is a header when it names a known column, or when it has no number at all
    while some column is numeric in every other row. The width is the most common row length
    (the shorter one on a tie); longer rows are cut to it, shorter rows are an error.
    """
    rows = read_rows(path)
    if not rows:
        raise EmbedlabError(f"{path}: the file is empty; expected rows of data")
    widths = Counter(len(cells) for _, cells in rows)
    width = max(widths, key=lambda w: (widths[w], -w))
    first = rows[0][1]
    known = {n.lower() for n in header_names}
    header: list[str] | None = None
    if any(cell.lower() in known for cell in first):
        header = first
    elif not any(is_number(cell) for cell in first):
        body = [(n, c) for n, c in rows[1:51] if len(c) >= width]
        if numeric_columns(body, width):
            header = first
    if header is not None:
        width = len(header)
        rows = rows[1:]
    for number, cells in rows:
        if len(cells) < width:
            raise EmbedlabError(f"{path}: line {number} has {len(cells)} columns, expected "
                                f"{width} (like the {'header' if header else 'other rows'})")
    rows = [(n, cells[:width]) for n, cells in rows]
    if not rows:
        raise EmbedlabError(f"{path}: a header but no rows of data")
    return Table(path, header, rows, width)


def select_split(table: Table, split: str | None) -> tuple[Table, str | None]:
    """Keep the rows of ``split`` where the table has a split column (default: test)."""
    index = table.find(SPLIT_NAMES)
    if index is None or table.header is None:
        return table, None
    values = sorted({cells[index] for _, cells in table.rows})
    wanted = split or "test"
    names = split_names(wanted)
    rows = [(n, c) for n, c in table.rows if c[index].lower() in names]
    if not rows:
        raise EmbedlabError(f"{table.path}: no rows with split {wanted!r} in column "
                            f"{table.header[index]!r} (found {values})")
    return Table(table.path, table.header, rows, table.width), wanted
