"""uvicorn's HTTP protocol with a deadline on a request's headers.

In: ``header_timeout_s``. Out: a protocol class for ``uvicorn.Config(http=...)`` that closes
a connection whose request line and headers have not all arrived within that many seconds of
the connection opening or of the request's first byte (a client that connects and sends
nothing, or half a header, then waits). The body's deadline is kept by
:class:`embedlab.serve.admission.AdmissionMiddleware`, and idle keep-alive connections by
uvicorn's ``timeout_keep_alive``.

Why a subclass: uvicorn has no such option, and the headers are parsed before any ASGI layer
sees the request. httptools' parser calls ``on_message_begin`` at a request's first byte and
``on_headers_complete`` at the end of its headers: the deadline is armed at the first and at
``connection_made``, and disarmed at the second.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def timed_protocol(header_timeout_s: float) -> type[HttpToolsProtocol]:
    """An :class:`HttpToolsProtocol` that closes connections slow to send their headers."""

    class TimedHeaders(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout_s, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

    return TimedHeaders
