"""The catalog of one index generation: documents, chunks, texts and metadata, in SQLite.

Tables: ``documents(doc_id, meta)`` (metadata as JSON), ``chunks(row, doc_id, chunk, start,
end, text)`` where ``row`` is the chunk's id in the vector store, and ``terms(doc_id, field,
value)`` for filters. A generation's catalog is written once (in a folder nobody reads yet) and
then only read: readers open it with ``immutable=1``, so they take no locks and never see a
half-written file.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.search.chunking import Chunk
from embedlab.search.damage import DamagedFile, reading, sqlite_truncated
from embedlab.search.documents import Document, filter_terms
from embedlab.search.filters import Filters

FILE = "catalog.sqlite"
_SCHEMA = """
CREATE TABLE documents(doc_id TEXT PRIMARY KEY, meta TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE chunks(row INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, chunk INTEGER NOT NULL,
                    start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX chunks_doc ON chunks(doc_id);
CREATE TABLE terms(doc_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX terms_field_value ON terms(field, value);
CREATE INDEX terms_doc ON terms(doc_id);
"""
_BATCH = 500  # SQLite's limit on bound parameters is 32766 in recent builds, 999 in old ones


def _batches(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i:i + _BATCH] for i in range(0, len(items), _BATCH)]


class Catalog:
    """Read or write one generation's catalog file (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, folder: Path, copy_from: Path | None = None) -> Catalog:
        """A writable catalog in ``folder``: empty, or a copy of an earlier generation's."""
        path = folder / FILE
        if copy_from is not None:
            shutil.copyfile(copy_from / FILE, path)
        conn = sqlite3.connect(path)
        # The file is not published until the generation is committed (and fsynced then), so
        # SQLite's own journal would only slow the writes down.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        if copy_from is None:
            conn.executescript(_SCHEMA)
        return cls(conn, path)

    @classmethod
    def open(cls, folder: Path) -> Catalog:
        """A read-only catalog (safe to share between threads for reading)."""
        path = folder / FILE
        if not path.is_file():
            raise FileNotFoundError(path)
        with reading(path):
            cut = sqlite_truncated(path)
            if cut:
                raise DamagedFile(path, cut)
            uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            try:
                tables = {t for (t,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                if not {"documents", "chunks", "terms"} <= tables:
                    raise DamagedFile(path, "the documents, chunks and terms tables are not all "
                                      "there")
            except BaseException:
                conn.close()
                raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    # -- writing -----------------------------------------------------------------------------
    def insert(self, documents: Sequence[Document], chunks: Sequence[Chunk],
               rows: np.ndarray) -> None:
        """Add documents and their chunks; chunk ``i`` gets store row ``rows[i]``."""
        c = self.conn
        c.executemany("INSERT INTO documents VALUES (?, ?)",
                      ((d.id, json.dumps(d.meta, ensure_ascii=False)) for d in documents))
        c.executemany("INSERT INTO terms VALUES (?, ?, ?)",
                      ((d.id, f, v) for d in documents for f, v in filter_terms(d.meta)))
        c.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
                      ((int(r), ch.doc_id, ch.number, ch.start, ch.end, ch.text)
                       for r, ch in zip(rows, chunks, strict=True)))
        c.commit()

    def delete(self, doc_ids: Sequence[str]) -> np.ndarray:
        """Remove documents; the store rows their chunks had."""
        rows: list[int] = []
        c = self.conn
        for batch in _batches(list(doc_ids)):
            marks = ",".join("?" * len(batch))
            rows += [r for (r,) in c.execute(f"SELECT row FROM chunks WHERE doc_id IN ({marks})",
                                             batch)]
            for table in ("chunks", "terms", "documents"):
                c.execute(f"DELETE FROM {table} WHERE doc_id IN ({marks})", batch)
        c.commit()
        return np.asarray(sorted(rows), dtype=np.int64)

    def renumber(self, new_row: np.ndarray) -> None:
        """Give every chunk row ``r`` the row ``new_row[r]`` (after the store compacted)."""
        c = self.conn
        c.execute("CREATE TEMP TABLE remap(old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
        live = [(int(r),) for (r,) in c.execute("SELECT row FROM chunks")]
        c.executemany("INSERT INTO remap VALUES (?, ?)",
                      ((r, int(new_row[r])) for (r,) in live))
        c.executescript("""
            CREATE TABLE chunks2(row INTEGER PRIMARY KEY, doc_id TEXT NOT NULL,
                                 chunk INTEGER NOT NULL, start INTEGER NOT NULL,
                                 end INTEGER NOT NULL, text TEXT NOT NULL);
            INSERT INTO chunks2 SELECT remap.new, doc_id, chunk, start, end, text
                FROM chunks JOIN remap ON remap.old = chunks.row;
            DROP TABLE chunks;
            ALTER TABLE chunks2 RENAME TO chunks;
            CREATE INDEX chunks_doc ON chunks(doc_id);
            DROP TABLE remap;
        """)
        c.commit()

    # -- reading -----------------------------------------------------------------------------
    def existing(self, doc_ids: Sequence[str]) -> list[str]:
        """Those of ``doc_ids`` that the catalog holds."""
        found: list[str] = []
        for batch in _batches(list(doc_ids)):
            marks = ",".join("?" * len(batch))
            found += [d for (d,) in self.conn.execute(
                f"SELECT doc_id FROM documents WHERE doc_id IN ({marks})", batch)]
        return found

    def count_documents(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def count_chunks(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def fields(self) -> list[str]:
        """The metadata fields a filter can use."""
        return [f for (f,) in self.conn.execute("SELECT DISTINCT field FROM terms ORDER BY 1")]

    def row_table(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Every live chunk: ``(rows, doc_ids, chunk numbers)``, ordered by row."""
        rows, docs, numbers = [], [], []
        for r, d, n in self.conn.execute("SELECT row, doc_id, chunk FROM chunks ORDER BY row"):
            rows.append(r)
            docs.append(d)
            numbers.append(n)
        return (np.asarray(rows, dtype=np.int64), docs, np.asarray(numbers, dtype=np.int64))

    def texts(self) -> tuple[np.ndarray, list[str]]:
        """Every live chunk's ``(rows, texts)``, ordered by row."""
        rows, texts = [], []
        for r, t in self.conn.execute("SELECT row, text FROM chunks ORDER BY row"):
            rows.append(r)
            texts.append(t)
        return np.asarray(rows, dtype=np.int64), texts

    def rows_matching(self, filters: Filters) -> np.ndarray:
        """Sorted rows of the chunks whose document matches every field of ``filters``."""
        sql = "SELECT row FROM chunks"
        args: list[str] = []
        clauses = []
        for field, values in filters.items():
            marks = ",".join("?" * len(values))
            clauses.append(f"doc_id IN (SELECT doc_id FROM terms WHERE field = ? AND value IN "
                           f"({marks}))")
            args += [field, *values]
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        rows = [r for (r,) in self.conn.execute(sql + " ORDER BY row", args)]
        return np.asarray(rows, dtype=np.int64)

    def chunks_at(self, rows: Sequence[int]) -> dict[int, tuple[str, int, str, int, int]]:
        """``row -> (doc_id, chunk, text, start, end)`` for the given rows."""
        out: dict[int, tuple[str, int, str, int, int]] = {}
        for batch in _batches([int(r) for r in rows]):
            marks = ",".join("?" * len(batch))
            for r, d, n, t, s, e in self.conn.execute(
                    f"SELECT row, doc_id, chunk, text, start, end FROM chunks "
                    f"WHERE row IN ({marks})", batch):
                out[r] = (d, n, t, s, e)
        return out

    def meta_of(self, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``doc_id -> metadata`` for the given documents."""
        out: dict[str, dict[str, Any]] = {}
        for batch in _batches(list(dict.fromkeys(doc_ids))):
            marks = ",".join("?" * len(batch))
            for d, m in self.conn.execute(
                    f"SELECT doc_id, meta FROM documents WHERE doc_id IN ({marks})", batch):
                out[d] = json.loads(m)
        return out
