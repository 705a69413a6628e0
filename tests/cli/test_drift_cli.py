from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from embedlab.data.writers import write_vectors


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedlab", *args], capture_output=True,
                          text=True, timeout=300)


def test_drift_on_vector_files_with_report(tmp_path: Path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "ref.npy", rng.normal(size=(300, 16)).astype(np.float32))
    np.save(tmp_path / "cur.npy", (rng.normal(size=(300, 16)) + 0.5).astype(np.float32))
    proc = run("drift", str(tmp_path / "ref.npy"), str(tmp_path / "cur.npy"), "--json",
               "--out", str(tmp_path / "out"), "--fail-on-drift")
    assert proc.returncode == 1, proc.stderr
    results = json.loads(proc.stdout)["results"]
    assert [r["method"] for r in results] == ["mmd", "classifier", "mean-shift", "ks"]
    assert all(r["drift"] for r in results)
    assert (tmp_path / "out" / "drift.png").stat().st_size > 1000


def test_drift_on_texts_encoded_with_a_model(tmp_path: Path, tiny_st_model: Path):
    words = "dog cat park music guitar onion food car road red blue".split()
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(words, 5)) for _ in range(60)]
    (tmp_path / "a.txt").write_text("\n".join(lines[:30]) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(lines[30:]) + "\n")
    proc = run("drift", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-m",
               str(tiny_st_model), "--method", "mmd", "--method", "ks", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [r["drift"] for r in json.loads(proc.stdout)["results"]] == [False, False]


def test_drift_errors_are_one_line(tmp_path: Path):
    rng = np.random.default_rng(0)
    write_vectors(tmp_path / "a.parquet", rng.normal(size=(30, 8)), model="X|model-a|8|t")
    write_vectors(tmp_path / "b.parquet", rng.normal(size=(30, 8)), model="X|model-b|8|t")
    np.save(tmp_path / "c.npy", rng.normal(size=(30, 4)).astype(np.float32))
    np.save(tmp_path / "d.npy", rng.normal(size=(5, 8)).astype(np.float32))
    for args, message in [
        (["a.parquet", "b.parquet"], "different models (model-a vs model-b)"),
        (["a.parquet", "c.npy"], "different dimensions"),
        (["a.parquet", "d.npy"], "at least 20"),
        (["a.parquet", "a.parquet", "--method", "psi"], "unknown drift method"),
    ]:
        proc = run("drift", *[str(tmp_path / a) if "." in a else a for a in args])
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().count("\n") == 0 and message in proc.stderr
