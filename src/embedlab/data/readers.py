"""Read a column of texts (and ids, where the file has them) from the files users have.

In: a path and, optionally, the field to read. Formats, by suffix: ``.txt`` (one text a line),
``.jsonl`` / ``.ndjson``, ``.json`` (a list of objects or strings), ``.csv`` / ``.tsv`` (with a
header row), ``.parquet``, each gzip-compressed or not (``.gz`` after the suffix allowed); ``-``
reads standard input (plain lines, or JSON lines when the first line is an object). Out: a
:class:`TextTable`. Every problem is an :class:`EmbedlabError` naming the file and, where it
helps, the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedlab.data.columns import ID_NAMES, guess_column, text_column
from embedlab.data.records import column_values, read_rows
from embedlab.errors import EmbedlabError

if TYPE_CHECKING:
    import pyarrow as pa

@dataclass
class TextTable:
    """Texts in file order, their ids (from the file, else row numbers), and the field read."""

    texts: list[str]
    ids: list[str]
    field: str | None
    source: str


def _as_text(value: Any, path: str, row: int, field: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        shown = "null" if value is None else type(value).__name__
        raise EmbedlabError(f"{path}: row {row}: field {field!r} is {shown}, expected text")
    if isinstance(value, (int, float)):
        return str(value)
    raise EmbedlabError(f"{path}: row {row}: field {field!r} is {type(value).__name__}, "
                        "expected text")


def _from_records(records: list[tuple[int, Any]], field: str | None, path: str) -> TextTable:
    """Texts from ``(row number, JSON value)`` rows: objects, or bare strings."""
    if all(isinstance(r, str) for _, r in records):
        if field is not None:
            raise EmbedlabError(f"{path}: rows are plain strings, there is no field {field!r}")
        return TextTable([r for _, r in records], [str(i) for i in range(len(records))], None,
                         path)
    for row, rec in records:
        if not isinstance(rec, dict):
            raise EmbedlabError(f"{path}: row {row} is {type(rec).__name__}, expected an object")
    columns = list(dict.fromkeys(k for _, rec in records for k in rec))
    chosen = text_column(columns, field, path)
    id_field = guess_column(columns, ID_NAMES, exclude=chosen)
    texts, ids = [], []
    for i, (row, rec) in enumerate(records):
        if chosen not in rec:
            raise EmbedlabError(f"{path}: row {row} has no field {chosen!r}")
        texts.append(_as_text(rec[chosen], path, row, chosen))
        ids.append(_row_id(rec.get(id_field), path, row, id_field) if id_field else str(i))
    return TextTable(texts, ids, chosen, path)


def _row_id(value: Any, path: str, row: int, id_field: str) -> str:
    """A row's id; a missing or null id is refused (a row number in its place could clash with
    a real id)."""
    if value is None:
        raise EmbedlabError(f"{path}: row {row} has no id in field {id_field!r} (null or "
                            "missing); give every row an id, or none")
    return str(value)


def _from_table(header: list[str], rows: list[tuple[int, list[str]]], field: str | None,
                path: str, offset: int = 0) -> TextTable:
    """Texts of delimited rows ``(row number, cells)`` under ``header``; without an id column
    the ids are row numbers from ``offset`` (the rows before this block)."""
    chosen = text_column(header, field, path)
    col = header.index(chosen)
    id_field = guess_column(header, ID_NAMES, exclude=chosen)
    id_col = header.index(id_field) if id_field else None
    texts, ids = [], []
    for row, cells in rows:
        if col >= len(cells):
            raise EmbedlabError(f"{path}: row {row} has {len(cells)} columns, no "
                                f"{chosen!r} (column {col + 1})")
        texts.append(cells[col])
        if id_col is None or id_field is None:
            ids.append(str(offset + len(ids)))
        else:
            ids.append(_row_id(cells[id_col] if id_col < len(cells) else None, path, row,
                               id_field))
    return TextTable(texts, ids, chosen, path)


def _from_parquet(table: pa.Table, field: str | None, path: str, offset: int = 0) -> TextTable:
    """Texts of a parquet table whose first row is row ``offset`` of the file (from 0)."""
    chosen = text_column(table.column_names, field, path)
    values = column_values(table, chosen, path, offset)
    texts = [_as_text(v, path, offset + i + 1, chosen) for i, v in enumerate(values)]
    id_field = guess_column(table.column_names, ID_NAMES, exclude=chosen)
    ids = ([_row_id(v, path, offset + i + 1, id_field)
            for i, v in enumerate(column_values(table, id_field, path, offset))] if id_field
           else [str(offset + i) for i in range(len(texts))])
    return TextTable(texts, ids, chosen, path)


def read_texts(path: str | Path, field: str | None = None) -> TextTable:
    """All texts of one file; raises :class:`EmbedlabError` for a bad or empty file."""
    rows = read_rows(path)
    source = rows.source
    if rows.table is not None:
        table = _from_parquet(rows.table, field, source)
    elif rows.values is not None:
        table = _from_records(rows.values, field, source)
    elif rows.header is not None and rows.cells is not None:
        table = _from_table(rows.header, rows.cells, field, source)
    else:
        if field is not None:
            raise EmbedlabError(f"{source}: plain text has one text a line, no field {field!r}")
        lines = rows.lines or []
        table = TextTable(lines, [str(i) for i in range(len(lines))], None, source)
    if not table.texts:
        raise EmbedlabError(f"{source}: no texts to read (the file is empty)")
    return table
