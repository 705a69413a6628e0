"""Checks on a request's headers, made before its body is read: Host, API key, Content-Type.

In: every HTTP request. Out: the request passed on unchanged, or an error answer in OpenAI's
shape, sent without reading the body (so a refused client costs no memory and no parsing):

- 400 ``invalid_host`` when the ``Host`` header names none of ``allowed_hosts`` (a page on
  another site that re-binds its DNS name to 127.0.0.1 sends its own name: it cannot read the
  answers of a server on localhost this way). ``"*"`` allows any; ``"*.example.com"`` any
  sub-domain;
- 401 ``invalid_api_key`` on a protected path without one of ``api_keys`` as a bearer token:
  ``/v1/*``, ``/docs``, ``/redoc``, ``/openapi.json`` and (unless ``public_metrics``)
  ``/metrics``; ``/``, ``/health`` and ``/ready`` stay open;
- 415 ``unsupported_media_type`` for a POST body whose ``Content-Type`` is not JSON: a page on any
  site may send ``text/plain`` or form bodies without asking the browser first; JSON it may
  not.

Why an ASGI layer, not FastAPI dependencies: FastAPI reads and parses the body before it
solves a route's dependencies, and the embeddings fast path skips FastAPI altogether.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from embedlab.serve.errors import APIError, error_response

#: exact paths that need the key besides ``/v1/*`` (``/metrics`` is added unless public)
_PROTECTED = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
_JSON_TYPES = (b"application/json",)


def check_key(keys: tuple[str, ...], authorization: str) -> None:
    """Raise 401 unless the ``Authorization`` header holds one of ``keys`` (none set: pass)."""
    if not keys:
        return
    scheme, _, token = authorization.partition(" ")
    token_bytes = token.strip().encode("utf-8", "surrogateescape")
    if scheme.lower() == "bearer" and token_bytes and \
            any(hmac.compare_digest(token_bytes, k.encode()) for k in keys):
        return
    message = ("missing API key: send Authorization: Bearer KEY" if not token_bytes
               else "invalid API key")
    raise APIError(401, message, "invalid_api_key", headers={"WWW-Authenticate": "Bearer"})


def host_name(host: bytes) -> str:
    """``b"Example.com:8000"`` -> ``"example.com"``; ``b"[::1]:80"`` -> ``"::1"``."""
    text = host.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text[1:].partition("]")[0]
    return text.rpartition(":")[0] if text.count(":") == 1 else text


def host_allowed(name: str, allowed: tuple[str, ...]) -> bool:
    """Whether ``name`` matches one of ``allowed`` (``*``, ``*.domain`` or a name)."""
    for pattern in allowed:
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


def is_json(content_type: bytes | None) -> bool:
    """``application/json`` or ``application/*+json``, with any parameters."""
    if content_type is None:
        return False
    media = content_type.split(b";", 1)[0].strip().lower()
    return media in _JSON_TYPES or (media.startswith(b"application/") and
                                    media.endswith(b"+json"))


def has_body(scope: Scope) -> bool:
    """Whether the request announces a body (a length over 0, or chunks)."""
    for key, value in scope["headers"]:
        if (key == b"content-length" and value.strip() not in (b"0", b"")) or \
                key == b"transfer-encoding":
            return True
    return False


class GuardMiddleware:
    """Host, key and media-type checks before the body is read (module docstring)."""

    def __init__(self, app: ASGIApp, *, api_keys: tuple[str, ...] = (),
                 allowed_hosts: tuple[str, ...] = ("*",), public_metrics: bool = False) -> None:
        self.app = app
        self.api_keys = api_keys
        self.allowed_hosts = tuple(h.strip().lower().strip("[]") for h in allowed_hosts)
        self.any_host = "*" in self.allowed_hosts
        self.protected = _PROTECTED if public_metrics else _PROTECTED | {"/metrics"}

    def _refusal(self, scope: Scope) -> APIError | None:
        headers = dict(scope["headers"])
        if not self.any_host:
            name = host_name(headers.get(b"host", b""))
            if not host_allowed(name, self.allowed_hosts):
                return APIError(400, f"the Host header {name!r} is not one this server answers "
                                     "to (see --allowed-hosts)", "invalid_host",
                                headers={"Connection": "close"})
        path = scope["path"]
        if self.api_keys and (path.startswith("/v1/") or path in self.protected):
            try:
                check_key(self.api_keys,
                          headers.get(b"authorization", b"").decode("latin-1"))
            except APIError as exc:
                return exc
        if scope["method"] == "POST" and not is_json(headers.get(b"content-type")) and \
                has_body(scope):
            given = headers.get(b"content-type", b"").decode("latin-1") or "none"
            return APIError(415, f"the request body must be JSON: send Content-Type: "
                                 f"application/json (got {given})", "unsupported_media_type")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal is not None:
                if has_body(scope):  # unread: the connection cannot carry another request
                    refusal.headers["Connection"] = "close"
                await error_response(refusal)(scope, receive, send)
                return
        await self.app(scope, receive, send)
