"""The vector cache never fails a run (issue 15): a damaged file is moved aside with a warning
and a new cache started; a cache that cannot be used now is switched off with a warning."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.embedders.cache import VectorCache


class Lengths(BaseEmbedder):
    """A text backend whose vectors are known: (length, 1); counts the texts it encodes."""

    name, dim = "lengths", 2

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.encoded = 0

    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        return texts

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        self.encoded += len(items)
        return np.array([[len(t), 1] for t in items], dtype=np.float32)


def _filled(folder: Path, n: int = 3000) -> list[str]:
    texts = [f"text number {i}" for i in range(n)]
    embedder = Lengths(cache_dir=folder)
    embedder.encode(texts, normalize=False)
    embedder.cache.close()
    return texts


def _damage_garbage(path: Path) -> None:
    path.write_bytes(np.random.default_rng(0).bytes(5000))


def _damage_truncate(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 3)


@pytest.mark.parametrize("damage", [_damage_garbage, _damage_truncate])
def test_a_damaged_cache_is_moved_aside_and_the_run_goes_on(damage, tmp_path: Path,
                                                            caplog) -> None:
    texts = _filled(tmp_path)
    for extra in tmp_path.glob("vectors.sqlite-*"):
        extra.unlink()
    damage(tmp_path / "vectors.sqlite")
    embedder = Lengths(cache_dir=tmp_path)
    with caplog.at_level(logging.WARNING, logger="embedlab.embedders.cache"):
        vectors = embedder.encode(texts, normalize=False)
    np.testing.assert_array_equal(vectors[:, 0], [len(t) for t in texts])
    assert embedder.encoded == len(texts)
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "was damaged" in warnings[0], warnings
    broken = list(tmp_path.glob("vectors.sqlite.broken-*"))
    assert len(broken) == 1 and broken[0].name in warnings[0]
    again = Lengths(cache_dir=tmp_path)  # the new cache works: everything is a hit
    again.encode(texts, normalize=False)
    assert again.encoded == 0


def test_a_cache_that_cannot_be_used_now_is_switched_off(tmp_path: Path, caplog,
                                                          monkeypatch) -> None:
    cache = VectorCache(tmp_path)

    def full(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(VectorCache, "_put_many", full)
    with caplog.at_level(logging.WARNING, logger="embedlab.embedders.cache"):
        cache.put_many([(b"k", np.ones(2, dtype=np.float32))])
        cache.put_many([(b"j", np.ones(2, dtype=np.float32))])
        assert cache.get_many([b"k"], 2) == {}
    assert [r.getMessage() for r in caplog.records] == [
        f"warning: vector cache {cache.path}: cannot use it now (database or disk is full); "
        "going on without it"]
    assert (tmp_path / "vectors.sqlite").exists()  # not damage: the file stays


def test_a_cache_folder_that_cannot_be_made_is_switched_off(tmp_path: Path, caplog) -> None:
    (tmp_path / "file").write_text("in the way")
    embedder = Lengths(cache_dir=tmp_path / "file" / "cache")
    with caplog.at_level(logging.WARNING, logger="embedlab.embedders.cache"):
        vectors = embedder.encode(["a", "bb"], normalize=False)
    np.testing.assert_array_equal(vectors[:, 0], [1, 2])
    assert ["cannot create its folder" in r.getMessage() for r in caplog.records] == [True]
