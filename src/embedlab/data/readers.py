"""Read a column of texts (and ids, where the file has them) from the files users have.

Formats, by suffix (``.gz`` allowed on the text formats): ``.txt`` (one text a line), ``.jsonl``
/ ``.ndjson``, ``.json`` (a list of objects or strings), ``.csv`` / ``.tsv`` (with a header row),
``.parquet``; ``-`` reads standard input (plain lines, or JSON lines when the first line is an
object). Every problem is an :class:`EmbedlabError` naming the file and, where it helps, the row.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedlab.errors import EmbedlabError

TEXT_FIELDS = ("text", "sentence", "content", "body", "passage", "document", "query", "input")
ID_FIELDS = ("_id", "id", "doc_id", "docid", "uid")
TEXT_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet")

csv.field_size_limit(2**31 - 1)  # huge texts are data, not an error


@dataclass
class TextTable:
    """Texts in file order, their ids (from the file, else row numbers), and the field read."""

    texts: list[str]
    ids: list[str]
    field: str | None
    source: str


def _suffix(path: str) -> str:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def read_bytes(path: str) -> bytes:
    """The raw bytes of a file (gunzipped for ``.gz``) or of stdin for ``-``."""
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if not p.exists():
        raise EmbedlabError(f"{path}: file not found")
    if p.is_dir():
        raise EmbedlabError(f"{path}: is a folder, expected a file")
    try:
        data = p.read_bytes()
        return gzip.decompress(data) if path.lower().endswith(".gz") else data
    except (OSError, EOFError) as exc:
        raise EmbedlabError(f"{path}: cannot read: {exc}") from None


def decode_utf8(data: bytes, path: str) -> str:
    """UTF-8 text (a BOM is dropped); undecodable bytes name their line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EmbedlabError(
            f"{path}: line {line} is not valid UTF-8 (byte {exc.start}); re-encode the file "
            "as UTF-8"
        ) from None


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


def _pick_field(columns: list[str], field: str | None, path: str) -> str:
    if field is not None:
        if field not in columns:
            raise EmbedlabError(f"{path}: no field {field!r}; fields are {columns}")
        return field
    lowered = {c.lower(): c for c in columns}
    for name in TEXT_FIELDS:
        if name in lowered:
            return lowered[name]
    if len(columns) == 1:
        return columns[0]
    raise EmbedlabError(f"{path}: cannot tell which field holds the text (fields are "
                        f"{columns}); name it with --field")


def _pick_id(columns: list[str], text_field: str) -> str | None:
    lowered = {c.lower(): c for c in columns}
    for name in ID_FIELDS:
        if name in lowered and lowered[name] != text_field:
            return lowered[name]
    return None


def split_lines(text: str) -> list[str]:
    """Lines split on ``\n`` only (``\r\n`` too), so U+2028 and friends stay inside a text."""
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _from_records(records: list[tuple[int, Any]], field: str | None, path: str) -> TextTable:
    """Texts from (row number, JSON value) pairs: objects, or bare strings."""
    if all(isinstance(r, str) for _, r in records):
        if field is not None:
            raise EmbedlabError(f"{path}: rows are plain strings, there is no field {field!r}")
        return TextTable([r for _, r in records], [str(i) for i in range(len(records))], None,
                         path)
    for row, rec in records:
        if not isinstance(rec, dict):
            raise EmbedlabError(f"{path}: row {row} is {type(rec).__name__}, expected an object")
    columns = list(dict.fromkeys(k for _, rec in records for k in rec))
    chosen = _pick_field(columns, field, path)
    id_field = _pick_id(columns, chosen)
    texts, ids = [], []
    for i, (row, rec) in enumerate(records):
        if chosen not in rec:
            raise EmbedlabError(f"{path}: row {row} has no field {chosen!r}")
        texts.append(_as_text(rec[chosen], path, row, chosen))
        ids.append(str(rec[id_field]) if id_field and rec.get(id_field) is not None else str(i))
    return TextTable(texts, ids, chosen, path)


def _read_jsonl(text: str, field: str | None, path: str) -> TextTable:
    records = []
    for row, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            records.append((row, json.loads(line)))
        except ValueError as exc:
            raise EmbedlabError(f"{path}: line {row} is not valid JSON ({exc.msg})") from None
    return _from_records(records, field, path)


def _read_json(text: str, field: str | None, path: str) -> TextTable:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EmbedlabError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, list):
        raise EmbedlabError(f"{path}: expected a JSON list of texts or objects")
    return _from_records(list(enumerate(data, start=1)), field, path)


def _read_delimited(text: str, field: str | None, path: str, delimiter: str) -> TextTable:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise EmbedlabError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise EmbedlabError(f"{path}: not a valid delimited file: {exc}") from None
    header = [h.strip() for h in header]
    chosen = _pick_field(header, field, path)
    col = header.index(chosen)
    id_field = _pick_id(header, chosen)
    id_col = header.index(id_field) if id_field else None
    texts, ids = [], []
    try:
        for row, cells in enumerate(reader, start=2):
            if not cells:
                continue
            if col >= len(cells):
                raise EmbedlabError(f"{path}: row {row} has {len(cells)} columns, no "
                                    f"{chosen!r} (column {col + 1})")
            texts.append(cells[col])
            has_id = id_col is not None and id_col < len(cells)
            ids.append(cells[id_col] if has_id else str(len(ids)))
    except csv.Error as exc:
        raise EmbedlabError(f"{path}: not a valid delimited file: {exc}") from None
    return TextTable(texts, ids, chosen, path)


def _read_parquet(path: str, field: str | None) -> TextTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise EmbedlabError(f"{path}: not a readable parquet file: {exc}") from None
    chosen = _pick_field(table.column_names, field, path)
    values = table.column(chosen).to_pylist()
    texts = [_as_text(v, path, i + 1, chosen) for i, v in enumerate(values)]
    id_field = _pick_id(table.column_names, chosen)
    ids = ([str(v) for v in table.column(id_field).to_pylist()] if id_field
           else [str(i) for i in range(len(texts))])
    return TextTable(texts, ids, chosen, path)


def read_texts(path: str | Path, field: str | None = None) -> TextTable:
    """All texts of one file; raises :class:`EmbedlabError` for a bad or empty file."""
    path = str(path)
    suffix = _suffix(path)
    if path != "-" and suffix not in TEXT_SUFFIXES:
        raise EmbedlabError(f"{path}: unknown input format {suffix or '(no suffix)'!r}; expected "
                            "one of " + ", ".join(TEXT_SUFFIXES) + " (optionally .gz)")
    if suffix == ".parquet":
        if not Path(path).is_file():
            raise EmbedlabError(f"{path}: file not found")
        table = _read_parquet(path, field)
    else:
        text = decode_utf8(read_bytes(path), path)
        first = text.lstrip()[:1]
        if suffix in {".jsonl", ".ndjson"} or (path == "-" and first == "{"):
            table = _read_jsonl(text, field, path)
        elif suffix == ".json":
            table = _read_json(text, field, path)
        elif suffix in {".csv", ".tsv"}:
            table = _read_delimited(text, field, path, "\t" if suffix == ".tsv" else ",")
        else:
            if field is not None:
                raise EmbedlabError(f"{path}: plain text has one text a line, no field {field!r}")
            lines = split_lines(text)
            table = TextTable(lines, [str(i) for i in range(len(lines))], None, path)
    if not table.texts:
        raise EmbedlabError(f"{path}: no texts to read (the file is empty)")
    return table
