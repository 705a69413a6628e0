"""Vector files written block by block are the files ``write_vectors`` writes whole, and a
failure leaves nothing (issue 15)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedlab.data.writers import VectorWriter, read_vector_model, read_vectors, write_vectors
from embedlab.errors import EmbedlabError


@pytest.mark.parametrize("suffix", [".npy", ".parquet"])
@pytest.mark.parametrize("rows", [1, 10, 37])
def test_blocks_make_the_same_file(tmp_path: Path, suffix: str, rows: int) -> None:
    vectors = np.random.default_rng(rows).normal(size=(rows, 7)).astype(np.float32)
    ids = [f"id{i}" for i in range(rows)]
    whole = write_vectors(tmp_path / f"whole{suffix}", vectors, ids, model="m|1")
    with VectorWriter(tmp_path / f"blocks{suffix}", 7, model="m|1") as writer:
        for start in range(0, rows, 10):
            writer.append(vectors[start:start + 10], ids[start:start + 10])
    assert writer.rows == rows
    got, got_ids = read_vectors(tmp_path / f"blocks{suffix}")
    want, want_ids = read_vectors(whole)
    np.testing.assert_array_equal(got, want)
    assert got.shape == (rows, 7) and got_ids == want_ids
    assert read_vector_model(tmp_path / f"blocks{suffix}") == read_vector_model(whole)
    if suffix == ".npy":
        assert np.load(tmp_path / "blocks.npy", mmap_mode="r").shape == (rows, 7)


@pytest.mark.parametrize("suffix", [".npy", ".parquet"])
def test_a_failure_midway_leaves_no_file_and_keeps_an_old_one(tmp_path: Path,
                                                              suffix: str) -> None:
    target = tmp_path / f"v{suffix}"
    write_vectors(target, np.ones((2, 3), dtype=np.float32))
    with pytest.raises(RuntimeError, match="reader failed"):
        with VectorWriter(target, 3) as writer:
            writer.append(np.zeros((4, 3), dtype=np.float32), ["a", "b", "c", "d"])
            raise RuntimeError("reader failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    np.testing.assert_array_equal(read_vectors(target)[0], np.ones((2, 3)))
    with pytest.raises(EmbedlabError, match="internal error"):
        with VectorWriter(target, 3) as writer:
            writer.append(np.zeros((4, 5), dtype=np.float32), ["a"] * 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
