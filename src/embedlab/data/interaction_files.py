"""Interaction and item files as columns, whatever the layout recommender data comes in.

In: a path. Out: ``(column name -> cells as strings)``, in file order. Layouts:

- a table with a header: CSV, TSV, parquet, JSON lines / JSON list (through
  :func:`embedlab.data.records.read_rows`);
- RecBole atomic files (``.inter``, ``.item``, ``.user``): tab-separated, a header of
  ``name:type`` cells (the types are dropped);
- MovieLens: ``u.data`` (tab-separated ``user item rating timestamp``, no header), ``u.item``
  (``|``-separated, Latin-1, 19 genre flags turned into one ``genres`` column), the
  ``::``-separated ``ratings.dat`` / ``movies.dat`` of ml-1m and ml-10m, and the ``ratings.csv``
  / ``movies.csv`` of ml-latest (plain CSV with a header);
- any other delimited file without a header (its first row all numbers) gets the positional
  names it is read for (``user, item, rating, timestamp``).

Problems (an empty file, ragged rows, non-UTF-8 text outside the MovieLens files that are
Latin-1 as published) raise an :class:`EmbedlabError` naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from embedlab.data.records import (
    decode_text,
    file_format,
    parse_delimited,
    read_bytes,
    read_rows,
    split_lines,
)
from embedlab.errors import EmbedlabError

Columns = dict[str, list[str]]

#: the genres of MovieLens 100k's ``u.item`` flags, in column order (as in its ``u.genre``)
ML100K_GENRES = ("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                 "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                 "Romance", "Sci-Fi", "Thriller", "War", "Western")
ML100K_ITEM_COLUMNS = ("item", "title", "release_date", "video_release_date", "url")
#: a RecBole atomic file's header cell: ``name:type``
RECBOLE_HEADER = re.compile(r"^[^:]+:(token|token_seq|float|float_seq)$")
#: files MovieLens publishes in Latin-1
LATIN1_NAMES = ("u.item", "u.user", "movies.dat", "users.dat", "ratings.dat", "u.data")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _decode(path: Path) -> str:
    data = read_bytes(path)
    name = path.name.lower().removesuffix(".gz")
    if name in LATIN1_NAMES:
        try:
            return decode_text(data, path)
        except EmbedlabError:
            return data.decode("latin-1")
    return decode_text(data, path)


def _delimiter(path: Path, first_line: str) -> str:
    suffix = file_format(path)
    if suffix == ".tsv":
        return "\t"
    if suffix == ".csv":
        return ","
    for candidate in ("::", "\t", "|", ","):
        if candidate in first_line:
            return candidate
    return " "


def _split(text: str, path: Path, delimiter: str) -> list[list[str]]:
    if delimiter == ",":
        return [cells for _, cells in parse_delimited(text, path, ",")]
    if delimiter == " ":
        return [line.split() for line in split_lines(text) if line.strip()]
    return [line.split(delimiter) for line in split_lines(text) if line.strip()]


def _to_columns(names: Sequence[str], rows: list[list[str]], path: Path, first_line: int
                ) -> Columns:
    width = len(names)
    columns: Columns = {name: [] for name in names}
    for offset, cells in enumerate(rows):
        if len(cells) != width:
            raise EmbedlabError(f"{path}: row {offset + first_line} has {len(cells)} fields, "
                                f"expected {width} like the first row")
        for name, cell in zip(names, cells, strict=True):
            columns[name].append(cell.strip())
    return columns


def _ml100k_items(columns: Columns) -> Columns:
    """``u.item``'s 19 genre flag columns as one ``|``-joined ``genres`` column."""
    flags = [columns.pop(g) for g in ML100K_GENRES]
    columns["genres"] = ["|".join(g for g, f in zip(ML100K_GENRES, row, strict=True)
                                  if f.strip() == "1")
                         for row in zip(*flags, strict=True)]
    return columns


def _structured(path: Path) -> Columns:
    """A CSV/TSV/parquet/JSON table with a header, through ``read_rows``."""
    rows = read_rows(path)
    if rows.table is not None:
        return {name: ["" if v is None else str(v) for v in rows.table.column(name).to_pylist()]
                for name in rows.table.column_names}
    if rows.header is not None and rows.cells is not None:
        return _to_columns(rows.header, [cells for _, cells in rows.cells], path, 2)
    if rows.values is not None:
        columns: Columns = {}
        for count, (number, value) in enumerate(rows.values):
            if not isinstance(value, dict):
                raise EmbedlabError(f"{path}: line {number}: expected a JSON object")
            for key in value:
                columns.setdefault(str(key), [""] * count)
            for key, cells in columns.items():
                cell = value.get(key)
                cells.append("" if cell is None else str(cell))
        return columns
    raise EmbedlabError(f"{path}: expected a table (CSV, TSV, parquet or JSON lines)")


def read_columns(path: str | Path, positional: Sequence[str]) -> Columns:
    """The columns of an interaction or item file (see the module docstring); a file without a
    header names its columns ``positional`` (extra columns ``column_N``)."""
    path = Path(path)
    suffix = file_format(path)
    if suffix in (".parquet", ".jsonl", ".ndjson", ".json"):
        return _check_rows(_structured(path), path)
    text = _decode(path)
    lines = [line for line in split_lines(text) if line.strip()]
    if not lines:
        raise EmbedlabError(f"{path}: the file is empty")
    delimiter = _delimiter(path, lines[0])
    rows = _split(text, path, delimiter)
    first = [cell.strip() for cell in rows[0]]
    if all(RECBOLE_HEADER.match(c) for c in first):
        names = [cell.split(":", 1)[0] for cell in first]
        return _check_rows(_to_columns(names, rows[1:], path, 2), path)
    ml100k_items = path.name.lower() == "u.item" or (
        delimiter == "|" and len(first) == len(ML100K_ITEM_COLUMNS) + len(ML100K_GENRES)
        and _is_number(first[0]))
    if ml100k_items:
        names = [*ML100K_ITEM_COLUMNS, *ML100K_GENRES]
        if len(first) != len(names):
            raise EmbedlabError(f"{path}: expected MovieLens 100k's u.item layout ({len(names)} "
                                f"'|'-separated fields), found {len(first)}")
        return _ml100k_items(_to_columns(names, rows, path, 1))
    if _is_number(first[0]) and (len(first) == 1 or _is_number(first[1]) or delimiter == "::"):
        names = [*positional[:len(first)],
                 *(f"column_{i + 1}" for i in range(len(positional), len(first)))]
        return _check_rows(_to_columns(names, rows, path, 1), path)
    return _check_rows(_to_columns(first, rows[1:], path, 2), path)


def _check_rows(columns: Columns, path: Path) -> Columns:
    if not columns or not next(iter(columns.values())):
        raise EmbedlabError(f"{path}: no rows after the header")
    return columns
