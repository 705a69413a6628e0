"""An in-memory LRU cache of ``(kind, text) -> (vector, tokens)`` for the server.

In: vectors the encoder just produced (full dimension, L2-normalised, float32) with the token
count of their text. Out: the same for a repeated text, without encoding it again. Bounded by
entries, so memory stays flat however long the server runs. Used from the event loop only, so
it needs no lock. ``functools.lru_cache`` memoises a function, but here the values come back
in batches from another thread, so a plain ``OrderedDict`` is the simplest correct tool.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

Key = tuple[str, str]


class VectorLRU:
    """At most ``capacity`` entries; the least recently used one goes first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._data: OrderedDict[Key, tuple[np.ndarray, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, kind: str, text: str) -> tuple[np.ndarray, int] | None:
        """The cached (vector, tokens) of a text, or None; a hit becomes most recent."""
        if not self.capacity:
            return None
        key = (kind, text)
        found = self._data.get(key)
        if found is not None:
            self._data.move_to_end(key)
        return found

    def put(self, kind: str, text: str, vector: np.ndarray, tokens: int) -> None:
        if not self.capacity:
            return
        key = (kind, text)
        self._data[key] = (vector, tokens)
        self._data.move_to_end(key)
        while len(self._data) > self.capacity:
            self._data.popitem(last=False)
