"""The embedded vector store: faiss indexes over a float32 matrix kept beside them.

Files of a generation: ``vectors.npy`` (float32, row i = chunk row i; memory-mapped when read),
``deleted.npy`` (a packed bitmap of deleted rows) and, for graph and int8 indexes,
``ann.faiss``. Index kinds:

- ``exact``: brute force (faiss ``knn`` / ``IndexFlatIP``, BLAS for query batches);
- ``hnsw``: ``IndexHNSWFlat`` (M=32, efConstruction=200, efSearch=128 by default);
- ``auto`` (the default): ``exact`` below 10,000 rows, ``hnsw`` from there (switched on the add
  that crosses the threshold);
- ``int8``: faiss ``ScalarQuantizer`` codes (8 bits per dimension, ranges trained on the
  vectors; 4x smaller), flat below the threshold and ``IndexHNSWSQ`` above it;
- ``binary``: sign bits (:func:`sign_bits`, the codes of ``embedlab compress``'s ``binary``;
  32x smaller),
  searched by Hamming distance with faiss ``IndexBinaryFlat`` (popcount; faiss' binary HNSW
  cannot filter).

int8 and binary fetch ``k * rescore`` candidates (rescore = 4) and rescore them with the float
vectors, read from the memory-mapped matrix (only the candidates' pages are touched).
Deleted rows stay in the faiss index and are excluded by an ``IDSelectorBitmap``; when more
than a quarter of the rows are deleted the store compacts (renumbers rows, rebuilds the index).
A filter that leaves at most 20,000 rows is searched exactly over those rows (a graph search
restricted to a small subset loses recall).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.search.damage import reading
from embedlab.search.store import VectorStore, Where

DEFAULTS: dict[str, Any] = {
    "threshold": 10_000, "m": 32, "ef_construction": 200, "ef_search": 128, "rescore": 4,
    "compact_at": 0.25,
}
EXACT_FILTER_ROWS = 20_000
_PERSISTED = ("hnsw", "sq8", "hnsw-sq8")  # structures worth saving (slow to rebuild)


def sign_bits(vectors: np.ndarray) -> np.ndarray:
    """One bit per dimension, set where the value is positive, packed 8 to a byte."""
    return np.packbits(np.asarray(vectors) > 0, axis=1)


def _faiss() -> Any:
    try:
        import faiss
    except ImportError:
        raise EmbedlabError("the faiss backend needs faiss: pip install faiss-cpu") from None
    return faiss


def structure_for(kind: str, rows: int, threshold: int) -> str:
    """The faiss structure a kind uses at a given size."""
    small = rows < threshold
    return {
        "exact": "flat",
        "auto": "flat" if small else "hnsw",
        "hnsw": "hnsw",
        "int8": "sq8" if small else "hnsw-sq8",
        "binary": "binary",
    }[kind]


def describe(section: dict[str, Any]) -> str:
    """A readable name of a stored index from its manifest section."""
    s = {**DEFAULTS, **section.get("settings", {})}
    return {"flat": "IndexFlatIP (exact)",
            "hnsw": f"IndexHNSWFlat (M={s['m']}, efSearch={s['ef_search']})",
            "sq8": f"IndexScalarQuantizer (int8, rescore x{s['rescore']})",
            "hnsw-sq8": f"IndexHNSWSQ (int8, M={s['m']}, rescore x{s['rescore']})",
            "binary": f"IndexBinaryFlat (sign bits, rescore x{s['rescore']})",
            }[section["structure"]]


def read_vectors(folder: Path, section: dict[str, Any]) -> np.ndarray:
    """``vectors.npy`` memory-mapped, checked against the manifest section's rows and dim."""
    dim, rows = int(section["dim"]), int(section.get("rows", -1))
    with reading(folder / "vectors.npy"):
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        if vectors.dtype != np.float32 or vectors.shape[1:] != (dim,) or \
                rows not in (-1, len(vectors)):
            raise ValueError(f"expected {rows} float32 rows of {dim}, found "
                             f"{vectors.dtype} {vectors.shape}")
    return vectors


def read_deleted(folder: Path, n: int) -> np.ndarray:
    """``deleted.npy``: one bit per row of ``n``, unpacked to booleans."""
    with reading(folder / "deleted.npy"):
        packed = np.load(folder / "deleted.npy")
        if packed.dtype != np.uint8 or packed.shape != ((n + 7) // 8,):
            raise ValueError(f"expected {(n + 7) // 8} bytes of bits, found {packed.dtype} "
                             f"{packed.shape}")
        return np.unpackbits(packed, count=n).astype(bool)


def read_ann(folder: Path, n: int) -> Any:
    """``ann.faiss``, the graph or int8 index of ``n`` rows."""
    with reading(folder / "ann.faiss"):
        index = _faiss().read_index(str(folder / "ann.faiss"))
        if index.ntotal != n:
            raise ValueError(f"{index.ntotal} vectors in the graph, {n} in vectors.npy")
    return index


def files_of(section: dict[str, Any]) -> list[str]:
    """The files a generation's faiss store keeps."""
    ann = ["ann.faiss"] if section["structure"] in _PERSISTED else []
    return ["vectors.npy", "deleted.npy", *ann]


class FaissStore(VectorStore):
    """See the module docstring."""

    backend: ClassVar[str] = "faiss"

    def __init__(self, dim: int, kind: str, vectors: np.ndarray, deleted: np.ndarray,
                 settings: dict[str, Any], structure: str | None = None,
                 index: Any = None) -> None:
        self.dim = dim
        self.kind = kind
        self.vectors = vectors
        self.deleted = deleted
        self.settings = {**DEFAULTS, **settings}
        self.structure = structure or structure_for(kind, len(vectors), self.settings["threshold"])
        self._index = index
        self._flat: Any = None
        self.ann_bytes: int | None = None

    # -- life cycle ------------------------------------------------------------------------
    @classmethod
    def create(cls, dim: int, *, kind: str = "auto", index_dir: Path | None = None,
               **options: Any) -> FaissStore:
        unknown = set(options) - set(DEFAULTS)
        if unknown:
            raise EmbedlabError(f"unknown faiss option(s): {', '.join(sorted(unknown))}")
        return cls(dim, kind, np.zeros((0, dim), dtype=np.float32), np.zeros(0, dtype=bool),
                   options)

    @classmethod
    def open(cls, section: dict[str, Any], folder: Path, index_dir: Path) -> FaissStore:
        vectors = read_vectors(folder, section)
        n = len(vectors)
        deleted = read_deleted(folder, n)
        index = read_ann(folder, n) if section["structure"] in _PERSISTED else None
        store = cls(int(section["dim"]), section["kind"], vectors, deleted,
                    section.get("settings", {}), section["structure"], index)
        store.ann_bytes = section.get("ann_bytes")
        return store

    @property
    def n_rows(self) -> int:
        return len(self.vectors)

    def add(self, rows: np.ndarray, vectors: np.ndarray, terms: list[list[str]]) -> None:
        if len(rows) == 0:
            return
        if rows[0] != self.n_rows or not np.array_equal(rows, np.arange(rows[0],
                                                                        rows[0] + len(rows))):
            raise EmbedlabError("internal error: faiss rows must be added in order")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        old = self.n_rows
        self.vectors = np.concatenate([np.asarray(self.vectors), vectors])
        self.deleted = np.concatenate([self.deleted, np.zeros(len(vectors), dtype=bool)])
        self._flat = None
        wanted = structure_for(self.kind, self.n_rows, self.settings["threshold"])
        if wanted != self.structure or self._index is None or old == 0:
            self.structure = wanted
            self._index = None  # rebuilt from all rows when needed
        elif self.structure in _PERSISTED:
            self._index.add(vectors)

    def delete(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self.deleted = self.deleted.copy()
        self.deleted[rows[rows < self.n_rows]] = True

    def compact(self) -> np.ndarray | None:
        n_deleted = int(self.deleted.sum())
        if n_deleted == 0 or n_deleted <= self.settings["compact_at"] * self.n_rows:
            return None
        keep = ~self.deleted
        new_row = np.full(self.n_rows, -1, dtype=np.int64)
        new_row[keep] = np.arange(int(keep.sum()))
        self.vectors = np.ascontiguousarray(np.asarray(self.vectors)[keep])
        self.deleted = np.zeros(len(self.vectors), dtype=bool)
        self.structure = structure_for(self.kind, self.n_rows, self.settings["threshold"])
        self._index = self._flat = None
        return new_row

    def save(self, folder: Path) -> dict[str, Any]:
        np.save(folder / "vectors.npy", np.asarray(self.vectors, dtype=np.float32))
        np.save(folder / "deleted.npy", np.packbits(self.deleted))
        self.ann_bytes = None
        if self.structure in _PERSISTED:
            _faiss().write_index(self._ann(), str(folder / "ann.faiss"))
            self.ann_bytes = (folder / "ann.faiss").stat().st_size
        return {"backend": self.backend, "kind": self.kind, "structure": self.structure,
                "dim": self.dim, "rows": self.n_rows, "deleted": int(self.deleted.sum()),
                "settings": self.settings, "ann_bytes": self.ann_bytes}

    def vectors_of(self, rows: np.ndarray) -> np.ndarray | None:
        return np.asarray(self.vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float32)

    def bytes_per_vector(self) -> float:
        """Bytes of the searched index per row (the float matrix beside it not counted)."""
        if self.ann_bytes is not None:
            return self.ann_bytes / max(self.n_rows, 1)
        return {"flat": 4.0 * self.dim, "binary": self.dim / 8}.get(self.structure, 0.0)

    def info(self) -> dict[str, Any]:
        return {"backend": self.backend, "kind": self.kind, "structure": self.describe(),
                "rows": self.n_rows, "deleted_rows": int(self.deleted.sum()),
                "float_bytes_per_vector": 4 * self.dim,
                "index_bytes_per_vector": round(self.bytes_per_vector(), 1)}

    def describe(self) -> str:
        return describe({"structure": self.structure, "settings": self.settings})

    # -- building --------------------------------------------------------------------------
    def _ann(self) -> Any:
        """The faiss index of the current structure, built from all rows on first use."""
        if self._index is not None:
            return self._index
        faiss = _faiss()
        s, d = self.settings, self.dim
        x = np.ascontiguousarray(self.vectors, dtype=np.float32)
        ip = faiss.METRIC_INNER_PRODUCT
        if self.structure == "flat":
            index = faiss.IndexFlatIP(d)
        elif self.structure == "hnsw":
            index = faiss.IndexHNSWFlat(d, s["m"], ip)
            index.hnsw.efConstruction = s["ef_construction"]
        elif self.structure == "sq8":
            index = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, ip)
        elif self.structure == "hnsw-sq8":
            index = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, s["m"], ip)
            index.hnsw.efConstruction = s["ef_construction"]
        else:
            index = faiss.IndexBinaryFlat(d)
            if len(x):
                index.add(sign_bits(x))
            self._index = index
            return index
        if not index.is_trained and len(x):
            sample = x if len(x) <= 100_000 else x[np.random.default_rng(0).choice(
                len(x), 100_000, replace=False)]
            index.train(sample)
        if len(x):
            index.add(x)
        self._index = index
        return index

    # -- searching -------------------------------------------------------------------------
    def _allowed(self, where: Where | None) -> np.ndarray | None:
        if where is None:
            return ~self.deleted if self.deleted.any() else None
        mask = np.zeros(self.n_rows, dtype=bool)
        rows = where.rows[where.rows < self.n_rows]
        mask[rows] = True
        return mask & ~self.deleted

    def search(self, queries: np.ndarray, k: int, where: Where | None = None,
               exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        rows = np.full((len(q), k), -1, dtype=np.int64)
        scores = np.full((len(q), k), -np.inf, dtype=np.float32)
        mask = self._allowed(where)
        n_allowed = self.n_rows if mask is None else int(mask.sum())
        kk = min(k, n_allowed)
        if kk == 0 or len(q) == 0:
            return rows, scores
        small_filter = where is not None and n_allowed <= EXACT_FILTER_ROWS
        if exact or self.structure == "flat" or small_filter:
            r, s = self._exact(q, kk, mask, n_allowed)
        else:
            r, s = self._approximate(q, kk, mask)
        rows[:, :kk], scores[:, :kk] = r, s
        return rows, scores

    def _selector(self, mask: np.ndarray) -> tuple[Any, np.ndarray]:
        faiss = _faiss()
        bits = np.packbits(mask, bitorder="little")
        return faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits)), bits  # keep bits alive

    def _exact(self, q: np.ndarray, k: int, mask: np.ndarray | None,
               n_allowed: int) -> tuple[np.ndarray, np.ndarray]:
        faiss = _faiss()
        if mask is not None and n_allowed <= max(EXACT_FILTER_ROWS, self.n_rows // 2):
            subset = np.flatnonzero(mask)
            x = np.ascontiguousarray(self.vectors[subset], dtype=np.float32)
            s, i = faiss.knn(q, x, k, metric=faiss.METRIC_INNER_PRODUCT)
            return np.where(i >= 0, subset[np.maximum(i, 0)], -1), s
        if self._flat is None:
            self._flat = faiss.IndexFlatIP(self.dim)
            self._flat.add(np.ascontiguousarray(self.vectors, dtype=np.float32))
        if mask is None:
            s, i = self._flat.search(q, k)
        else:
            sel, _bits = self._selector(mask)
            s, i = self._flat.search(q, k, params=faiss.SearchParameters(sel=sel))
        return i, s

    def _approximate(self, q: np.ndarray, k: int,
                     mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        faiss = _faiss()
        index = self._ann()
        rescore = self.structure in ("sq8", "hnsw-sq8", "binary")
        fetch = min(k * self.settings["rescore"], self.n_rows) if rescore else k
        sel, _bits = self._selector(mask) if mask is not None else (None, None)
        if self.structure in ("hnsw", "hnsw-sq8"):
            params = faiss.SearchParametersHNSW(efSearch=max(self.settings["ef_search"], fetch))
        else:
            params = faiss.SearchParameters()
        if sel is not None:
            params.sel = sel
        if self.structure == "binary":
            _, cand = index.search(sign_bits(q), fetch, params=params)
        else:
            s, cand = index.search(q, fetch, params=params)
            if not rescore:
                return cand, s
        return self._rescore(q, cand, k)

    def _rescore(self, q: np.ndarray, cand: np.ndarray,
                 k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact scores of the candidates from the float vectors; the best k per query."""
        valid = cand >= 0
        flat = np.maximum(cand, 0).reshape(-1)
        order = np.argsort(flat, kind="stable")  # read the memory map in row order
        x = np.empty((len(flat), self.dim), dtype=np.float32)
        x[order] = self.vectors[flat[order]]
        s = np.einsum("qd,qcd->qc", q, x.reshape(cand.shape[0], cand.shape[1], self.dim))
        s = np.where(valid, s, -np.inf).astype(np.float32)
        top = np.argsort(-s, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(np.where(valid, cand, -1), top, axis=1), \
            np.take_along_axis(s, top, axis=1)
