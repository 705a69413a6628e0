"""run_drift: two sample files in, one verdict per method and both samples out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedlab.data.writers import write_vectors
from embedlab.errors import EmbedlabError
from embedlab.monitor.compare import run_drift
from embedlab.monitor.drift import METHODS


@pytest.fixture()
def vector_files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    paths = {"ref": tmp_path / "ref.npy", "same": tmp_path / "same.npy",
             "moved": tmp_path / "moved.npy"}
    np.save(paths["ref"], rng.normal(size=(200, 8)).astype(np.float32))
    np.save(paths["same"], rng.normal(size=(200, 8)).astype(np.float32))
    np.save(paths["moved"], (rng.normal(size=(200, 8)) + 0.6).astype(np.float32))
    return paths


def test_vector_files_need_no_model(vector_files: dict[str, Path]):
    run = run_drift(vector_files["ref"], vector_files["moved"], model="no-such-model")
    assert [r.method for r in run.results] == list(METHODS)
    assert run.drift and all(r.drift for r in run.results)
    assert run.reference.shape == (200, 8) and run.current.shape == (200, 8)
    calm = run_drift(vector_files["ref"], vector_files["same"], methods=["mmd", "ks"], seed=3)
    assert [r.method for r in calm.results] == ["mmd", "ks"] and not calm.drift


def test_text_files_are_encoded_with_the_model(tmp_path: Path, tiny_st_model: Path):
    from embedlab.registry import load

    words = "dog cat park music guitar onion food car road red blue".split()
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(words, 5)) for _ in range(60)]
    (tmp_path / "a.txt").write_text("\n".join(lines[:30]) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(lines[30:]) + "\n")
    by_name = run_drift(tmp_path / "a.txt", tmp_path / "b.txt", model=str(tiny_st_model),
                        methods=["mmd"])
    by_object = run_drift(tmp_path / "a.txt", tmp_path / "b.txt",
                          model=load(str(tiny_st_model)), methods=["mmd"])
    assert by_name.reference.shape == (30, 32) and not by_name.drift
    np.testing.assert_allclose(by_name.current, by_object.current, atol=1e-6)


def test_bad_method_fails_before_any_sample_is_read(tmp_path: Path):
    with pytest.raises(EmbedlabError, match="unknown drift method 'psi'"):
        run_drift(tmp_path / "missing.txt", tmp_path / "missing.txt", methods=["mmd", "psi"])


def test_samples_of_different_models_are_refused(tmp_path: Path):
    rng = np.random.default_rng(0)
    write_vectors(tmp_path / "a.parquet", rng.normal(size=(30, 8)), model="X|model-a|8|t")
    write_vectors(tmp_path / "b.parquet", rng.normal(size=(30, 8)), model="X|model-b|8|t")
    with pytest.raises(EmbedlabError, match="different models"):
        run_drift(tmp_path / "a.parquet", tmp_path / "b.parquet")
