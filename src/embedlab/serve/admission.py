"""Admission of requests with bodies: size, requests and bytes in flight, a body-read deadline.

In: every HTTP request, after :mod:`embedlab.serve.guard` passed its headers. Out: the
request passed on with its body read whole (and replayed to the app), or an error answer in
OpenAI's shape, sent with ``Connection: close``:

- 413 ``request_too_large``: ``Content-Length`` (or, chunked, the bytes so far) over
  ``max_body_bytes``, or over a lower limit for the path (``path_limits``: a search body needs
  far less than a batch of texts, and every byte read is parsed on the event loop), refused
  before the body is read;
- 503 ``server_busy`` (with ``Retry-After``): ``max_requests`` requests already in flight, or
  admitting this body would put more than ``max_inflight_bytes`` of bodies in memory at once;
  refused at once, the body unread;
- 408 ``request_timeout``: the body did not arrive whole within ``body_timeout_s`` (a
  ``Content-Length`` larger than what is sent, an unfinished chunked body, a trickle).

A request without a body (a GET) counts against ``max_requests`` only. After a large body is
answered and none is left in flight, the C heap is trimmed (glibc's ``malloc_trim``), so a
burst of large bodies does not leave the server at its peak memory for good.

Why an ASGI layer: uvicorn has a keep-alive timeout and a connection limit, but no deadline on
a request's body and no bound on the bytes that concurrent requests hold.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from embedlab.serve.errors import APIError, error_response

#: a body this large makes the heap worth trimming once no body is in flight
_TRIM_AFTER_BYTES = 1 << 20


def _malloc_trim() -> None:
    """Give freed C-heap pages back to the system (glibc only; elsewhere nothing)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _libc()


class _Refused(Exception):
    def __init__(self, error: APIError) -> None:
        super().__init__(error.message)
        self.error = error


class AdmissionMiddleware:
    """Bounded requests, bytes and body-read time (module docstring)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_requests: int = 512,
                 max_inflight_bytes: int = 64 * 1024 * 1024, body_timeout_s: float = 30.0,
                 path_limits: dict[str, tuple[int, str]] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        #: path -> (lower body limit, the option that sets it)
        self.path_limits = path_limits or {}
        self.max_requests = max_requests
        self.max_inflight_bytes = max_inflight_bytes
        self.body_timeout_s = body_timeout_s
        #: requests being handled, and the body bytes they hold
        self.requests = 0
        self.inflight_bytes = 0
        self._large_since_trim = False

    # -- answers -----------------------------------------------------------------------------
    def _limit(self, path: str) -> tuple[int, str]:
        return self.path_limits.get(path, (self.max_body_bytes, "--max-body-bytes"))

    def _too_large(self, path: str) -> APIError:
        limit, option = self._limit(path)
        return APIError(413, f"the request body is larger than {limit} bytes ({option})",
                        "request_too_large", headers={"Connection": "close"})

    def _busy(self, what: str) -> APIError:
        return APIError(503, f"the server is busy ({what}); retry later", "server_busy",
                        headers={"Retry-After": "1", "Connection": "close"})

    def _timeout(self) -> APIError:
        return APIError(408, f"the request body did not arrive within {self.body_timeout_s:g} s "
                             "(--body-timeout)", "request_timeout",
                        headers={"Connection": "close"})

    # -- the body ----------------------------------------------------------------------------
    def _reserve(self, n: int) -> None:
        if self.inflight_bytes + n > self.max_inflight_bytes:
            raise _Refused(self._busy(f"{self.max_inflight_bytes} bytes of request bodies "
                                      "in flight"))
        self.inflight_bytes += n

    async def _read(self, receive: Receive, announced: int | None, path: str
                    ) -> tuple[bytes, int]:
        """The whole body, by the deadline; returns it and the bytes reserved for it."""
        reserved = 0
        if announced is not None:
            self._reserve(announced)
            reserved = announced
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.body_timeout_s
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Refused(self._timeout())
                try:
                    message = await asyncio.wait_for(receive(), left)
                except TimeoutError:
                    raise _Refused(self._timeout()) from None
                if message["type"] != "http.request":
                    raise _Refused(APIError(400, "the client disconnected", "disconnected"))
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self._limit(path)[0]:
                    raise _Refused(self._too_large(path))
                if announced is None:  # chunked: reserve as it comes
                    self._reserve(len(chunk))
                    reserved += len(chunk)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks), reserved
        except BaseException:
            self.inflight_bytes -= reserved
            raise

    def _release(self, reserved: int) -> None:
        self.inflight_bytes -= reserved
        if reserved >= _TRIM_AFTER_BYTES:
            self._large_since_trim = True
        if self._large_since_trim and self.inflight_bytes == 0:
            self._large_since_trim = False
            # off the event loop: trimming a large heap takes milliseconds
            try:
                asyncio.get_running_loop().run_in_executor(None, _malloc_trim)
            except RuntimeError:  # no running loop (called outside the server)
                _malloc_trim()

    # -- ASGI --------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced: int | None = None
        chunked = False
        for key, value in scope["headers"]:
            if key == b"content-length":
                # h11/httptools never deliver more bytes than Content-Length announces.
                if not value.strip().isdigit():
                    await error_response(APIError(400, "Content-Length is not a number",
                                                  "bad_request",
                                                  headers={"Connection": "close"}))(
                        scope, receive, send)
                    return
                announced = int(value)
            elif key == b"transfer-encoding":
                chunked = True
        if announced is not None and announced > self._limit(scope["path"])[0]:
            await error_response(self._too_large(scope["path"]))(scope, receive, send)
            return
        if self.requests >= self.max_requests:
            await error_response(self._busy(f"{self.max_requests} requests in flight"))(
                scope, receive, send)
            return
        self.requests += 1
        reserved = 0
        try:
            if not chunked and not announced:
                await self.app(scope, receive, send)
                return
            try:
                body, reserved = await self._read(receive, None if chunked else announced,
                                                  scope["path"])
            except _Refused as refused:
                if refused.error.code != "disconnected":
                    await error_response(refused.error)(scope, receive, send)
                return
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
        finally:
            self.requests -= 1
            self._release(reserved)
