"""Searching one opened index generation: dense, BM25 or hybrid, with filters, as hits.

In: queries, ``k``, the options of :meth:`embedlab.search.Index.search`, and a function that
encodes queries with the index's model (called only for dense and hybrid search, so BM25 needs
no model). Out: per query ``(key, score, row)`` triples (:meth:`GenerationSearch.rank`; key is a
document id, or the chunk row with ``per_document=False``), turned into :class:`Hit` objects
with texts and metadata by :meth:`GenerationSearch.hits`.

Documents are ranked by their best chunk: the store (or BM25) is asked for more chunks than
``k`` and asked again, for more, while too few distinct live documents came back. Hybrid search
fuses the dense and BM25 rankings of the top ``max(k, 100)`` of each
(:mod:`embedlab.search.hybrid`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.search.bm25 import ChunkBM25
from embedlab.search.catalog import Catalog
from embedlab.search.filters import parse_filters
from embedlab.search.hybrid import FUSIONS, fuse
from embedlab.search.store import VectorStore, Where

MODES = ("hybrid", "dense", "bm25")
HYBRID_DEPTH = 100

Ranked = list[list[tuple[str | int, float, int]]]


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


def check_options(mode: str, k: int, fusion: str) -> None:
    if mode not in MODES:
        raise EmbedlabError(f"unknown search mode {mode!r}; expected one of: {', '.join(MODES)}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise EmbedlabError(f"k must be a whole number of at least 1, got {k!r}")
    if fusion not in FUSIONS:
        raise EmbedlabError(f"unknown fusion {fusion!r}; expected one of: {', '.join(FUSIONS)}")


def check_queries(queries: Sequence[str]) -> list[str]:
    """The queries as a list; an empty one, or one that is not valid text, is refused."""
    queries = list(queries)
    for i, q in enumerate(queries):
        what = "the query" if len(queries) == 1 else f"query {i + 1}"
        if not isinstance(q, str) or not q.strip():
            raise EmbedlabError(f"{what} is empty")
        try:
            q.encode("utf-8")
        except UnicodeEncodeError:
            raise EmbedlabError(f"{what} is not valid text (it holds a lone surrogate "
                                "character)") from None
    return queries


class GenerationSearch:
    """The searches over one generation's catalog, vector store and BM25 (see the module
    docstring)."""

    def __init__(self, manifest: dict[str, Any], catalog: Catalog, store: VectorStore,
                 bm25: ChunkBM25) -> None:
        self.manifest = manifest
        self.catalog = catalog
        self.store = store
        self.bm25 = bm25
        self._row_table: tuple[np.ndarray, list[str], np.ndarray] | None = None

    def rank(self, queries: Sequence[str], k: int, *, mode: str, filters: Any, fusion: str,
             alpha: float, exact: bool, per_document: bool,
             encode: Callable[[list[str]], np.ndarray], vectors: np.ndarray | None = None,
             weights: Sequence[Mapping[str, float] | None] | None = None) -> Ranked:
        """Per query ``(key, score, row)``, best first (see the module docstring).

        ``vectors``: the dense query vectors, where the caller made them (pseudo-relevance
        feedback); ``weights``: per query, BM25 ``token -> weight`` in place of its text
        (query expansion), or None for the text.
        """
        check_options(mode, k, fusion)
        queries = check_queries(queries)
        where = self.where(filters)
        depth = max(k, HYBRID_DEPTH) if mode == "hybrid" else k
        dense = lexical = None
        if mode in ("dense", "hybrid"):
            dense = self.dense(encode(queries) if vectors is None else vectors, depth, where,
                               exact, per_document)
        if mode in ("bm25", "hybrid"):
            asked = queries if weights is None else \
                [q if w is None else w for q, w in zip(queries, weights, strict=True)]
            lexical = self.lexical(asked, depth, where, per_document)
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

    def where(self, filters: Any) -> Where | None:
        """The store's filter for ``filters`` (None for none); unknown fields are refused."""
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

    def dense(self, vectors: np.ndarray, depth: int, where: Where | None, exact: bool,
              per_document: bool) -> Ranked:
        """Per query vector, the top ``depth`` of the vector store."""
        total = self.manifest["chunks"]
        fetch = min(depth * 2 + 8 if per_document else depth, max(total, 1))
        results: Ranked = [[] for _ in range(len(vectors))]
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

    def lexical(self, queries: Sequence[str | Mapping[str, float]], depth: int,
                where: Where | None, per_document: bool) -> Ranked:
        """Per query (a text, or BM25 ``token -> weight``), the top ``depth`` of BM25."""
        total = max(len(self.bm25.rows), 1)
        fetch = min(depth * 2 + 8 if per_document else depth, total)
        allowed = where.rows if where is not None else None
        results: Ranked = [[] for _ in queries]
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

    def hits(self, ranked: Ranked) -> list[list[Hit]]:
        """:class:`Hit` objects for ranked ``(key, score, row)`` triples."""
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
