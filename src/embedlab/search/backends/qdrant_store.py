"""The scale-out vector store: a Qdrant collection, through qdrant-client.

``url`` names a Qdrant server (``QDRANT_API_KEY`` from the environment is sent where set); with
no url the store runs in qdrant-client's local mode in ``<index>/qdrant`` (brute force, one
process at a time: for tests and small corpora). Points are the chunk rows: id = row, payload
``row`` and ``terms`` (the ``field=value`` filter terms, keyword-indexed on a server), vector
compared by dot product. Kinds: ``auto``/``hnsw`` use Qdrant's HNSW, ``exact`` asks for exact
search, ``int8``/``binary`` turn on Qdrant's scalar or binary quantization with rescoring
(oversampling 4).

Generations: texts, metadata and BM25 stay in the index folder's generations; Qdrant holds the
vectors of every generation at once. A search only returns rows below the generation's row
count, so points a killed writer left behind are never seen, and the next writer removes
them. Deletions are applied to Qdrant once the generation that drops them is published.
"""

from __future__ import annotations

import atexit
import contextlib
import uuid
import warnings
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.search.store import VectorStore, Where

_CLIENTS: dict[tuple[str, str], Any] = {}  # local mode allows one client per folder and process
_BATCH = 512
OVERSAMPLING = 4.0


def _models() -> Any:
    try:
        from qdrant_client import models
    except ImportError:
        raise EmbedlabError("the qdrant backend needs qdrant-client: pip install qdrant-client"
                            ) from None
    return models


@atexit.register
def _close_clients() -> None:
    """Close clients before the interpreter tears down the modules their ``__del__`` needs."""
    for client in _CLIENTS.values():
        with contextlib.suppress(Exception):
            client.close()
    _CLIENTS.clear()


def client_for(location: dict[str, Any], index_dir: Path) -> Any:
    """A (cached) client for a server url or a local folder relative to the index."""
    _models()
    from qdrant_client import QdrantClient

    if location.get("url"):
        key = ("url", str(location["url"]))
    else:
        key = ("path", str((index_dir / location.get("path", "qdrant")).resolve()))
    if key not in _CLIENTS:
        try:
            if key[0] == "url":
                import os

                _CLIENTS[key] = QdrantClient(url=key[1], api_key=os.environ.get("QDRANT_API_KEY"))
            else:
                _CLIENTS[key] = QdrantClient(path=key[1])
        except RuntimeError as exc:
            if "already accessed" in str(exc):
                raise EmbedlabError(f"{key[1]}: the local Qdrant store is open in another "
                                    "process (local mode allows one; use a Qdrant server "
                                    "for concurrent access)") from None
            raise
    return _CLIENTS[key]


def _call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a client call; connection failures become one-line errors."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # local mode warns that it ignores search params
            return fn(*args, **kwargs)
    except EmbedlabError:
        raise
    except Exception as exc:  # qdrant-client raises httpx/grpc/its own errors
        if type(exc).__name__ in ("ConnectError", "ResponseHandlingException", "ConnectTimeout",
                                  "UnexpectedResponse", "RpcError"):
            raise EmbedlabError(f"qdrant: {what} failed: {' '.join(str(exc).split())}"
                                ) from None
        raise


class QdrantStore(VectorStore):
    """See the module docstring."""

    backend: ClassVar[str] = "qdrant"

    def __init__(self, client: Any, collection: str, dim: int, kind: str,
                 location: dict[str, Any], rows: int, pending: list[int] | None = None) -> None:
        self.client = client
        self.collection = collection
        self.dim = dim
        self.kind = kind
        self.location = location
        self._rows = rows
        self._deleted: list[int] = []
        self._pending = list(pending or [])  # deletions of a published generation not yet done
        self._prepared = False

    @property
    def remote(self) -> bool:
        return bool(self.location.get("url"))

    @classmethod
    def create(cls, dim: int, *, kind: str = "auto", index_dir: Path,
               url: str | None = None, collection: str | None = None,
               **options: Any) -> QdrantStore:
        if options:
            raise EmbedlabError(f"unknown qdrant option(s): {', '.join(sorted(options))}")
        models = _models()
        location: dict[str, Any] = {"url": url} if url else {"path": "qdrant"}
        client = client_for(location, index_dir)
        name = collection or f"embedlab-{uuid.uuid4().hex[:12]}"
        quantization = None
        if kind == "int8":
            quantization = models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(
                type=models.ScalarType.INT8, always_ram=True))
        elif kind == "binary":
            quantization = models.BinaryQuantization(
                binary=models.BinaryQuantizationConfig(always_ram=True))
        _call("create collection", client.create_collection, name,
              vectors_config=models.VectorParams(size=dim, distance=models.Distance.DOT),
              quantization_config=quantization)
        if url:
            _call("create payload index", client.create_payload_index, name, "terms",
                  field_schema=models.PayloadSchemaType.KEYWORD)
        return cls(client, name, dim, kind, location, 0)

    @classmethod
    def open(cls, section: dict[str, Any], folder: Path, index_dir: Path) -> QdrantStore:
        client = client_for(section["location"], index_dir)
        return cls(client, section["collection"], int(section["dim"]), section["kind"],
                   section["location"], int(section["rows"]), section.get("pending_deletes"))

    @property
    def n_rows(self) -> int:
        return self._rows

    def _prepare_write(self) -> None:
        """Before the first write: finish an earlier writer's deletions, drop its leftovers."""
        if self._prepared:
            return
        models = _models()
        self._delete_points(self._pending)
        leftover = models.Filter(must=[models.FieldCondition(
            key="row", range=models.Range(gte=self._rows))])
        _call("delete", self.client.delete, self.collection,
              points_selector=models.FilterSelector(filter=leftover), wait=True)
        self._prepared = True

    def _delete_points(self, rows: list[int]) -> None:
        models = _models()
        for i in range(0, len(rows), _BATCH):
            _call("delete", self.client.delete, self.collection,
                  points_selector=models.PointIdsList(points=rows[i:i + _BATCH]), wait=True)

    def add(self, rows: np.ndarray, vectors: np.ndarray, terms: list[list[str]]) -> None:
        self._prepare_write()
        models = _models()
        vectors = np.asarray(vectors, dtype=np.float32)
        for i in range(0, len(rows), _BATCH):
            ids = [int(r) for r in rows[i:i + _BATCH]]
            _call("upsert", self.client.upsert, self.collection, wait=True,
                  points=models.Batch(ids=ids, vectors=vectors[i:i + _BATCH].tolist(),
                                      payloads=[{"row": r, "terms": t} for r, t in
                                                zip(ids, terms[i:i + _BATCH], strict=True)]))
        if len(rows):
            self._rows = max(self._rows, int(rows[-1]) + 1)

    def delete(self, rows: np.ndarray) -> None:
        self._prepare_write()
        self._deleted += [int(r) for r in rows]

    def save(self, folder: Path) -> dict[str, Any]:
        return {"backend": self.backend, "kind": self.kind, "dim": self.dim,
                "rows": self._rows, "location": self.location, "collection": self.collection,
                "pending_deletes": self._deleted}

    def committed(self) -> None:
        self._delete_points(self._deleted)
        self._pending, self._deleted = [], []

    def drop(self) -> None:
        """Remove the collection (when an index is rebuilt over this one)."""
        _call("delete collection", self.client.delete_collection, self.collection)

    def info(self) -> dict[str, Any]:
        points = _call("count", self.client.count, self.collection, exact=True).count
        where = self.location.get("url") or "local mode"
        return {"backend": self.backend, "kind": self.kind,
                "structure": f"Qdrant collection {self.collection} ({where})",
                "rows": self._rows, "points": int(points)}

    def search(self, queries: np.ndarray, k: int, where: Where | None = None,
               exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        models = _models()
        q = np.asarray(queries, dtype=np.float32).reshape(-1, self.dim)
        rows = np.full((len(q), k), -1, dtype=np.int64)
        scores = np.full((len(q), k), -np.inf, dtype=np.float32)
        if len(q) == 0 or k == 0:
            return rows, scores
        must: list[Any] = [models.FieldCondition(key="row", range=models.Range(lt=self._rows))]
        for field, values in (where.terms if where is not None else {}).items():
            must.append(models.FieldCondition(
                key="terms", match=models.MatchAny(any=[f"{field}={v}" for v in values])))
        params = None
        if self.remote:
            quant = None
            if self.kind in ("int8", "binary"):
                quant = models.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING)
            params = models.SearchParams(exact=exact or self.kind == "exact",
                                         quantization=quant)
        requests = [models.QueryRequest(query=v.tolist(), limit=k, filter=models.Filter(must=must),
                                        params=params, with_payload=False) for v in q]
        responses = _call("search", self.client.query_batch_points, self.collection,
                          requests=requests)
        for i, response in enumerate(responses):
            for j, point in enumerate(response.points[:k]):
                rows[i, j] = int(point.id)
                scores[i, j] = float(point.score)
        return rows, scores
