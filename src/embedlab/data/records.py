"""Files opened and parsed into rows: the one place that reads bytes, text, JSON and CSV/TSV.

In: a path (``-`` is standard input) of a text file (txt, jsonl / ndjson, json, csv / tsv) or a
parquet file, gzip-compressed or not: gzip is known by its first two bytes, whatever the name.
Out: the text (UTF-8 unless told otherwise, a BOM dropped), ``(line number, JSON value)`` rows,
``(line number, cells)`` rows, or a pyarrow table; :func:`read_rows` picks the parser by the
file's format, once, for every reader of texts and documents. Every problem is an
:class:`EmbedlabError` naming the file and, where there is one, the line.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedlab.errors import EmbedlabError

if TYPE_CHECKING:
    import pyarrow as pa

GZIP_MAGIC = b"\x1f\x8b"
JSON_LINES_FORMATS = (".jsonl", ".ndjson")
JSON_FORMATS = (*JSON_LINES_FORMATS, ".json")
DELIMITERS = {".csv": ",", ".tsv": "\t"}
#: the formats a file of texts or documents may have (each gzipped or not)
ROW_FORMATS = (".txt", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet")

csv.field_size_limit(2**31 - 1)  # huge texts are data, not an error
# A JSON escape of a UTF-16 surrogate: the only way a lone surrogate gets into a parsed value
# (decoding UTF-8 strictly never makes one); a match is only a hint, the value is checked.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class JsonLineError(EmbedlabError):
    """A line of a JSON-lines text that does not parse; ``line`` is its number (from 1)."""

    def __init__(self, source: str | Path, line: int, reason: str) -> None:
        super().__init__(f"{source}: line {line} is not valid JSON ({reason})")
        self.line = line


def file_format(path: str | Path) -> str:
    """The lower-case suffix that names the format, a ``.gz`` after it ignored."""
    return Path(str(path).lower().removesuffix(".gz")).suffix


def gunzip(data: bytes, source: str | Path) -> bytes:
    """``data`` decompressed when it starts with gzip's magic bytes, else unchanged."""
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise EmbedlabError(f"{source}: a damaged gzip file") from None


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a file, or of standard input for ``-``, gunzipped when gzip."""
    if str(path) == "-":
        return gunzip(sys.stdin.buffer.read(), path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise EmbedlabError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise EmbedlabError(f"{path}: expected a file, found a folder") from None
    except OSError as exc:
        raise EmbedlabError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return gunzip(data, path)


def _raw_head(path: str | Path, size: int) -> bytes:
    """The first ``size`` bytes of a file as stored (not gunzipped); empty when unreadable."""
    try:
        with Path(path).open("rb") as f:
            return f.read(size)
    except OSError:
        return b""


def starts_with(path: str | Path, prefix: bytes) -> bool:
    """Whether a file's content (gunzipped when gzip) starts with ``prefix``; reads only that."""
    try:
        with Path(path).open("rb") as f:
            head = f.read(max(len(prefix), len(GZIP_MAGIC)))
            if head[:2] == GZIP_MAGIC:
                f.seek(0)
                with gzip.GzipFile(fileobj=f) as unzipped:
                    head = unzipped.read(len(prefix))
    except (OSError, EOFError, zlib.error):
        return False
    return head[:len(prefix)] == prefix


def decode_text(data: bytes, source: str | Path, encoding: str = "utf-8") -> str:
    """``data`` as text (a UTF-8 BOM dropped); undecodable bytes name their line."""
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    try:
        return data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(exc.object)  # the codec skipped a BOM
        line = data[:offset].count(b"\n") + 1
        name = "UTF-8" if utf8 else encoding
        raise EmbedlabError(f"{source}: not {name} text: line {line} is not valid {name} "
                            f"(byte {offset}); re-encode the file as {name}") from None


def read_text(path: str | Path, encoding: str = "utf-8") -> str:
    """The whole file (or standard input for ``-``) as text, gunzipped when gzip."""
    return decode_text(read_bytes(path), path, encoding)


def split_lines(text: str) -> list[str]:
    """Lines split on ``\\n`` only (``\\r\\n`` too), so U+2028 and friends stay inside a text."""
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _lone_surrogate(value: Any) -> str | None:
    """The first string in a JSON value (keys included) that is not valid Unicode, else None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value
        return None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        for item in value:
            bad = _lone_surrogate(item)
            if bad is not None:
                return bad
    return None


def check_unicode(value: Any, source: str | Path, row: int, raw: str | None = None) -> None:
    """Refuse a row whose strings are not valid Unicode (a lone UTF-16 surrogate such as
    ``"\\ud800"`` in JSON): no tokenizer, database or JSON writer can take one. ``raw``: the
    row's JSON text, which skips the check when it holds no surrogate escape."""
    if raw is not None and "\\u" not in raw:
        return
    if raw is not None and not _SURROGATE_ESCAPE.search(raw):
        return
    bad = _lone_surrogate(value)
    if bad is not None:
        at = next(i for i, ch in enumerate(bad) if 0xD800 <= ord(ch) <= 0xDFFF)
        raise EmbedlabError(f"{source}: row {row} is not valid Unicode (a lone surrogate "
                            f"\\u{ord(bad[at]):04x} at character {at + 1} of a string); "
                            "fix or remove that row")


def parse_json_line(line: str, source: str | Path, number: int) -> Any:
    """One line's JSON value, checked to be valid Unicode."""
    try:
        value = json.loads(line)
    except ValueError as exc:
        raise JsonLineError(source, number, getattr(exc, "msg", str(exc))) from None
    check_unicode(value, source, number, line)
    return value


def parse_json_lines(text: str, source: str | Path) -> list[tuple[int, Any]]:
    """The JSON value of each non-blank line as ``(line number, value)``."""
    return [(number, parse_json_line(line, source, number))
            for number, line in enumerate(split_lines(text), start=1) if line.strip()]


def parse_json_list(text: str, source: str | Path) -> list[tuple[int, Any]]:
    """The items of a JSON list as ``(position from 1, value)``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EmbedlabError(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, list):
        raise EmbedlabError(f"{source}: expected a JSON list of texts or objects")
    rows = list(enumerate(data, start=1))
    if _SURROGATE_ESCAPE.search(text):
        for number, value in rows:
            check_unicode(value, source, number)
    return rows


def parse_json_records(text: str, source: str | Path) -> list[tuple[int, Any]]:
    """A JSON list when the text starts with ``[``, else JSON lines."""
    if text.lstrip().startswith("["):
        return parse_json_list(text, source)
    return parse_json_lines(text, source)


def parse_delimited(text: str, source: str | Path, delimiter: str, *,
                    quoting: bool = True) -> list[tuple[int, list[str]]]:
    """Rows of CSV/TSV text as ``(line the row starts on, cells)``; empty lines are skipped.

    ``quoting=False`` splits each line on the delimiter as it is: tab files such as STS-B have
    unbalanced quotes inside their texts.
    """
    if not quoting:
        return [(number, line.split(delimiter))
                for number, line in enumerate(split_lines(text), start=1) if line]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for cells in reader:
            if cells:
                rows.append((consumed + 1, cells))
            consumed = reader.line_num
    except csv.Error as exc:
        kind = "CSV" if delimiter == "," else "delimited"
        raise EmbedlabError(f"{source}: not a valid {kind} file (line {reader.line_num}: "
                            f"{exc})") from None
    return rows


def parse_table(text: str, source: str | Path, delimiter: str
                ) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """CSV/TSV text with a header row: the header (names stripped) and the rows after it."""
    rows = parse_delimited(text, source, delimiter)
    if not rows:
        raise EmbedlabError(f"{source}: the file is empty")
    return [name.strip() for name in rows[0][1]], rows[1:]


def read_parquet(path: str | Path) -> pa.Table:
    """A parquet file (or standard input for ``-``, gzip allowed) as a pyarrow table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if str(path) != "-" and _raw_head(path, 4) == b"PAR1":
        try:  # plain parquet: pyarrow reads the file itself (no copy of it in memory)
            return pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            raise EmbedlabError(f"{path}: not a readable parquet file: {exc}") from None
    data = read_bytes(path)
    try:
        return pq.read_table(pa.BufferReader(data))
    except (OSError, pa.ArrowException) as exc:
        raise EmbedlabError(f"{path}: not a readable parquet file: {exc}") from None


def _undecodable_row(column: pa.ChunkedArray) -> int:
    """The first row (from 1) of a string column whose bytes are not UTF-8."""
    row = 0
    for chunk in column.chunks:
        for value in chunk:
            row += 1
            try:
                value.as_py()
            except UnicodeDecodeError:
                return row
    return row


def column_values(table: pa.Table, name: str, source: str | Path, offset: int = 0) -> list[Any]:
    """A parquet column as Python values; text that is not UTF-8 names its row (``offset``:
    the rows of the file before this table)."""
    column = table.column(name)
    try:
        return column.to_pylist()
    except UnicodeDecodeError:
        row = offset + _undecodable_row(column)
        raise EmbedlabError(f"{source}: row {row}: column {name!r} is not valid UTF-8 text; "
                            "fix or remove that row") from None


def table_records(table: pa.Table, source: str | Path) -> list[tuple[int, Any]]:
    """A parquet table as ``(row from 1, {column: value})`` rows (see :func:`column_values`)."""
    columns = {name: column_values(table, name, source) for name in table.column_names}
    return [(i + 1, {name: values[i] for name, values in columns.items()})
            for i in range(table.num_rows)]


@dataclass
class FileRows:
    """One file read and parsed once; exactly one of the row fields is set.

    ``lines``: plain text, one row a line. ``values``: ``(line number, JSON value)`` rows of a
    JSON-lines or JSON file (objects, or bare strings). ``header`` and ``cells``: a CSV/TSV file
    with a header row. ``table``: a parquet file (columns read as they are needed).
    """

    source: str
    lines: list[str] | None = None
    values: list[tuple[int, Any]] | None = None
    header: list[str] | None = None
    cells: list[tuple[int, list[str]]] | None = None
    table: pa.Table | None = None


def read_rows(path: str | Path) -> FileRows:
    """The rows of a file of texts or documents, by its format (see :data:`ROW_FORMATS`);
    standard input (``-``) holds plain lines, or JSON lines when it starts with an object."""
    source = str(path)
    suffix = file_format(source)
    if source != "-" and suffix not in ROW_FORMATS:
        raise EmbedlabError(f"{source}: unknown input format {suffix or '(no suffix)'!r}; "
                            "expected one of " + ", ".join(ROW_FORMATS) + " (optionally .gz)")
    if suffix == ".parquet":
        return FileRows(source, table=read_parquet(source))
    text = read_text(source)
    if suffix in JSON_LINES_FORMATS or (source == "-" and text.lstrip()[:1] == "{"):
        return FileRows(source, values=parse_json_lines(text, source))
    if suffix == ".json":
        return FileRows(source, values=parse_json_list(text, source))
    if suffix in DELIMITERS:
        header, cells = parse_table(text, source, DELIMITERS[suffix])
        return FileRows(source, header=header, cells=cells)
    return FileRows(source, lines=split_lines(text))
