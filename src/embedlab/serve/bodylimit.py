"""A request-body size limit that answers 413 in OpenAI's error shape before the body is read.

In: every HTTP request. Out: the request unchanged, or a 413 when its ``Content-Length`` (or,
for a chunked body, the bytes received so far) exceeds the limit. Starlette's own limiter
answers in plain text, which OpenAI clients cannot parse, hence this small ASGI layer.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from embedlab.serve.errors import APIError, error_response


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> APIError:
        return APIError(413, f"the request body is larger than {self.max_bytes} bytes",
                        "request_too_large", headers={"Connection": "close"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            # h11/httptools never deliver more bytes than Content-Length announces.
            if not length.isdigit() or int(length) > self.max_bytes:
                await error_response(self._too_large())(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        # No length (chunked): read the body here, within the limit, then replay it.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await error_response(self._too_large())(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
