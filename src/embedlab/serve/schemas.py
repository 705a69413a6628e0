"""Request bodies, as OpenAI's embeddings API and ``embedlab search`` define them.

In: JSON bodies (validated by FastAPI with these models; a wrong type is 422, not coerced: a
number is not silently a string). Out: the answer bodies, built as plain dicts by
:func:`embedding_answer` and :func:`search_answer` and serialised with orjson (numpy rows
straight to JSON, no per-float Python objects).
"""

from __future__ import annotations

import base64
from typing import Any, Literal

import numpy as np
from fastapi.exceptions import RequestValidationError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

FilterValue = StrictStr | StrictInt | StrictFloat | StrictBool
Filter = dict[str, FilterValue | list[FilterValue]] | list[StrictStr] | StrictStr


class EmbeddingRequest(BaseModel):
    """``POST /v1/embeddings``: OpenAI's fields (token-id inputs are not supported)."""

    model_config = ConfigDict(extra="ignore")

    input: StrictStr | list[StrictStr]
    model: StrictStr | None = None
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: StrictInt | None = Field(default=None, ge=1)
    user: StrictStr | None = None

    def texts(self) -> list[str]:
        return [self.input] if isinstance(self.input, str) else list(self.input)


class SearchRequest(BaseModel):
    """``POST /v1/search``: the options of ``Index.search`` (``correct`` and ``expand``
    included), plus ``map`` for a 2-D PCA map."""

    model_config = ConfigDict(extra="forbid")

    query: StrictStr
    #: results wanted; None: 10, or the server's maximum if that is lower
    k: StrictInt | None = Field(default=None, ge=1)
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    filter: Filter | None = None
    per_document: StrictBool = True
    map: StrictBool = False
    correct: StrictBool = False
    expand: Literal["neighbours", "prf"] | None = None


def parse_embedding_request(body: bytes) -> EmbeddingRequest:
    """The body of ``POST /v1/embeddings``, parsed and validated in one pydantic-core call.

    Errors are raised as FastAPI's ``RequestValidationError`` (locations under ``body``), so
    they get the same answers as FastAPI's own body validation, for less work per request on
    the server's hottest route. An empty body is a :class:`ValueError`.
    """
    if not body.strip():
        raise ValueError("the request needs a JSON body")
    try:
        return EmbeddingRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]
        raise RequestValidationError(errors) from None


def embedding_request_schema() -> dict[str, Any]:
    """OpenAPI ``requestBody`` of ``POST /v1/embeddings`` (the route reads its body itself)."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": EmbeddingRequest.model_json_schema()}}}}


def encode_base64(vector: np.ndarray) -> str:
    """Little-endian float32 bytes in base64, as OpenAI sends ``encoding_format=base64``."""
    return base64.b64encode(np.ascontiguousarray(vector, dtype="<f4").tobytes()).decode("ascii")


def embedding_answer(vectors: np.ndarray, model: str, tokens: int, fmt: str) -> dict[str, Any]:
    """OpenAI's list-of-embeddings body; rows stay numpy arrays for orjson."""
    if fmt == "base64":
        data = [{"object": "embedding", "index": i, "embedding": encode_base64(v)}
                for i, v in enumerate(vectors)]
    else:
        data = [{"object": "embedding", "index": i, "embedding": v}
                for i, v in enumerate(vectors)]
    return {"object": "list", "data": data, "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


def search_answer(hits: list[Any], model: str, query: str,
                  points: np.ndarray | None) -> dict[str, Any]:
    """Hits as dicts (``id``, ``score``, ``text``, ``metadata``, ...), and the map if asked.

    ``points``: 2-D coordinates, the query first and then one per hit.
    """
    data = []
    for hit in hits:
        data.append({"object": "search.result", "rank": hit.rank, "id": hit.doc_id,
                     "chunk": hit.chunk, "score": float(hit.score), "text": hit.text,
                     "metadata": hit.meta, "start": hit.start, "end": hit.end})
    out: dict[str, Any] = {"object": "list", "data": data, "model": model, "query": query}
    if points is not None:
        out["map"] = {"method": "pca", "query": points[0].tolist(),
                      "points": points[1:].tolist()}
    return out
