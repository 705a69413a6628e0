"""``embedlab index verify``: read every file of an index's current generation, say which are
damaged.

In: an index folder. Out: a :class:`Verification`: one :class:`FileCheck` per file (its path in
the folder, and what is wrong with it, or None), in the order a reader opens them. Unlike
opening an index, which stops at the first damaged file and reads only what a search needs,
verify reads everything and checks the files against each other:

- ``CURRENT`` names a generation that is there; ``manifest.json`` parses and has its sections;
- ``catalog.sqlite``: its header (not cut short), ``PRAGMA integrity_check`` (every page), its
  tables, and the document and chunk counts the manifest records;
- the vector store: ``vectors.npy`` (shape and dtype as recorded, every value finite),
  ``deleted.npy``, ``ann.faiss`` (as many vectors as rows); a Qdrant store is opened;
- ``bm25/``: ``rows.npy`` equals the catalog's live chunk rows, each of bm25s' files reads, and
  the whole loads.

The remedy for any damage is a rebuild (a generation's files are derived from each other and
from the documents, and the catalog keeps the texts but not every field the source had).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.search.bm25 import FOLDER as BM25_FOLDER
from embedlab.search.bm25 import ChunkBM25
from embedlab.search.catalog import FILE as CATALOG_FILE
from embedlab.search.catalog import Catalog
from embedlab.search.damage import DamagedFile, reading
from embedlab.search.generations import MANIFEST, POINTER, IndexFolder
from embedlab.search.stores import open_store

_SECTIONS = ("model", "chunking", "store", "documents", "chunks")
_BLOCK = 65_536  # rows of vectors.npy checked at a time (memory stays small)


@dataclass
class FileCheck:
    """One file of the index (its path inside the index folder) and what is wrong with it."""

    name: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class Verification:
    """What :func:`verify_index` found."""

    path: Path
    generation: str | None
    checks: list[FileCheck] = field(default_factory=list)

    @property
    def damaged(self) -> list[FileCheck]:
        return [c for c in self.checks if not c.ok]

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "generation": self.generation,
                "ok": not self.damaged,
                "files": [{"file": c.name, "ok": c.ok, "problem": c.problem}
                          for c in self.checks]}


class _Checker:
    """Runs one check per file, recording the problem instead of raising it."""

    def __init__(self, result: Verification) -> None:
        self.result = result
        self.root = result.path

    def check(self, path: Path, action: Callable[[], Any]) -> Any:
        """``action()``'s value, or None when ``path`` is missing or damaged (recorded)."""
        name = str(path.relative_to(self.root))
        try:
            with reading(path):
                value = action()
        except FileNotFoundError:
            self.result.checks.append(FileCheck(name, "missing"))
            return None
        except DamagedFile as exc:
            self.result.checks.append(FileCheck(name, exc.reason))
            return None
        except EmbedlabError as exc:
            self.result.checks.append(FileCheck(name, str(exc)))
            return None
        self.result.checks.append(FileCheck(name))
        return value


def verify_index(path: str | Path) -> Verification:
    """Check every file of the current generation of the index at ``path`` (see the module
    docstring); an :class:`EmbedlabError` only where ``path`` is not an index at all."""
    folder = IndexFolder(path)
    result = Verification(folder.path, None)
    checker = _Checker(result)
    generation = checker.check(folder.path / POINTER, folder.current)
    if generation is None:
        if not (folder.path / POINTER).exists():
            folder.current()  # raises: no such index / not an index
        return result
    result.generation = generation
    gen_dir = folder.path / generation
    if not gen_dir.is_dir():
        result.checks.append(FileCheck(generation, "the generation CURRENT names is missing"))
        return result
    manifest = checker.check(gen_dir / MANIFEST, lambda: _manifest(folder, generation))
    rows = checker.check(gen_dir / CATALOG_FILE, lambda: _catalog(gen_dir, manifest))
    if manifest is not None:
        _store(checker, manifest, gen_dir, folder.path)
    _bm25(checker, gen_dir, rows)
    return result


def _manifest(folder: IndexFolder, generation: str) -> dict[str, Any]:
    manifest = folder.manifest(generation)
    missing = [s for s in _SECTIONS if s not in manifest]
    if missing:
        raise ValueError(f"no {', '.join(missing)} section")
    return manifest


def _catalog(gen_dir: Path, manifest: dict[str, Any] | None) -> np.ndarray:
    """The catalog's live chunk rows, after checking every page and the recorded counts."""
    catalog = Catalog.open(gen_dir)
    try:
        found = [r for (r,) in catalog.conn.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(found[:3]))
        documents, chunks = catalog.count_documents(), catalog.count_chunks()
        if manifest is not None and (documents, chunks) != (manifest["documents"],
                                                            manifest["chunks"]):
            raise ValueError(f"{documents} documents and {chunks} chunks, the manifest says "
                             f"{manifest['documents']} and {manifest['chunks']}")
        return catalog.row_table()[0]
    finally:
        catalog.close()


def _store(checker: _Checker, manifest: dict[str, Any], gen_dir: Path, index_dir: Path) -> None:
    section = manifest["store"]
    if section.get("backend") != "faiss":
        where = gen_dir / MANIFEST
        checker.check(where, lambda: open_store(section, gen_dir, index_dir).info())
        checker.result.checks[-1].name += " (the Qdrant collection it names)"
        return
    from embedlab.search.backends import faiss_store as fs

    vectors = checker.check(gen_dir / "vectors.npy", lambda: _vectors(gen_dir, section))
    n = len(vectors) if vectors is not None else int(section.get("rows", 0))
    checker.check(gen_dir / "deleted.npy", lambda: fs.read_deleted(gen_dir, n))
    if "ann.faiss" in fs.files_of(section):
        checker.check(gen_dir / "ann.faiss", lambda: fs.read_ann(gen_dir, n))


def _vectors(gen_dir: Path, section: dict[str, Any]) -> np.ndarray:
    from embedlab.search.backends.faiss_store import read_vectors

    vectors = read_vectors(gen_dir, section)
    for start in range(0, len(vectors), _BLOCK):
        if not np.isfinite(vectors[start:start + _BLOCK]).all():
            raise ValueError(f"a value that is not a finite number in rows {start} to "
                             f"{min(start + _BLOCK, len(vectors)) - 1}")
    return vectors


def _bm25(checker: _Checker, gen_dir: Path, live_rows: np.ndarray | None) -> None:
    folder = gen_dir / BM25_FOLDER
    if not folder.is_dir():
        checker.result.checks.append(FileCheck(str(folder.relative_to(checker.root)), "missing"))
        return

    def rows() -> np.ndarray:
        found = np.load(folder / "rows.npy")
        if live_rows is not None and not np.array_equal(found, live_rows):
            raise ValueError(f"{len(found)} rows, not the catalog's {len(live_rows)} chunks")
        return found

    checker.check(folder / "rows.npy", rows)
    for path in sorted(folder.iterdir()):
        if path.name == "rows.npy":
            continue
        if path.suffix == ".npy":
            checker.check(path, lambda p=path: np.load(p, mmap_mode="r"))
        elif path.suffix == ".json":
            checker.check(path, lambda p=path: json.loads(p.read_text(encoding="utf-8")))
    checker.check(folder, lambda: ChunkBM25.load(gen_dir))
    checker.result.checks[-1].name += "/ (loaded as a whole)"
