"""A search index over your documents: build, add, delete, search (dense, BM25, hybrid), info.

In: documents (a file ``embedlab encode`` reads, a list of :class:`Document`, or plain texts)
and a model (a name, or an Embedder object). Out: an index folder (layout in
:mod:`embedlab.search.generations`) and, per query, :class:`Hit` objects naming a document, its
best chunk, the chunk text and the metadata.

- Documents are cut into chunks (:mod:`embedlab.search.chunking`); each chunk is one row of the
  vector store (:mod:`embedlab.search.store`, picked by :mod:`embedlab.search.stores`) and one
  document of the BM25 index (:mod:`embedlab.search.bm25`); texts and metadata live in the
  catalog (:mod:`embedlab.search.catalog`).
- Search (:mod:`embedlab.search.querying`) ranks documents by their best chunk
  (``per_document=True``, the default) or returns chunks. Hybrid search fuses the dense and
  BM25 rankings of the top ``max(k, 100)`` of each (:mod:`embedlab.search.hybrid`).
- The index records its model (name and ``fingerprint``, :mod:`embedlab.search.model`); queries
  are encoded with that model, and a query model with another fingerprint is refused.
- Queries may be corrected (misspelt words, from the index's own vocabulary) and expanded
  (neighbour terms, pseudo-relevance feedback) first: :mod:`embedlab.search.understanding`.
- Every write is a new generation published atomically (:mod:`embedlab.search.writing`);
  ``add`` encodes before it takes the writer lock, so other writers wait only for the file
  writes.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder
from embedlab.errors import EmbedlabError
from embedlab.named_models import DEFAULT_MODEL
from embedlab.search.bm25 import ChunkBM25
from embedlab.search.catalog import Catalog
from embedlab.search.chunking import Chunker, ChunkSpec, chunk_spec
from embedlab.search.damage import DamagedFile, missing_file, reading
from embedlab.search.describe import manifest_info
from embedlab.search.documents import Document, DocumentSet, as_documents, image_documents
from embedlab.search.generations import MANIFEST, IndexFolder
from embedlab.search.model import (
    encode_queries,
    encode_texts,
    image_encoder,
    load_model,
    short_key,
)
from embedlab.search.querying import GenerationSearch, Hit
from embedlab.search.store import KINDS, VectorStore
from embedlab.search.stores import BACKENDS, create_store, open_store
from embedlab.search.understanding import QueryInfo, QueryTools, rank_understood
from embedlab.search.writing import (
    FORMAT,
    Prepared,
    WriteReport,
    check_target,
    drop_quietly,
    now,
    prepare,
    write_generation,
)

_OPEN_TRIES = 5

Source = str | Path | Sequence[Document] | Sequence[str] | DocumentSet


class Index:
    """An opened index generation; see the module docstring. Use :meth:`build` or :meth:`open`."""

    def __init__(self, folder: IndexFolder, generation: str, manifest: dict[str, Any],
                 catalog: Catalog, store: VectorStore, bm25: ChunkBM25,
                 embedder: BaseEmbedder | None = None) -> None:
        self.folder = folder
        self.generation = generation
        self.manifest = manifest
        self.catalog = catalog
        self.store = store
        self.bm25 = bm25
        self._embedder = embedder
        self._search = GenerationSearch(manifest, catalog, store, bm25)
        self._tools = self._query_tools()
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
            except FileNotFoundError as exc:
                if folder.current() == generation:  # not a writer's doing: the file is gone
                    raise missing_file(folder.path, generation, exc) from None
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
        if not gen_dir.is_dir():
            raise FileNotFoundError(gen_dir)
        manifest = folder.manifest(generation)
        if manifest.get("format") != FORMAT:
            raise EmbedlabError(f"{folder.path}: index format {manifest.get('format')!r} is not "
                                f"supported by this embedlab (format {FORMAT}); rebuild it")
        with reading(gen_dir / MANIFEST):  # a section missing from the manifest
            for key in ("model", "chunking", "store", "documents", "chunks"):
                manifest[key]  # noqa: B018
        catalog = Catalog.open(gen_dir)
        try:
            with reading(gen_dir / MANIFEST):
                store = open_store(manifest["store"], gen_dir, folder.path)
            bm25 = ChunkBM25.load(gen_dir)
        except BaseException:
            catalog.close()
            raise
        return cls(folder, generation, manifest, catalog, store, bm25)

    def refresh(self) -> bool:
        """Switch to the current generation if a writer published a newer one; whether it did."""
        if self.folder.current() == self.generation:
            return False
        fresh = Index.open(self.path)
        self.catalog.close()
        self.generation, self.manifest = fresh.generation, fresh.manifest
        self.catalog, self.store, self.bm25 = fresh.catalog, fresh.store, fresh.bm25
        self._search = GenerationSearch(self.manifest, self.catalog, self.store, self.bm25)
        self._tools = self._query_tools()
        return True

    def _query_tools(self) -> QueryTools:
        return QueryTools(self.path / self.generation, self._search, lambda: self.embedder)

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the model ---------------------------------------------------------------------------
    def use_model(self, model: Any) -> None:
        """Use this model (name or Embedder) for queries; refused if it is not the index's."""
        embedder, name = load_model(model)
        recorded = self.manifest["model"]
        if embedder.fingerprint != recorded["key"]:
            raise EmbedlabError(
                f"{self.path}: this index was built with model {recorded['name']!r}; "
                f"{name!r} is a different model (or other settings), so its vectors cannot be "
                "compared with the index's; use the index's model or rebuild the index")
        self._embedder = embedder

    @property
    def embedder(self) -> BaseEmbedder:
        """The index's model, loaded on first use and checked against the recorded key."""
        if self._embedder is None:
            recorded = self.manifest["model"]
            embedder, _ = load_model(recorded["name"])
            if embedder.fingerprint != recorded["key"]:
                raise EmbedlabError(
                    f"{self.path}: the model {recorded['name']!r} installed here is not the one "
                    f"this index was built with (its settings or weights differ: "
                    f"{short_key(embedder.fingerprint)} vs {short_key(recorded['key'])}); "
                    "rebuild the index")
            self._embedder = embedder
        return self._embedder

    @property
    def modality(self) -> str:
        """What the index's model encodes: ``text``, or ``image`` (queries are image files)."""
        return str(self.manifest["model"].get("modality", "text"))

    # -- building and writing ----------------------------------------------------------------
    @classmethod
    def build(cls, path: str | Path, source: Source, model: Any = DEFAULT_MODEL, *,
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
        check_target(folder, overwrite)
        embedder, name = load_model(model)
        images = image_encoder(embedder, source)
        if images is not None:  # one document per image, kept whole
            docs = image_documents(source, field)
            spec = ChunkSpec("none", 0, 0)
        else:
            docs = as_documents(source, field, id_field)
            spec = chunk_spec(embedder, chunk_tokens, overlap)
        prepared = prepare(docs, Chunker(spec, embedder.tokenizer), images or embedder,
                           batch_size, progress)
        record = {"name": name, "key": embedder.fingerprint, "dim": int(embedder.dim),
                  "modality": "image" if images is not None else "text",
                  "joint": images is not None and images is not embedder}
        created = not folder.path.exists()
        try:
            report = cls._write_new(folder, backend, kind, url, store_options, embedder, record,
                                    spec.as_dict(), prepared)
        except BaseException:
            if created and not folder.exists():  # a failed first build leaves no folder behind
                shutil.rmtree(folder.path, ignore_errors=True)
            raise
        index = cls.open(folder.path, model=embedder)
        report.seconds = time.perf_counter() - start
        index.last_report = report
        return index

    @staticmethod
    def _write_new(folder: IndexFolder, backend: str, kind: str, url: str | None,
                   store_options: Mapping[str, Any] | None, embedder: BaseEmbedder,
                   record: dict[str, Any], chunking: dict[str, Any],
                   prepared: Prepared) -> WriteReport:
        with folder.lock():
            folder.collect_garbage()
            old = _old_manifest(folder)
            store = create_store(backend, int(embedder.dim), kind=kind, index_dir=folder.path,
                                 **({"url": url} if url else {}), **dict(store_options or {}))
            base = {"format": FORMAT, "model": record, "chunking": chunking,
                    "created": now(), "next_auto_id": 0}
            report = write_generation(folder, base, None, store, prepared, [])
            new = folder.manifest(report.generation)
            if old is not None and old["store"].get("collection") != \
                    new["store"].get("collection"):
                drop_quietly(old["store"], folder)
        return report

    def add(self, source: Source, *, field: str | None = None, id_field: str | None = None,
            batch_size: int = 32, progress: bool = False) -> WriteReport:
        """Add documents (a document whose id is already there is replaced)."""
        start = time.perf_counter()
        embedder = self.embedder
        images = image_encoder(embedder, source) if self.modality == "image" else None
        if self.modality == "image" and images is None:
            raise EmbedlabError(f"{self.path} holds images: add a folder or glob of images")
        docs = (image_documents(source, field) if images is not None
                else as_documents(source, field, id_field))
        spec = ChunkSpec(**self.manifest["chunking"])
        prepared = prepare(docs, Chunker(spec, embedder.tokenizer), images or embedder,
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

    def _locked_write(self, prepared: Prepared | None, delete: list[str]) -> WriteReport:
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
            report = write_generation(self.folder, latest, gen_dir, store, prepared, delete)
        self.refresh()
        return report

    # -- searching ---------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, **options: Any) -> list[Hit]:
        """The top ``k`` hits for one query (options: see :meth:`search_many`)."""
        return self.search_explained(query, k, **options)[0]

    def search_explained(self, query: str, k: int = 10, **options: Any
                         ) -> tuple[list[Hit], QueryInfo]:
        """The top ``k`` hits for one query, and what correction and expansion did to it."""
        if not isinstance(query, str):
            raise EmbedlabError(f"the query must be text, got {type(query).__name__}")
        ranked, infos = self.rank_explained([query], k, **options)
        with self._reading_catalog():
            return self._search.hits(ranked)[0], infos[0]

    def search_many(self, queries: Sequence[str], k: int = 10, **options: Any
                    ) -> list[list[Hit]]:
        """Per query, the top ``k`` hits.

        ``mode``: hybrid (default), dense, bm25. ``filters``: ``["field=value", ...]`` or a
        mapping (see :mod:`embedlab.search.filters`). ``fusion``: rrf or weighted (``alpha`` on
        dense). ``exact``: brute-force dense search (the reference for the ANN index).
        ``per_document``: one hit per document (its best chunk), else chunks. ``correct``:
        correct misspelt words from the index's vocabulary; ``expand``: ``neighbours`` or
        ``prf`` (see :mod:`embedlab.search.understanding`). ``batch_size``: query encoding.
        """
        with self._reading_catalog():
            return self._search.hits(self.rank_explained(queries, k, **options)[0])

    @contextlib.contextmanager
    def _reading_catalog(self) -> Iterator[None]:
        """SQLite finds a damaged page only when a query reaches it: name the catalog then."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise DamagedFile(self.catalog.path, str(exc)) from None

    def rank(self, queries: Sequence[str], k: int = 10,
             **options: Any) -> list[list[tuple[str | int, float, int]]]:
        """Like :meth:`search_many` without texts: per query ``(key, score, row)``, where key is
        the document id (``per_document``) or the chunk row."""
        return self.rank_explained(queries, k, **options)[0]

    def rank_explained(self, queries: Sequence[str], k: int = 10, *, mode: str = "hybrid",
                       filters: Any = None, fusion: str = "rrf", alpha: float = 0.5,
                       exact: bool = False, per_document: bool = True, correct: bool = False,
                       expand: str | None = None, batch_size: int = 32
                       ) -> tuple[list[list[tuple[str | int, float, int]]], list[QueryInfo]]:
        """:meth:`rank`, and per query a :class:`QueryInfo`."""

        def encode(texts: list[str]) -> np.ndarray:
            return encode_queries(self.embedder, texts, batch_size,
                                  image_index=self.modality == "image")

        joint = bool(self.manifest["model"].get("joint"))
        if self.modality == "image" and mode != "bm25" and not joint:  # queries: image files
            for q in queries:
                if not isinstance(q, str) or not Path(q).is_file():
                    raise EmbedlabError(
                        f"{self.path} holds images ({self.manifest['model']['name']}): a query "
                        f"is an image file (search --image PATH); {q!r} is not a file")
        if self.modality == "image" and mode == "hybrid":  # BM25 over file paths: no
            mode = "dense"

        def encode_documents(texts: list[str]) -> np.ndarray:
            return encode_texts(self.embedder, texts, "document", batch_size, False)[0]

        with self._reading_catalog():
            return rank_understood(self._tools, queries, k, mode=mode, filters=filters,
                                   fusion=fusion, alpha=alpha, exact=exact,
                                   per_document=per_document, correct=correct, expand=expand,
                                   encode=encode, encode_documents=encode_documents)

    # -- describing --------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """What the index holds and how it is built (from the generation's manifest)."""
        return manifest_info(self.path, self.manifest)


def _old_manifest(folder: IndexFolder) -> dict[str, Any] | None:
    """The manifest of the index a build overwrites (None: none, or one too damaged to read:
    a rebuild is the remedy for damage, so it must not need the damaged files)."""
    try:
        return folder.manifest(folder.current()) if folder.exists() else None
    except (EmbedlabError, FileNotFoundError):
        return None

