"""The server's knobs in one frozen value, checked once when the server is built.

In: the ``embedlab serve`` options (or keywords in tests). Out: a :class:`ServeSettings` that
:func:`embedlab.serve.app.create_app` reads; a bad combination is an :class:`EmbedlabError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from embedlab.errors import EmbedlabError
from embedlab.serve.schemas import MAX_CHARS, MAX_ITEMS

#: the environment variable holding API keys (comma-separated), besides ``--api-key``
API_KEY_ENV = "EMBEDLAB_API_KEY"


@dataclass(frozen=True)
class ServeSettings:
    """Limits, batching and auth of one server (see ``embedlab serve --help``)."""

    #: texts per encode batch are grouped until their tokens reach this budget
    max_batch_tokens: int = 4096
    #: how long the first text of a batch may wait for others to join it
    max_wait_ms: float = 20.0
    #: a batch starts when no request arrived for this long (or at max_wait_ms)
    quiet_ms: float = 2.0
    #: texts waiting to be encoded; above it requests are answered 429
    max_queue: int = 4096
    #: texts in one request (OpenAI's limit is 2048)
    max_items: int = 2048
    #: characters in one text
    max_chars: int = 50_000
    #: request body size in bytes (checked from Content-Length before the body is read)
    max_body_bytes: int = 16 * 1024 * 1024
    #: the same for ``POST /v1/search`` (a query and a filter, parsed on the event loop)
    max_search_bytes: int = 64 * 1024
    #: texts over the model window: True truncates them, False answers 400
    truncate: bool = True
    #: texts in the in-memory LRU vector cache; 0 turns it off
    cache_size: int = 10_000
    #: batches encoded at once: worker processes, or encode threads with ``--threads``
    #: (0: the default count of processes; for threads, the model's ``embedder.workers``)
    workers: int = 0
    #: batches cut while the encoder is busy, ready for the first process or thread free
    batches_ahead: int = 1
    #: encode each batch as packed, padding-free passes where the model allows it
    pack: bool = True
    #: texts in one forward pass at most (without packing)
    encode_batch_size: int = 64
    #: the fixed cost of one forward pass, in tokens: a batch is cut into passes where the
    #: padding saved outweighs it (see :mod:`embedlab.serve.passes`)
    pass_overhead_tokens: int = 32
    #: accepted bearer tokens; empty means no auth
    api_keys: tuple[str, ...] = ()
    #: extra names the served model answers to (besides ``embedder.name``)
    model_aliases: tuple[str, ...] = ()
    #: seconds a shutdown waits for queued texts to be encoded
    drain_timeout_s: float = 30.0
    #: search results per query at most
    max_k: int = 100
    #: threads that run searches (apart from the embeddings' batches), and searches admitted
    #: at once (running or waiting for a thread; beyond it 429)
    search_threads: int = 1
    max_searches: int = 64
    #: requests handled at once; beyond it 503 at once, the body unread
    max_requests: int = 512
    #: bytes of request bodies held at once; a body that would pass it is answered 503
    max_inflight_bytes: int = 64 * 1024 * 1024
    #: seconds a client has to send its request line and headers, and then its body
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    #: Host header names answered (``*``: any; ``*.example.com``: its sub-domains)
    allowed_hosts: tuple[str, ...] = ("*",)
    #: with API keys, leave ``/metrics`` open (``/docs`` and ``/openapi.json`` stay closed)
    public_metrics: bool = False

    def __post_init__(self) -> None:
        positive = {
            "max_batch_tokens": self.max_batch_tokens, "max_queue": self.max_queue,
            "max_items": self.max_items, "max_chars": self.max_chars,
            "max_body_bytes": self.max_body_bytes, "encode_batch_size": self.encode_batch_size,
            "max_k": self.max_k, "pass_overhead_tokens": self.pass_overhead_tokens,
            "search_threads": self.search_threads, "max_searches": self.max_searches,
            "max_requests": self.max_requests, "max_inflight_bytes": self.max_inflight_bytes,
            "max_search_bytes": self.max_search_bytes,
        }
        for name, value in positive.items():
            if value < 1:
                raise EmbedlabError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        for name, ceiling in (("max_items", MAX_ITEMS), ("max_chars", MAX_CHARS)):
            if getattr(self, name) > ceiling:
                raise EmbedlabError(f"--{name.replace('_', '-')} can be at most {ceiling}, "
                                    f"got {getattr(self, name)}")
        if self.max_inflight_bytes < self.max_body_bytes:
            raise EmbedlabError(f"--max-inflight-bytes ({self.max_inflight_bytes}) cannot be "
                                f"less than --max-body-bytes ({self.max_body_bytes}): a "
                                "largest body could never be admitted")
        for name in ("header_timeout_s", "body_timeout_s"):
            if not getattr(self, name) > 0:
                raise EmbedlabError(f"--{name[:-2].replace('_', '-')} must be more than 0 "
                                    f"seconds, got {getattr(self, name)}")
        if not self.allowed_hosts:
            raise EmbedlabError("--allowed-hosts needs at least one name (or '*' for any)")
        if self.max_wait_ms < 0:
            raise EmbedlabError(f"--max-wait-ms must be 0 or more, got {self.max_wait_ms}")
        if self.quiet_ms < 0:
            raise EmbedlabError(f"--quiet-ms must be 0 or more, got {self.quiet_ms}")
        if self.batches_ahead < 0:
            raise EmbedlabError(f"--batches-ahead must be 0 or more, got {self.batches_ahead}")
        if self.workers < 0:
            raise EmbedlabError(f"--workers must be 0 or more, got {self.workers}")
        if self.cache_size < 0:
            raise EmbedlabError(f"--cache-size must be 0 or more, got {self.cache_size}")
        if self.max_items > self.max_queue:
            raise EmbedlabError(f"--max-items ({self.max_items}) cannot exceed --max-queue "
                                f"({self.max_queue}): such a request could never be queued")
        if any(not k for k in self.api_keys):
            raise EmbedlabError("an API key cannot be empty")


def default_hosts(host: str) -> tuple[str, ...]:
    """The Host names a server bound to ``host`` answers by default.

    Loopback: its names (so DNS rebinding cannot reach it); a wildcard address (``0.0.0.0``,
    ``::``, ``""``): any, since the names clients use are not known; else ``host`` itself.
    """
    name = host.strip().lower().strip("[]")
    if name in ("", "0.0.0.0", "::"):
        return ("*",)
    if name in ("localhost", "::1") or name.startswith("127."):
        return tuple(dict.fromkeys(("localhost", "127.0.0.1", "::1", name)))
    return (name,)


def hosts_from(given: list[str] | None, host: str) -> tuple[str, ...]:
    """``--allowed-hosts`` values (repeatable or comma-separated), else :func:`default_hosts`."""
    names = [n.strip() for item in (given or []) for n in item.split(",") if n.strip()]
    return tuple(dict.fromkeys(names)) if names else default_hosts(host)


def api_keys_from(given: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """The keys from ``--api-key`` options plus those in ``EMBEDLAB_API_KEY`` (comma-separated)."""
    keys = [k.strip() for k in (given or []) if k.strip()]
    env = os.environ.get(API_KEY_ENV, "")
    keys += [k.strip() for k in env.split(",") if k.strip()]
    return tuple(dict.fromkeys(keys))
