"""Writing an index generation: documents cut and encoded, then catalog, vectors and BM25
written and published.

In: documents (a :class:`DocumentSet`), the chunker and the model (:func:`prepare`, done before
the writer lock is taken, so other writers wait only for the file writes), then the current
generation's manifest and store with the ids to delete (:func:`write_generation`, with the lock
held). Out: a new generation folder (catalog, vectors, BM25, and the vocabulary that spelling
correction uses) published atomically by :class:`IndexFolder`, and a
:class:`WriteReport` of what was done. A failure leaves no trace: the temporary folder is
removed and ``CURRENT`` still names the previous generation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder
from embedlab.errors import EmbedlabError
from embedlab.search.bm25 import ChunkBM25
from embedlab.search.catalog import Catalog
from embedlab.search.chunking import Chunk, Chunker
from embedlab.search.documents import DocumentSet, filter_terms
from embedlab.search.generations import IndexFolder
from embedlab.search.model import encode_texts
from embedlab.search.store import VectorStore
from embedlab.search.stores import open_store
from embedlab.search.vocabulary import Vocabulary
from embedlab.version import VERSION

#: the layout version of a generation (manifest, catalog, store files, ``bm25/``)
FORMAT = 1


@dataclass
class WriteReport:
    """What one build, add or delete did."""

    generation: str
    added: int = 0
    replaced: int = 0
    deleted: int = 0
    missing: list[str] = field(default_factory=list)
    chunks: int = 0
    documents: int = 0
    seconds: float = 0.0
    encode: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        return out


@dataclass
class Prepared:
    """Documents cut and encoded, ready to be written under the lock."""

    docs: DocumentSet
    chunks: list[Chunk]
    vectors: np.ndarray
    stats: dict[str, Any]


def now() -> str:
    """The time a manifest records (UTC, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_target(folder: IndexFolder, overwrite: bool) -> None:
    """Refuse to build over a file, a folder of other things, or an index without overwrite."""
    path = folder.path
    if path.exists() and not path.is_dir():
        raise EmbedlabError(f"{path}: is a file; the index needs a folder")
    if folder.exists():
        if not overwrite:
            raise EmbedlabError(f"{path}: already holds an index; add to it with "
                                "`embedlab index add` or rebuild it with --overwrite")
    elif path.is_dir() and any(p.name != ".lock" for p in path.iterdir()):
        raise EmbedlabError(f"{path}: the folder is not empty and holds no index; choose a new "
                            "or empty folder")


def drop_quietly(section: dict[str, Any], folder: IndexFolder) -> None:
    """Remove an overwritten index's data kept outside its folder (a Qdrant collection)."""
    try:
        open_store(section, folder.path, folder.path).drop()
    except Exception:  # the old data may already be gone; the new index is published
        pass


def prepare(docs: DocumentSet, chunker: Chunker, embedder: BaseEmbedder, batch_size: int,
            progress: bool) -> Prepared:
    """Cut ``docs`` into chunks and encode them as documents."""
    chunks = chunker.chunks([d.id for d in docs.documents], [d.text for d in docs.documents])
    vectors, stats = encode_texts(embedder, [c.text for c in chunks], "document", batch_size,
                                  progress)
    return Prepared(docs, chunks, vectors, stats)


def _auto_ids(prepared: Prepared, start: int, catalog: Catalog) -> tuple[Prepared, int]:
    """Files without ids: number their documents from ``start``, skipping ids in use."""
    n = len(prepared.docs.documents)
    taken: set[str] = set()
    ids: list[str] = []
    nxt = start
    while len(ids) < n:
        batch = [str(i) for i in range(nxt, nxt + n - len(ids))]
        nxt += len(batch)
        taken = set(catalog.existing(batch))
        ids += [b for b in batch if b not in taken]
    new_id = {d.id: i for d, i in zip(prepared.docs.documents, ids, strict=True)}
    docs = [dataclasses.replace(d, id=new_id[d.id]) for d in prepared.docs.documents]
    chunks = [dataclasses.replace(c, doc_id=new_id[c.doc_id]) for c in prepared.chunks]
    return Prepared(DocumentSet(docs, True, prepared.docs.source), chunks, prepared.vectors,
                    prepared.stats), nxt


def write_generation(folder: IndexFolder, base: dict[str, Any], base_dir: Path | None,
                     store: VectorStore, prepared: Prepared | None,
                     delete: list[str]) -> WriteReport:
    """Write and publish the next generation (with the writer lock held).

    ``base``: the manifest to start from; ``base_dir``: the generation whose catalog is copied
    (None for a new index); ``store``: that generation's store, opened for writing.
    """
    report = WriteReport(generation="")
    manifest = {k: v for k, v in base.items() if k != "generation"}
    tmp = folder.new_generation_dir()
    try:
        catalog = Catalog.create(tmp, copy_from=base_dir)
        try:
            if delete:
                found = catalog.existing(delete)
                if not found:
                    raise EmbedlabError(f"{folder.path}: no document with id "
                                        f"{', '.join(repr(d) for d in delete[:5])} in the index")
                report.missing = [d for d in delete if d not in set(found)]
                store.delete(catalog.delete(found))
                report.deleted = len(found)
            if prepared is not None:
                if not prepared.docs.has_ids:
                    prepared, manifest["next_auto_id"] = _auto_ids(
                        prepared, int(manifest.get("next_auto_id", 0)), catalog)
                ids = [d.id for d in prepared.docs.documents]
                replaced = catalog.existing(ids)
                store.delete(catalog.delete(replaced))
                rows = np.arange(store.n_rows, store.n_rows + len(prepared.chunks),
                                 dtype=np.int64)
                catalog.insert(prepared.docs.documents, prepared.chunks, rows)
                terms_of = {d.id: [f"{f}={v}" for f, v in filter_terms(d.meta)]
                            for d in prepared.docs.documents}
                store.add(rows, prepared.vectors, [terms_of[c.doc_id] for c in prepared.chunks])
                report.added = len(ids) - len(replaced)
                report.replaced = len(replaced)
                report.chunks = len(prepared.chunks)
                report.encode = prepared.stats
            new_row = store.compact()
            if new_row is not None:
                catalog.renumber(new_row)
            live_rows, texts = catalog.texts()
            ChunkBM25.build(live_rows, texts).save(tmp)
            Vocabulary.build(texts).save(tmp)
            manifest.update({
                "store": store.save(tmp), "documents": catalog.count_documents(),
                "chunks": catalog.count_chunks(), "fields": catalog.fields(), "updated": now(),
                "embedlab": VERSION,
            })
            report.documents = manifest["documents"]
        finally:
            catalog.close()
        report.generation = folder.commit(tmp, manifest)
    except (OSError, sqlite3.OperationalError) as exc:  # a full disk, a file-size limit
        shutil.rmtree(tmp, ignore_errors=True)
        raise EmbedlabError(f"{folder.path}: cannot write a new generation ({exc}); the index "
                            "is unchanged") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    store.committed()
    folder.collect_garbage()
    return report
