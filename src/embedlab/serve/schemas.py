"""Request bodies, as OpenAI's embeddings API and ``embedlab search`` define them.

In: JSON bodies, parsed and validated by :func:`parse_request` (a wrong type is 422, not
coerced: a number is not silently a string). Out: the answer bodies, built as plain dicts by
:func:`embedding_answer` and :func:`search_answer` and serialised with orjson (numpy rows
straight to JSON, no per-float Python objects).

Every list and string has a ceiling here (``MAX_*``), so no body makes the server validate,
store or search an unbounded list: over one is a 422 naming the field and the bound. The
server's own, lower limits (``--max-items``, ``--max-chars``, ``--max-k``) are checked after.
A string that is not valid Unicode (a lone surrogate such as ``"\\ud800"``, which JSON allows
but no tokenizer or JSON encoder takes) is a 400 naming the field (``invalid_unicode``).
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Literal, TypeVar

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
    field_validator,
)
from pydantic_core import PydanticCustomError

#: texts in one embeddings request (``--max-items`` may not exceed it)
MAX_ITEMS = 100_000
#: characters in one text or query (``--max-chars`` may not exceed it)
MAX_CHARS = 1_000_000
#: characters of a model name, a user tag, a filter field or value
MAX_NAME_CHARS = 1024
#: filter fields in one search, and filter values in all (the SQL and the parsing stay small)
MAX_FILTER_FIELDS = 32
MAX_FILTER_VALUES = 1024
#: the largest ``k`` and ``dimensions`` a body may hold (the server's limits are lower)
MAX_NUMBER = 1_000_000

M = TypeVar("M", bound=BaseModel)


def _text(max_chars: int) -> Any:
    # strict strings refuse lone surrogates (string_unicode), which errors.py makes a 400
    return Annotated[StrictStr, Field(max_length=max_chars)]


Text = _text(MAX_CHARS)
Name = _text(MAX_NAME_CHARS)
FilterValue = Name | StrictInt | StrictFloat | StrictBool
FilterValues = Annotated[list[FilterValue], Field(max_length=MAX_FILTER_VALUES)]
Filter = (Annotated[dict[Name, FilterValue | FilterValues], Field(max_length=MAX_FILTER_FIELDS)]
          | Annotated[list[Name], Field(max_length=MAX_FILTER_VALUES)] | Name)


class EmbeddingRequest(BaseModel):
    """``POST /v1/embeddings``: OpenAI's fields (token-id inputs are not supported)."""

    model_config = ConfigDict(extra="ignore")

    input: Text | Annotated[list[Text], Field(max_length=MAX_ITEMS)]
    model: Name | None = None
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: StrictInt | None = Field(default=None, ge=1, le=MAX_NUMBER)
    user: Name | None = None

    def texts(self) -> list[str]:
        return [self.input] if isinstance(self.input, str) else list(self.input)


class SearchRequest(BaseModel):
    """``POST /v1/search``: the options of ``Index.search`` (``correct`` and ``expand``
    included), plus ``map`` for a 2-D PCA map."""

    model_config = ConfigDict(extra="forbid")

    query: Text
    #: results wanted; None: 10, or the server's maximum if that is lower
    k: StrictInt | None = Field(default=None, ge=1, le=MAX_NUMBER)
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    filter: Filter | None = None
    per_document: StrictBool = True
    map: StrictBool = False
    correct: StrictBool = False
    expand: Literal["neighbours", "prf"] | None = None

    @field_validator("filter", mode="before")
    @classmethod
    def _few_values(cls, value: Any) -> Any:
        """Count before the values are validated one by one (40,000 of them took ~0.1 s of
        the event loop, only to be refused)."""
        if isinstance(value, dict):
            if len(value) > MAX_FILTER_FIELDS:
                raise _too_many(f"{len(value)} fields", MAX_FILTER_FIELDS, "fields")
            counts = {k: len(v) if isinstance(v, list) else 1 for k, v in value.items()}
            if sum(counts.values()) > MAX_FILTER_VALUES:
                most = max(counts, key=counts.__getitem__)
                raise _too_many(f"{sum(counts.values())} values ({counts[most]} for {most!r})",
                                MAX_FILTER_VALUES, "values in all")
        elif isinstance(value, list) and len(value) > MAX_FILTER_VALUES:
            raise _too_many(f"{len(value)} values", MAX_FILTER_VALUES, "values")
        return value


def _too_many(got: str, bound: int, what: str) -> PydanticCustomError:
    return PydanticCustomError("too_long", "should have at most {bound} {what}, got {got}",
                               {"bound": bound, "what": what, "got": got})


def parse_request(model: type[M], body: bytes) -> M:
    """``body`` parsed and validated as ``model``, in one pydantic-core call.

    Errors are raised as FastAPI's ``RequestValidationError`` (locations under ``body``), so
    they get the same answers as FastAPI's own body validation, for less work per request on
    the server's hottest route. An empty body is a :class:`ValueError`. pydantic's JSON parser
    refuses lone surrogates as invalid JSON without saying where; only then the body is parsed
    again by the standard library, so the error names the field that holds one.
    """
    if not body.strip():
        raise ValueError("the request needs a JSON body")
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors) and b"\\u" in body:
            try:
                return model.model_validate(json.loads(body), strict=True)
            except ValidationError as again:
                errors = again.errors()
            except (ValueError, RecursionError):
                pass  # not JSON to the standard library either: the first error stands
        raise RequestValidationError(
            [{**e, "loc": ("body", *e.get("loc", ()))} for e in errors]) from None


def parse_embedding_request(body: bytes) -> EmbeddingRequest:
    """The body of ``POST /v1/embeddings`` (see :func:`parse_request`)."""
    return parse_request(EmbeddingRequest, body)


def request_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI ``requestBody`` of a route that reads its body itself."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}


def embedding_request_schema() -> dict[str, Any]:
    """OpenAPI ``requestBody`` of ``POST /v1/embeddings`` (the route reads its body itself)."""
    return request_schema(EmbeddingRequest)


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
