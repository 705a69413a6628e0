"""On-disk vector cache: SQLite, one row per (model fingerprint, kind, text).

Keys are SHA-1 digests of the fingerprint and the text, so texts are never stored. Vectors are
stored before L2 normalisation, so one cached entry serves normalised and raw requests alike.
SQLite (standard library) gives atomic, concurrent-safe writes without another dependency.

A cache is a speed-up, never a reason to fail: a damaged file (not a database, a malformed
image) is moved aside as ``vectors.sqlite.broken-<time>`` with a warning and a new one is
started; a cache that cannot be written now (a full disk, a lock held too long) is left alone
and the run goes on without it, with a warning.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

_CHUNK = 500  # SQLite's host-parameter limit is 999 on old builds; stay well below it.
log = logging.getLogger(__name__)
T = TypeVar("T")


def default_cache_dir() -> Path | None:
    """The cache folder from ``EMBEDLAB_CACHE_DIR`` (``0``/``off`` disables) or ``~/.cache``."""
    env = os.environ.get("EMBEDLAB_CACHE_DIR")
    if env is not None and env.strip().lower() in {"", "0", "off", "none", "false"}:
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "embedlab"


def item_key(fingerprint: str, item: bytes) -> bytes:
    """The cache key of one input (a text's UTF-8 bytes, or another modality's identity)."""
    h = hashlib.sha1(fingerprint.encode("utf-8"))
    h.update(b"\x00")
    h.update(item)
    return h.digest()


class VectorCache:
    """A persistent map from text keys to float32 vectors of one dimension (see the module
    docstring for what happens when the file is damaged)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.path = self.directory / "vectors.sqlite"
        self._conn: sqlite3.Connection | None = None
        self._off = False
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file in its place, no permission
            self._disable(f"cannot create its folder ({exc.strerror or exc}); going on "
                          "without it")
            return
        self._guarded(lambda: None, None)

    def _connect(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)"
            )
            conn.commit()
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _guarded(self, action: Callable[[], T], default: T) -> T:
        """``action()``, on a connection opened if needed. A damaged file is moved aside and
        ``action`` retried once on a new one; a cache that cannot be used now is switched off
        for this object. ``default`` where the cache could not answer."""
        for attempt in range(2):
            if self._off:
                return default
            try:
                if self._conn is None:
                    self._connect()
                return action()
            except sqlite3.OperationalError as exc:  # locked, full disk, read-only: no damage
                self._disable(f"cannot use it now ({exc}); going on without it")
            except sqlite3.DatabaseError as exc:  # not a database, a malformed image
                if attempt:
                    self._disable(f"still failing after a new start ({exc})")
                else:
                    self._move_aside(exc)
        return default

    def _disable(self, why: str) -> None:
        log.warning("warning: vector cache %s: %s", self.path, why)
        self.close()
        self._off = True

    def _move_aside(self, exc: Exception) -> None:
        self.close()
        broken = self.path.with_name(f"{self.path.name}.broken-{time.strftime('%Y%m%dT%H%M%S')}")
        try:
            os.replace(self.path, broken)
        except OSError as err:
            self._disable(f"damaged ({exc}) and cannot be moved aside ({err}); going on "
                          "without it")
            return
        for suffix in ("-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        log.warning("warning: vector cache %s was damaged (%s); moved it to %s and started a "
                    "new one", self.path, exc, broken.name)

    def get_many(self, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        """Return the cached vectors of those keys that are present."""
        return self._guarded(lambda: self._get_many(keys, dim), {})

    def _get_many(self, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        assert self._conn is not None
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), _CHUNK):
            part = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({marks})", list(part)
            ).fetchall()
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape[0] == dim:
                    found[bytes(key)] = vec
        return found

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        """Store vectors; an existing key is overwritten."""
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items]
        if rows:
            self._guarded(lambda: self._put_many(rows), None)

    def _put_many(self, rows: list[tuple[bytes, bytes]]) -> None:
        assert self._conn is not None
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except sqlite3.Error:
                pass


class CacheWriter:
    """Vectors of one encode call stored as their batches complete, so that an interrupted run
    keeps its work: buffered, written at most every ``every`` seconds (one SQLite commit per
    tiny batch would slow fast models down) and on :meth:`flush`, which the encode path calls
    in a ``finally`` (Ctrl-C included)."""

    def __init__(self, cache: VectorCache, keys: Sequence[bytes], every: float = 1.0) -> None:
        self.cache = cache
        self.keys = keys
        self.every = every
        self._pending: list[tuple[bytes, np.ndarray]] = []
        self._last = time.monotonic()

    def add(self, positions: Sequence[int], vectors: np.ndarray) -> None:
        """Item ``positions[i]`` (an index into ``keys``) has the vector ``vectors[i]``."""
        self._pending.extend((self.keys[p], v) for p, v in zip(positions, vectors, strict=True))
        if time.monotonic() - self._last >= self.every:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        self.cache.put_many(pending)
        self._last = time.monotonic()
