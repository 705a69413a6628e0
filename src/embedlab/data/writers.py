"""Vector files: write them atomically (:func:`embedlab.files.atomic_file`) and read them back.

In: a matrix (row i = text i), ids and the model's identity. Out: a ``.npy`` or ``.parquet``
file; a failure or an interrupt never leaves a partial output, and never clobbers an earlier
file of the same name until the new one is complete.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.files import atomic_file

VECTOR_SUFFIXES = (".npy", ".parquet")
MODEL_KEY = "embedlab.model"


def check_output_path(path: str | Path) -> Path:
    """Fail early (before any encoding) on an output we could not write."""
    path = Path(path)
    if path.suffix not in VECTOR_SUFFIXES:
        raise EmbedlabError(f"{path}: unknown output format {path.suffix or '(none)'!r}; "
                            "expected .npy or .parquet")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise EmbedlabError(f"{path}: the folder {parent} does not exist")
    if path.is_dir():
        raise EmbedlabError(f"{path}: is a folder")
    if not os.access(parent, os.W_OK):
        raise EmbedlabError(f"{path}: the folder {parent} is not writable")
    return path


def write_vectors(path: str | Path, vectors: np.ndarray, ids: Sequence[str] | None = None,
                  model: str | None = None) -> Path:
    """``.npy``: the matrix (row i = text i). ``.parquet``: columns ``id`` and ``vector``, and
    the model's identity (``model``: its name and configuration) in the file's metadata."""
    path = check_output_path(path)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    with atomic_file(path, "wb") as f:
        try:
            _write(f, path, vectors, ids, model)
        except OSError as exc:  # np.save's short writes carry no errno: name the file here
            raise EmbedlabError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def _write(f: IO[bytes], path: Path, vectors: np.ndarray, ids: Sequence[str] | None,
           model: str | None) -> None:
    if path.suffix == ".npy":
        np.save(f, vectors)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        row_ids = list(ids) if ids is not None else [str(i) for i in range(len(vectors))]
        flat = pa.array(vectors.reshape(-1), type=pa.float32())
        column = pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1])
        table = pa.table({"id": pa.array(row_ids, pa.string()), "vector": column})
        if model:
            table = table.replace_schema_metadata({MODEL_KEY: model})
        pq.write_table(table, f)


def read_vectors(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """Vectors and ids from a file written by :func:`write_vectors` (or any such layout)."""
    path = Path(path)
    if not path.is_file():
        raise EmbedlabError(f"{path}: file not found")
    try:
        if path.suffix == ".npy":
            vectors = np.load(path, allow_pickle=False)
            ids = [str(i) for i in range(len(vectors))]
        elif path.suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            if "vector" not in table.column_names:
                raise EmbedlabError(f"{path}: no 'vector' column; columns are "
                                    f"{table.column_names}")
            vectors = np.asarray(table.column("vector").to_pylist(), dtype=np.float32)
            ids = ([str(v) for v in table.column("id").to_pylist()]
                   if "id" in table.column_names else [str(i) for i in range(len(vectors))])
        else:
            raise EmbedlabError(f"{path}: expected a .npy or .parquet vector file")
    except (ValueError, OSError) as exc:
        raise EmbedlabError(f"{path}: cannot read vectors: {exc}") from None
    if vectors.ndim != 2:
        raise EmbedlabError(f"{path}: expected a 2-D matrix of vectors, got shape {vectors.shape}")
    return vectors.astype(np.float32, copy=False), ids


def read_vector_model(path: str | Path) -> str | None:
    """The model identity a ``.parquet`` vector file records (None for ``.npy`` or none)."""
    path = Path(path)
    if path.suffix != ".parquet" or not path.is_file():
        return None
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except OSError:
        return None
    value = metadata.get(MODEL_KEY.encode())
    return value.decode() if value else None


def _npy_header(rows: int, dim: int) -> bytes:
    """A ``.npy`` (version 1.0) header of exactly :data:`NPY_HEADER` bytes for a float32
    matrix: fixed, so that it can be written first and filled in when the rows are known."""
    text = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dim}), }}"
    pad = NPY_HEADER - 10 - len(text) - 1
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", NPY_HEADER - 10)
            + (text + " " * pad + "\n").encode("latin-1"))


NPY_HEADER = 128  # 64-byte aligned, and room for any shape of two 20-digit numbers


class VectorWriter:
    """A vector file written block by block (``.npy`` or ``.parquet``, as :func:`write_vectors`
    writes them), so that memory holds one block, not the whole matrix: ``.npy`` rows are
    appended after a fixed-size header filled in at the end, ``.parquet`` blocks become row
    groups. The file appears whole or not at all (:func:`embedlab.files.atomic_file`).

    Use as a context manager; :meth:`append` each block of vectors with its ids.
    """

    def __init__(self, path: str | Path, dim: int, model: str | None = None) -> None:
        self.path = check_output_path(path)
        self.dim = dim
        self.model = model
        self.rows = 0
        self._context: Any = None
        self._file: Any = None
        self._parquet: Any = None

    def __enter__(self) -> VectorWriter:
        self._context = atomic_file(self.path, "wb")
        self._file = self._context.__enter__()
        self._guard(self._start)
        return self

    def _start(self) -> None:
        if self.path.suffix == ".npy":
            self._file.write(_npy_header(0, self.dim))
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("id", pa.string()),
                            ("vector", pa.list_(pa.float32(), self.dim))])
        if self.model:
            schema = schema.with_metadata({MODEL_KEY: self.model})
        self._parquet = pq.ParquetWriter(self._file, schema)

    def _guard(self, action: Any, *args: Any) -> None:
        try:
            action(*args)
        except OSError as exc:  # a full disk: name the file (np and pyarrow carry no errno)
            raise EmbedlabError(f"{self.path}: cannot write: {exc.strerror or exc}") from None

    def append(self, vectors: np.ndarray, ids: Sequence[str]) -> None:
        """Add rows (``vectors`` float32 ``(n, dim)``, ``ids`` one per row)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise EmbedlabError(f"internal error: {vectors.shape} vectors for a file of "
                                f"dim {self.dim}")
        self._guard(self._append, vectors, ids)
        self.rows += len(vectors)

    def _append(self, vectors: np.ndarray, ids: Sequence[str]) -> None:
        if self._parquet is None:
            self._file.write(vectors.tobytes())
            return
        import pyarrow as pa

        flat = pa.array(vectors.reshape(-1), type=pa.float32())
        column = pa.FixedSizeListArray.from_arrays(flat, self.dim)
        self._parquet.write_table(pa.Table.from_arrays(
            [pa.array(list(ids), pa.string()), column], schema=self._parquet.schema))

    def _finish(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        else:
            self._file.seek(0)
            self._file.write(_npy_header(self.rows, self.dim))

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        context, self._context = self._context, None
        if kind is None:
            try:
                self._guard(self._finish)
            except BaseException as error:
                context.__exit__(type(error), error, error.__traceback__)
                raise
        elif self._parquet is not None:
            try:
                self._parquet.close()
            except Exception:  # the file is thrown away; its own error is the one to show
                pass
        context.__exit__(kind, exc, tb)
