"""Every error the server sends, in OpenAI's shape: ``{"error": {"message", "type", "code"}}``.

In: an :class:`APIError` raised by a handler, the batcher's ``QueueFull`` (429) and
``ShuttingDown`` (503), FastAPI's validation errors, Starlette's HTTP errors (404, 405, 413 for
a body over the size limit), the library's ``EmbedlabError`` (400), or anything unexpected
(500). Out: a JSON response with that body, the right
status, and headers such as ``Retry-After`` (429) or ``WWW-Authenticate`` (401).

Malformed JSON is 400 (``invalid_json``), and so is a string that is not valid Unicode
(``invalid_unicode``, naming the field); a well-formed body of the wrong shape or types is 422
(``invalid_value``), with the field path in ``param`` as OpenAI does.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from embedlab.errors import EmbedlabError
from embedlab.serve.batching import QueueFull, ShuttingDown

log = logging.getLogger("embedlab.serve")

# OpenAI's error types by status; the code says which rule was broken.
_TYPES = {400: "invalid_request_error", 401: "invalid_request_error",
          404: "invalid_request_error", 405: "invalid_request_error",
          408: "invalid_request_error", 413: "invalid_request_error",
          415: "invalid_request_error", 422: "invalid_request_error",
          429: "rate_limit_error", 500: "server_error", 503: "server_error"}


class APIError(Exception):
    """An error answer: status, a message for a person, a machine-readable code."""

    def __init__(self, status: int, message: str, code: str, *, param: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}


def error_body(status: int, message: str, code: str, param: str | None = None) -> bytes:
    """The JSON body of an error answer."""
    kind = _TYPES.get(status, "invalid_request_error" if status < 500 else "server_error")
    # A message may quote the client's text, lone surrogates included: escape those.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    if param is not None:
        param = param.encode("utf-8", "backslashreplace").decode("utf-8")
    return orjson.dumps({"error": {"message": message, "type": kind, "param": param,
                                   "code": code}})


def error_response(err: APIError) -> Response:
    return Response(error_body(err.status, err.message, err.code, err.param),
                    status_code=err.status, headers=err.headers, media_type="application/json")


_TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict"}


def _location(loc: tuple[Any, ...]) -> str:
    """``("body", "input", "list[str]", 3)`` -> ``"input[3]"`` (pydantic's union tags dropped)."""
    out = ""
    for part in loc:
        if part == "body" and not out:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and ("[" in part or part in _TYPE_TAGS
                                        or part.startswith(("function-", "constrained-"))):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def _validation(exc: RequestValidationError) -> APIError:
    errors = list(exc.errors())
    bad_json = [e for e in errors if e.get("type") == "json_invalid"]
    if bad_json:
        reason = (bad_json[0].get("ctx") or {}).get("error", "invalid JSON")
        return APIError(400, f"the request body is not valid JSON: {reason}", "invalid_json")
    if not errors:
        return APIError(422, "invalid request", "invalid_value")
    unicode = [e for e in errors if e.get("type") in ("invalid_unicode", "string_unicode")]
    if unicode:
        where = _location(tuple(unicode[0].get("loc", ())))
        return APIError(400, f"{where}: is not valid Unicode (it holds a lone surrogate, such "
                             "as \\ud800)", "invalid_unicode", param=where)
    # The deepest location is the most precise: there the outer types matched.
    located = [(_location(tuple(e.get("loc", ()))), e) for e in errors]
    depth = max(len(tuple(e.get("loc", ()))) for _, e in located)
    where = next(w for w, e in located if len(tuple(e.get("loc", ()))) == depth)
    if where == "body" and any(e.get("type") == "missing" for e in errors):
        return APIError(400, "the request needs a JSON body", "missing_body")
    if where == "body":
        return APIError(422, "the request body must be a JSON object", "invalid_body")
    here = [e for w, e in located if w == where]
    # A broken bound says more than "should be a string or a number" from a union's others.
    bounds = [e for e in here if not str(e.get("type", "")).endswith("_type")]
    reasons = list(dict.fromkeys(str(e.get("msg", "invalid value")) for e in bounds or here))
    if all(r.startswith("Input should be ") for r in reasons):
        text = "should be " + " or ".join(r.removeprefix("Input should be ") for r in reasons)
    else:
        text = "; ".join(r[:1].lower() + r[1:] for r in reasons)
    return APIError(422, f"{where}: {text}", "invalid_value", param=where)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request",
               413: "request_too_large"}


def error_for(exc: Exception) -> APIError:
    """The answer to an exception raised while handling a request (500 for surprises)."""
    if isinstance(exc, APIError):
        return exc
    if isinstance(exc, RequestValidationError):
        return _validation(exc)
    if isinstance(exc, StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return APIError(exc.status_code, str(exc.detail), code, headers=dict(exc.headers or {}))
    if isinstance(exc, QueueFull):
        return APIError(429, "too many texts are waiting to be encoded; retry later",
                        "queue_full", headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, ShuttingDown):
        return APIError(503, "the server is shutting down", "shutting_down")
    if isinstance(exc, EmbedlabError):
        # The library's own user errors (an unknown search mode or filter field) are bad input.
        return APIError(400, str(exc), "invalid_request")
    return APIError(500, "internal server error", "internal_error")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through :func:`error_response` (FastAPI's defaults are replaced)."""

    async def on_error(_: Request, exc: Exception) -> Response:
        return error_response(error_for(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(error_for(exc))

    for kind in (APIError, RequestValidationError, StarletteHTTPException, QueueFull,
                 ShuttingDown, EmbedlabError):
        app.add_exception_handler(kind, on_error)
    app.add_exception_handler(Exception, on_unexpected)
