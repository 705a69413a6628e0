"""On-disk vector cache: SQLite, one row per (model fingerprint, kind, text).

Keys are SHA-1 digests of the fingerprint and the text, so texts are never stored. Vectors are
stored before L2 normalisation, so one cached entry serves normalised and raw requests alike.
SQLite (standard library) gives atomic, concurrent-safe writes without another dependency.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

_CHUNK = 500  # SQLite's host-parameter limit is 999 on old builds; stay well below it.


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
    """A persistent map from text keys to float32 vectors of one dimension."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "vectors.sqlite"
        self._conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)"
        )
        self._conn.commit()

    def get_many(self, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        """Return the cached vectors of those keys that are present."""
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
        if not rows:
            return
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)

    def close(self) -> None:
        self._conn.close()
