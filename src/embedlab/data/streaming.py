"""Texts read in blocks, so that memory holds one block whatever the file's size.

In: a path (``-`` is standard input) and the field to read, as :func:`~embedlab.data.readers.
read_texts` takes them. Out: :class:`~embedlab.data.readers.TextTable` blocks of at most
``rows`` texts and about ``chars`` characters, in file order, with ids numbered across blocks.
Line-oriented files stream: ``.txt``, ``.jsonl`` / ``.ndjson``, ``.csv`` / ``.tsv`` (gzipped or
not, and standard input); a ``.parquet`` file streams by record batches. A ``.json`` list (one
JSON value) and gzipped or piped parquet are read whole, as one block. The field and the id
field are picked from the first block, as ``read_texts`` picks them from the whole file; every
row is checked as ``read_texts`` checks it (bad rows name their line). ``position`` is the
number of bytes read from the file so far (for a progress bar).

Written here rather than with a library: the standard library's line iteration and
``csv.reader`` already stream, this module only keeps line numbers and the rules of
``read_texts``.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from embedlab.data.columns import ID_NAMES, guess_column, text_column
from embedlab.data.readers import (
    TextTable,
    _as_text,
    _from_parquet,
    _from_table,
    _row_id,
    read_texts,
)
from embedlab.data.records import (
    DELIMITERS,
    GZIP_MAGIC,
    JSON_LINES_FORMATS,
    ROW_FORMATS,
    file_format,
    parse_json_line,
)
from embedlab.errors import EmbedlabError

ROWS = 4096
CHARS = 8_000_000


class TextStream:
    """Blocks of texts from one file; iterate it (once). See the module docstring."""

    def __init__(self, path: str | Path, field: str | None = None, *, rows: int = ROWS,
                 chars: int = CHARS) -> None:
        self.source = str(path)
        self.field = field
        self.rows = rows
        self.chars = chars
        self.position = 0
        self.size = 0 if self.source == "-" else _size(self.source)
        self.count = 0
        suffix = file_format(self.source)
        if self.source != "-" and suffix not in ROW_FORMATS:
            raise EmbedlabError(f"{self.source}: unknown input format {suffix or '(no suffix)'!r}"
                                "; expected one of " + ", ".join(ROW_FORMATS) + " (optionally .gz)")
        self.suffix = suffix
        self._raw: IO[bytes] | None = None

    def __iter__(self) -> Iterator[TextTable]:
        if self.suffix == ".json" or (self.suffix == ".parquet" and not _plain_parquet(self)):
            table = read_texts(self.source, self.field)
            self.position = self.size
            self.count = len(table.texts)
            yield table
            return
        if self.suffix == ".parquet":
            blocks: Iterable[TextTable] = self._parquet()
        else:
            blocks = self._lines()
        for block in blocks:
            if block.texts:
                self.count += len(block.texts)
                yield block
        self.position = self.size
        if self.count == 0:
            raise EmbedlabError(f"{self.source}: no texts to read (the file is empty)")

    # -- parquet -----------------------------------------------------------------------------
    def _parquet(self) -> Iterator[TextTable]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(self.source)
            batches = reader.iter_batches(batch_size=self.rows)
            done = 0
            for batch in batches:
                block = _from_parquet(pa.Table.from_batches([batch]), self.field, self.source,
                                      offset=done)
                done += batch.num_rows
                self.position = int(self.size * done / max(reader.metadata.num_rows, 1))
                yield block
        except (OSError, pa.ArrowException) as exc:
            raise EmbedlabError(f"{self.source}: not a readable parquet file: {exc}") from None

    # -- line-oriented files -----------------------------------------------------------------
    def _lines(self) -> Iterator[TextTable]:
        with _open(self) as lines:
            numbered = _decoded(lines, self)
            if self.suffix in DELIMITERS:
                yield from self._delimited(numbered, DELIMITERS[self.suffix])
                return
            first = next(numbered, None)
            if first is None:
                return
            json_lines = self.suffix in JSON_LINES_FORMATS or (
                self.source == "-" and first[1].lstrip()[:1] == "{")
            rows = _chain(first, numbered)
            yield from (self._json(rows) if json_lines else self._plain(rows))

    def _blocks(self, rows: Iterator[tuple[int, Any]]) -> Iterator[list[tuple[int, Any]]]:
        block: list[tuple[int, Any]] = []
        size = 0
        for row in rows:
            block.append(row)
            size += len(row[1]) if isinstance(row[1], str) else 1
            if len(block) >= self.rows or size >= self.chars:
                yield block
                block, size = [], 0
        if block:
            yield block

    def _plain(self, rows: Iterator[tuple[int, str]]) -> Iterator[TextTable]:
        if self.field is not None:
            raise EmbedlabError(f"{self.source}: plain text has one text a line, no field "
                                f"{self.field!r}")
        for block in self._blocks(rows):
            texts = [text for _, text in block]
            yield TextTable(texts, [str(self.count + i) for i in range(len(texts))], None,
                            self.source)

    def _json(self, lines: Iterator[tuple[int, str]]) -> Iterator[TextTable]:
        values = ((n, parse_json_line(line, self.source, n)) for n, line in lines
                  if line.strip())
        chosen: str | None = None
        id_field: str | None = None
        strings: bool | None = None
        for block in self._blocks(values):
            if strings is None:
                strings = all(isinstance(v, str) for _, v in block)
                if strings and self.field is not None:
                    raise EmbedlabError(f"{self.source}: rows are plain strings, there is no "
                                        f"field {self.field!r}")
                if not strings:
                    columns = list(dict.fromkeys(
                        k for _, rec in block if isinstance(rec, dict) for k in rec))
                    chosen = text_column(columns, self.field, self.source)
                    id_field = guess_column(columns, ID_NAMES, exclude=chosen)
            yield self._records(block, strings, chosen, id_field)

    def _records(self, block: list[tuple[int, Any]], strings: bool, chosen: str | None,
                 id_field: str | None) -> TextTable:
        texts: list[str] = []
        ids: list[str] = []
        for row, value in block:
            number = self.count + len(texts)
            if strings:
                if not isinstance(value, str):
                    raise EmbedlabError(f"{self.source}: row {row} is {type(value).__name__}, "
                                        "expected a string like the rows before it")
                texts.append(value)
                ids.append(str(number))
                continue
            if not isinstance(value, dict):
                raise EmbedlabError(f"{self.source}: row {row} is {type(value).__name__}, "
                                    "expected an object")
            assert chosen is not None
            if chosen not in value:
                raise EmbedlabError(f"{self.source}: row {row} has no field {chosen!r}")
            texts.append(_as_text(value[chosen], self.source, row, chosen))
            ids.append(_row_id(value.get(id_field), self.source, row, id_field) if id_field
                       else str(number))
        return TextTable(texts, ids, chosen, self.source)

    def _delimited(self, lines: Iterator[tuple[int, str]], delimiter: str
                   ) -> Iterator[TextTable]:
        reader = csv.reader((line + "\n" for _, line in lines), delimiter=delimiter)
        kind = "CSV" if delimiter == "," else "delimited"

        def rows() -> Iterator[tuple[int, list[str]]]:
            start = 1
            try:
                for cells in reader:
                    if cells:
                        yield start, cells
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise EmbedlabError(f"{self.source}: not a valid {kind} file (line "
                                    f"{reader.line_num}: {exc})") from None

        numbered = rows()
        header = next(numbered, None)
        if header is None:
            raise EmbedlabError(f"{self.source}: the file is empty")
        names = [name.strip() for name in header[1]]
        text_column(names, self.field, self.source)  # a wrong field fails before any row
        for block in self._blocks((n, cells) for n, cells in numbered):
            yield _from_table(names, block, self.field, self.source, offset=self.count)


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except FileNotFoundError:
        raise EmbedlabError(f"{path}: file not found") from None
    except OSError as exc:
        raise EmbedlabError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _plain_parquet(stream: TextStream) -> bool:
    with open(stream.source, "rb") as f:
        return f.read(4) == b"PAR1"


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]
           ) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


class _open:
    """The file's lines as bytes (gunzipped when gzip), and its raw position as it is read."""

    def __init__(self, stream: TextStream) -> None:
        self.stream = stream
        self._files: list[IO[bytes]] = []

    def __enter__(self) -> Iterator[bytes]:
        source = self.stream.source
        if source == "-":
            raw: IO[bytes] = sys.stdin.buffer
        else:
            if Path(source).is_dir():
                raise EmbedlabError(f"{source}: expected a file, found a folder")
            try:
                raw = open(source, "rb")  # noqa: SIM115 - closed in __exit__
            except OSError as exc:
                raise EmbedlabError(f"{source}: cannot read ({exc.strerror or exc})") from None
            self._files.append(raw)
        if not hasattr(raw, "peek"):  # a pipe without a buffer (tests, embedding programs)
            raw = io.BufferedReader(raw)  # type: ignore[arg-type]
        head = raw.peek(2)[:2]  # type: ignore[attr-defined]
        lines: IO[bytes] = gzip.GzipFile(fileobj=raw) if head == GZIP_MAGIC else raw
        self.stream._raw = raw
        return iter(lines)

    def __exit__(self, *exc: object) -> None:
        for f in self._files:
            f.close()


def _decoded(lines: Iterator[bytes], stream: TextStream) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line, decoded as UTF-8 (a BOM dropped, ``\\r\\n`` too);
    undecodable bytes name their line."""
    offset = 0
    try:
        for number, data in enumerate(lines, start=1):
            if number == 1 and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
                offset += 3
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise EmbedlabError(f"{stream.source}: not UTF-8 text: line {number} is not "
                                    f"valid UTF-8 (byte {offset + exc.start}); re-encode the "
                                    "file as UTF-8") from None
            offset += len(data)
            data = b""  # a huge line: do not hold its bytes while its text is used
            if text.endswith("\n"):
                text = text[:-1]
            if text.endswith("\r"):
                text = text[:-1]
            if number % 1024 == 0 and stream._raw is not None and stream.source != "-":
                stream.position = stream._raw.tell()
            yield number, text
    except (OSError, EOFError) as exc:  # a damaged gzip stream
        raise EmbedlabError(f"{stream.source}: a damaged gzip file ({exc})") from None
