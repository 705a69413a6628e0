"""A search index over your documents: build, add, delete, search (dense, BM25, hybrid), info.

In: documents (a file ``embedlab encode`` reads, a list of :class:`Document`, or plain texts)
and a model. Out: an index folder (layout in :mod:`embedlab.search.generations`) and, per query,
:class:`Hit` objects naming a document, its best chunk, the chunk text and the metadata.

- Documents are cut into chunks (:mod:`embedlab.search.chunking`); each chunk is one row of the
  vector store (:mod:`embedlab.search.store`) and one document of the BM25 index
  (:mod:`embedlab.search.bm25`); texts and metadata live in the catalog
  (:mod:`embedlab.search.catalog`).
- Search ranks documents by their best chunk (``per_document=True``, the default) or returns
  chunks. Hybrid search fuses the dense and BM25 rankings of the top ``max(k, 100)`` of each
  (:mod:`embedlab.search.hybrid`).
- The index records its model (name and :meth:`config_key`); queries are encoded with that
  model, and a query model with another key is refused.
- Every write is a new generation published atomically; ``add`` encodes before it takes the
  writer lock, so other writers wait only for the file writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.search.bm25 import ChunkBM25
from embedlab.search.catalog import Catalog
from embedlab.search.chunking import Chunk, Chunker, ChunkSpec, chunk_spec
from embedlab.search.documents import Document, DocumentSet, as_documents, filter_terms
from embedlab.search.filters import parse_filters
from embedlab.search.generations import IndexFolder
from embedlab.search.hybrid import FUSIONS, fuse
from embedlab.search.store import BACKENDS, KINDS, VectorStore, Where, create_store, open_store

FORMAT = 1
MODES = ("hybrid", "dense", "bm25")
HYBRID_DEPTH = 100
_OPEN_TRIES = 5

Source = str | Path | Sequence[Document] | Sequence[str] | DocumentSet


@dataclass
class Hit:
    """One result: a document, the chunk that matched, its score and rank (from 1)."""

    rank: int
    doc_id: str
    chunk: int
    score: float
    text: str
    meta: dict[str, Any]
    row: int
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def model_key(embedder: Any) -> str:
    """Everything that changes an embedder's vectors (its ``config_key()`` where it has one)."""
    key = getattr(embedder, "config_key", None)
    if callable(key):
        return str(key())
    return f"{type(embedder).__name__}|{embedder.name}|{embedder.dim}"


def _short(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def _load_model(model: Any) -> tuple[Any, str]:
    """An embedder and the name to record for it (a path is recorded absolute)."""
    if not isinstance(model, (str, Path)):
        if not (hasattr(model, "encode") and hasattr(model, "dim")):
            raise EmbedlabError(f"{model!r} is neither a model name nor an Embedder")
        return model, str(getattr(model, "name", type(model).__name__))
    from embedlab.registry import load

    name = str(model)
    if Path(name).exists():
        name = str(Path(name).resolve())
    return load(name), name


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _check_options(mode: str, k: int, fusion: str) -> None:
    if mode not in MODES:
        raise EmbedlabError(f"unknown search mode {mode!r}; expected one of: {', '.join(MODES)}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise EmbedlabError(f"k must be a whole number of at least 1, got {k!r}")
    if fusion not in FUSIONS:
        raise EmbedlabError(f"unknown fusion {fusion!r}; expected one of: {', '.join(FUSIONS)}")


def _encode(embedder: Any, texts: list[str], kind: str, batch_size: int,
            progress: bool) -> tuple[np.ndarray, dict[str, Any]]:
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32), {}
    if hasattr(embedder, "embed"):
        result = embedder.embed(texts, batch_size=batch_size, normalize=True, kind=kind,
                                progress=progress)
        return np.asarray(result.vectors, dtype=np.float32), result.stats.as_dict()
    vectors = embedder.encode(texts, batch_size=batch_size, normalize=True, kind=kind,
                              progress=progress)
    return np.asarray(vectors, dtype=np.float32), {}


@dataclass
class _Prepared:
    """Documents cut and encoded, ready to be written under the lock."""

    docs: DocumentSet
    chunks: list[Chunk]
    vectors: np.ndarray
    stats: dict[str, Any]


class Index:
    """An opened index generation; see the module docstring. Use :meth:`build` or :meth:`open`."""

    def __init__(self, folder: IndexFolder, generation: str, manifest: dict[str, Any],
                 catalog: Catalog, store: VectorStore, bm25: ChunkBM25,
                 embedder: Any = None) -> None:
        self.folder = folder
        self.generation = generation
        self.manifest = manifest
        self.catalog = catalog
        self.store = store
        self.bm25 = bm25
        self._embedder = embedder
        self._row_table: tuple[np.ndarray, list[str], np.ndarray] | None = None
        #: what the :meth:`build` that made this object did (None for an opened index)
        self.last_report: WriteReport | None = None

    @property
    def path(self) -> Path:
        return self.folder.path

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, model: Any = None) -> Index:
        """The current generation of the index at ``path``.

        ``model`` (a name or an Embedder) is checked against the index's model now; without
        it the index's own model is loaded on the first dense query.
        """
        folder = IndexFolder(path)
        if folder.path.exists() and not folder.path.is_dir():
            raise EmbedlabError(f"{folder.path}: is a file, not an index folder")
        for _ in range(_OPEN_TRIES):
            generation = folder.current()
            try:
                index = cls._open_generation(folder, generation)
                break
            except FileNotFoundError:
                continue  # a writer removed it after we read CURRENT: read CURRENT again
        else:
            raise EmbedlabError(f"{folder.path}: the index changed while it was being opened; "
                                "try again")
        if model is not None:
            index.use_model(model)
        return index

    @classmethod
    def _open_generation(cls, folder: IndexFolder, generation: str) -> Index:
        gen_dir = folder.path / generation
        manifest = folder.manifest(generation)
        if manifest.get("format") != FORMAT:
            raise EmbedlabError(f"{folder.path}: index format {manifest.get('format')!r} is not "
                                f"supported by this embedlab (format {FORMAT}); rebuild it")
        catalog = Catalog.open(gen_dir)
        store = open_store(manifest["store"], gen_dir, folder.path)
        bm25 = ChunkBM25.load(gen_dir)
        return cls(folder, generation, manifest, catalog, store, bm25)

    def refresh(self) -> bool:
        """Switch to the current generation if a writer published a newer one; whether it did."""
        if self.folder.current() == self.generation:
            return False
        fresh = Index.open(self.path)
        self.catalog.close()
        self.generation, self.manifest = fresh.generation, fresh.manifest
        self.catalog, self.store, self.bm25 = fresh.catalog, fresh.store, fresh.bm25
        self._row_table = None
        return True

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the model ---------------------------------------------------------------------------
    def use_model(self, model: Any) -> None:
        """Use this model (name or Embedder) for queries; refused if it is not the index's."""
        embedder, name = _load_model(model)
        recorded = self.manifest["model"]
        if model_key(embedder) != recorded["key"]:
            raise EmbedlabError(
                f"{self.path}: this index was built with model {recorded['name']!r}; "
                f"{name!r} is a different model (or other settings), so its vectors cannot be "
                "compared with the index's; use the index's model or rebuild the index")
        self._embedder = embedder

    @property
    def embedder(self) -> Any:
        """The index's model, loaded on first use and checked against the recorded key."""
        if self._embedder is None:
            recorded = self.manifest["model"]
            embedder, _ = _load_model(recorded["name"])
            if model_key(embedder) != recorded["key"]:
                raise EmbedlabError(
                    f"{self.path}: the model {recorded['name']!r} installed here is not the one "
                    f"this index was built with (its settings or weights differ: "
                    f"{_short(model_key(embedder))} vs {_short(recorded['key'])}); rebuild the "
                    "index")
            self._embedder = embedder
        return self._embedder

    # -- building and writing ----------------------------------------------------------------
    @classmethod
    def build(cls, path: str | Path, source: Source, model: Any = "minilm", *,
              field: str | None = None, id_field: str | None = None, backend: str = "faiss",
              kind: str = "auto", chunk_tokens: int | None = None, overlap: int | None = None,
              url: str | None = None, store_options: Mapping[str, Any] | None = None,
              batch_size: int = 32, progress: bool = False, overwrite: bool = False) -> Index:
        """Build an index at ``path`` (a new or empty folder, or any index with ``overwrite``).

        ``kind``: auto, exact, hnsw, int8, binary; ``backend``: faiss or qdrant (``url`` names a
        Qdrant server; without it Qdrant runs in local mode inside the index folder);
        ``chunk_tokens`` 0 keeps documents whole. The index's ``last_report`` says what was done.
        """
        start = time.perf_counter()
        folder = IndexFolder(path)
        if backend not in BACKENDS:
            raise EmbedlabError(f"unknown backend {backend!r}; expected one of: "
                                f"{', '.join(BACKENDS)}")
        if kind not in KINDS:
            raise EmbedlabError(f"unknown index kind {kind!r}; expected one of: "
                                f"{', '.join(KINDS)}")
        if url and backend != "qdrant":
            raise EmbedlabError("a url applies to the qdrant backend only")
        _check_target(folder, overwrite)
        docs = as_documents(source, field, id_field)
        embedder, name = _load_model(model)
        spec = chunk_spec(embedder, chunk_tokens, overlap)
        prepared = _prepare(docs, Chunker(spec, getattr(embedder, "tokenizer", None)), embedder,
                            batch_size, progress)
        record = {"name": name, "key": model_key(embedder), "dim": int(embedder.dim)}
        with folder.lock():
            folder.collect_garbage()
            old = folder.manifest(folder.current()) if folder.exists() else None
            store = create_store(backend, int(embedder.dim), kind=kind, index_dir=folder.path,
                                 **({"url": url} if url else {}), **dict(store_options or {}))
            base = {"format": FORMAT, "model": record, "chunking": spec.as_dict(),
                    "created": _now(), "next_auto_id": 0}
            report = _write(folder, base, None, store, prepared, [])
            if old is not None and old["store"].get("collection") != getattr(store, "collection",
                                                                             None):
                _drop_quietly(old["store"], folder)
        index = cls.open(folder.path, model=embedder)
        report.seconds = time.perf_counter() - start
        index.last_report = report
        return index

    def add(self, source: Source, *, field: str | None = None, id_field: str | None = None,
            batch_size: int = 32, progress: bool = False) -> WriteReport:
        """Add documents (a document whose id is already there is replaced)."""
        start = time.perf_counter()
        docs = as_documents(source, field, id_field)
        embedder = self.embedder
        spec = ChunkSpec(**self.manifest["chunking"])
        prepared = _prepare(docs, Chunker(spec, getattr(embedder, "tokenizer", None)), embedder,
                            batch_size, progress)
        report = self._locked_write(prepared, [])
        report.seconds = time.perf_counter() - start
        return report

    def delete(self, doc_ids: Sequence[str]) -> WriteReport:
        """Remove documents by id; an error if none of them is in the index."""
        start = time.perf_counter()
        ids = list(dict.fromkeys(str(d) for d in doc_ids))
        if not ids:
            raise EmbedlabError("no document ids to delete")
        report = self._locked_write(None, ids)
        report.seconds = time.perf_counter() - start
        return report

    def _locked_write(self, prepared: _Prepared | None, delete: list[str]) -> WriteReport:
        with self.folder.lock():
            self.folder.collect_garbage()
            # Another writer may have published since this object was opened: write on top of
            # the current generation, if it was built the same way.
            generation = self.folder.current()
            latest = self.folder.manifest(generation)
            if latest["model"]["key"] != self.manifest["model"]["key"] or \
                    latest["chunking"] != self.manifest["chunking"]:
                raise EmbedlabError(f"{self.path}: the index was rebuilt with other settings "
                                    "while this write was prepared; run it again")
            gen_dir = self.path / generation
            store = open_store(latest["store"], gen_dir, self.path)
            report = _write(self.folder, latest, gen_dir, store, prepared, delete)
        self.refresh()
        return report

    # -- searching ---------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, *, mode: str = "hybrid",
               filters: Any = None, fusion: str = "rrf", alpha: float = 0.5,
               exact: bool = False, per_document: bool = True) -> list[Hit]:
        """The top ``k`` hits for one query (see :meth:`search_many`)."""
        if not isinstance(query, str):
            raise EmbedlabError(f"the query must be text, got {type(query).__name__}")
        return self.search_many([query], k, mode=mode, filters=filters, fusion=fusion,
                                alpha=alpha, exact=exact, per_document=per_document)[0]

    def search_many(self, queries: Sequence[str], k: int = 10, *, mode: str = "hybrid",
                    filters: Any = None, fusion: str = "rrf", alpha: float = 0.5,
                    exact: bool = False, per_document: bool = True,
                    batch_size: int = 32) -> list[list[Hit]]:
        """Per query, the top ``k`` hits.

        ``mode``: hybrid (default), dense, bm25. ``filters``: ``["field=value", ...]`` or a
        mapping (see :mod:`embedlab.search.filters`). ``fusion``: rrf or weighted (``alpha`` on
        dense). ``exact``: brute-force dense search (the reference for the ANN index).
        ``per_document``: one hit per document (its best chunk), else chunks.
        """
        ranked = self.rank(queries, k, mode=mode, filters=filters, fusion=fusion, alpha=alpha,
                           exact=exact, per_document=per_document, batch_size=batch_size)
        return self._hits(ranked)

    def rank(self, queries: Sequence[str], k: int = 10, *, mode: str = "hybrid",
             filters: Any = None, fusion: str = "rrf", alpha: float = 0.5, exact: bool = False,
             per_document: bool = True,
             batch_size: int = 32) -> list[list[tuple[str | int, float, int]]]:
        """Like :meth:`search_many` without texts: per query ``(key, score, row)``, where key is
        the document id (``per_document``) or the chunk row."""
        _check_options(mode, k, fusion)
        queries = list(queries)
        for i, q in enumerate(queries):
            if not isinstance(q, str) or not q.strip():
                what = "the query" if len(queries) == 1 else f"query {i + 1}"
                raise EmbedlabError(f"{what} is empty")
        where = self._where(filters)
        depth = max(k, HYBRID_DEPTH) if mode == "hybrid" else k
        dense = lexical = None
        if mode in ("dense", "hybrid"):
            vectors, _ = _encode(self.embedder, queries, "query", batch_size, False)
            dense = self._dense(vectors, depth, where, exact, per_document)
        if mode in ("bm25", "hybrid"):
            lexical = self._lexical(queries, depth, where, per_document)
        if mode == "dense":
            return [r[:k] for r in dense]  # type: ignore[index]
        if mode == "bm25":
            return [r[:k] for r in lexical]  # type: ignore[index]
        out = []
        for d, b in zip(dense, lexical, strict=True):  # type: ignore[arg-type]
            row_of = {key: row for key, _, row in reversed(b)}
            row_of.update({key: row for key, _, row in reversed(d)})
            fused = fuse([(key, s) for key, s, _ in d], [(key, s) for key, s, _ in b],
                         method=fusion, alpha=alpha)
            out.append([(key, s, row_of[key]) for key, s in fused[:k]])
        return out

    def _where(self, filters: Any) -> Where | None:
        parsed = parse_filters(filters)
        if not parsed:
            return None
        fields = self.manifest.get("fields", [])
        for name in parsed:
            if name not in fields:
                known = (f"this index has the fields: {', '.join(fields)}" if fields
                         else "this index has no metadata fields")
                raise EmbedlabError(f"unknown filter field {name!r}; {known}")
        return Where(self.catalog.rows_matching(parsed), parsed)

    def _rows(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        if self._row_table is None:
            self._row_table = self.catalog.row_table()
        return self._row_table

    def _collapse(self, rows: Sequence[int], scores: Sequence[float], per_document: bool,
                  limit: int) -> list[tuple[str | int, float, int]]:
        """Live rows only; with ``per_document``, each document once (its best chunk)."""
        live, doc_of, _ = self._rows()
        rows_arr = np.asarray(rows, dtype=np.int64)
        pos = np.searchsorted(live, rows_arr)
        ok = (rows_arr >= 0) & (pos < len(live))
        ok[ok] = live[pos[ok]] == rows_arr[ok]
        out: list[tuple[str | int, float, int]] = []
        seen: set[str] = set()
        for r, p, s, good in zip(rows_arr, pos, scores, ok, strict=True):
            if not good:
                continue
            if per_document:
                doc = doc_of[p]
                if doc in seen:
                    continue
                seen.add(doc)
                out.append((doc, float(s), int(r)))
            else:
                out.append((int(r), float(s), int(r)))
            if len(out) == limit:
                break
        return out

    def _dense(self, vectors: np.ndarray, depth: int, where: Where | None, exact: bool,
               per_document: bool) -> list[list[tuple[str | int, float, int]]]:
        total = self.manifest["chunks"]
        fetch = min(depth * 2 + 8 if per_document else depth, max(total, 1))
        results: list[list[tuple[str | int, float, int]]] = [[] for _ in range(len(vectors))]
        todo = np.arange(len(vectors))
        while len(todo):
            rows, scores = self.store.search(vectors[todo], fetch, where, exact)
            again = []
            for i, r, s in zip(todo, rows, scores, strict=True):
                results[i] = self._collapse(r, s, per_document, depth)
                full = bool(np.all(r >= 0))  # the store had more to give
                if len(results[i]) < depth and full and fetch < total:
                    again.append(i)
            todo = np.asarray(again, dtype=np.int64)
            fetch = min(fetch * 4, total)
        return results

    def _lexical(self, queries: list[str], depth: int, where: Where | None,
                 per_document: bool) -> list[list[tuple[str | int, float, int]]]:
        total = max(len(self.bm25.rows), 1)
        fetch = min(depth * 2 + 8 if per_document else depth, total)
        allowed = where.rows if where is not None else None
        results: list[list[tuple[str | int, float, int]]] = [[] for _ in queries]
        todo = list(range(len(queries)))
        while todo:
            found = self.bm25.search([queries[i] for i in todo], fetch, allowed)
            again = []
            for i, pairs in zip(todo, found, strict=True):
                results[i] = self._collapse([r for r, _ in pairs], [s for _, s in pairs],
                                            per_document, depth)
                if len(results[i]) < depth and len(pairs) == fetch and fetch < total:
                    again.append(i)
            todo = again
            fetch = min(fetch * 4, total)
        return results

    def _hits(self, ranked: list[list[tuple[str | int, float, int]]]) -> list[list[Hit]]:
        rows = sorted({row for result in ranked for _, _, row in result})
        chunks = self.catalog.chunks_at(rows)
        metas = self.catalog.meta_of([chunks[r][0] for r in rows if r in chunks])
        out: list[list[Hit]] = []
        for result in ranked:
            hits = []
            for rank, (_, score, row) in enumerate(result, start=1):
                doc, number, text, start, end = chunks[row]
                hits.append(Hit(rank, doc, number, score, text, metas.get(doc, {}), row, start,
                                end))
            out.append(hits)
        return out

    # -- describing --------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """What the index holds and how it is built (from the generation's manifest)."""
        return manifest_info(self.path, self.manifest)


def _drop_quietly(section: dict[str, Any], folder: IndexFolder) -> None:
    """Remove an overwritten index's data kept outside its folder (a Qdrant collection)."""
    try:
        open_store(section, folder.path, folder.path).drop()
    except Exception:  # the old data may already be gone; the new index is published
        pass


def _check_target(folder: IndexFolder, overwrite: bool) -> None:
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


def _prepare(docs: DocumentSet, chunker: Chunker, embedder: Any, batch_size: int,
             progress: bool) -> _Prepared:
    chunks = chunker.chunks([d.id for d in docs.documents], [d.text for d in docs.documents])
    vectors, stats = _encode(embedder, [c.text for c in chunks], "document", batch_size, progress)
    return _Prepared(docs, chunks, vectors, stats)


def _auto_ids(prepared: _Prepared, start: int, catalog: Catalog) -> tuple[_Prepared, int]:
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
    return _Prepared(DocumentSet(docs, True, prepared.docs.source), chunks, prepared.vectors,
                     prepared.stats), nxt


def _write(folder: IndexFolder, base: dict[str, Any], base_dir: Path | None,
           store: VectorStore, prepared: _Prepared | None, delete: list[str]) -> WriteReport:
    """Write and publish the next generation (with the writer lock held)."""
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
            manifest.update({
                "store": store.save(tmp), "documents": catalog.count_documents(),
                "chunks": catalog.count_chunks(), "fields": catalog.fields(), "updated": _now(),
                "embedlab": _version(),
            })
            report.documents = manifest["documents"]
        finally:
            catalog.close()
        report.generation = folder.commit(tmp, manifest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    store.committed()
    folder.collect_garbage()
    return report


def _version() -> str:
    from embedlab import __version__

    return __version__


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def manifest_info(path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The ``embedlab index info`` summary of one generation."""
    store = manifest["store"]
    gen_dir = path / manifest["generation"]
    out: dict[str, Any] = {
        "path": str(path), "generation": manifest["generation"],
        "model": manifest["model"]["name"], "model_key": _short(manifest["model"]["key"]),
        "dim": manifest["model"]["dim"], "backend": store["backend"], "kind": store["kind"],
        "documents": manifest["documents"], "chunks": manifest["chunks"],
        "chunking": manifest["chunking"], "fields": manifest.get("fields", []),
        "created": manifest.get("created"), "updated": manifest.get("updated"),
        "bytes_on_disk": _folder_bytes(gen_dir) if gen_dir.is_dir() else None,
    }
    if store["backend"] == "faiss":
        from embedlab.search.backends.faiss_store import describe

        out["structure"] = describe(store)
        out["deleted_rows"] = store.get("deleted", 0)
        rows = max(int(store.get("rows", 0)), 1)
        ann = store.get("ann_bytes")
        out["index_bytes_per_vector"] = round(ann / rows, 1) if ann else \
            {"flat": 4.0 * store["dim"], "binary": store["dim"] / 8}.get(store["structure"])
    else:
        where = store["location"].get("url") or "local mode"
        out["structure"] = f"Qdrant collection {store['collection']} ({where})"
    return out
