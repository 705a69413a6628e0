"""``embedlab train-graph``, then ``encode`` and ``eval`` on its folder, as a user runs them;
bad inputs are one line and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

TINY = ["--dim", "8", "--walks", "3", "--walk-length", "10", "--window", "3", "-q"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedlab", *args], capture_output=True,
                          text=True, timeout=300)


def test_train_encode_and_evaluate(tmp_path: Path):
    edges = tmp_path / "edges.tsv"
    lines = ["source\ttarget\tweight"]
    lines += [f"{a}\t{b}\t1.5" for a, b in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"),
                                             ("d", "e"), ("e", "f"), ("f", "d"), ("a", "a")]]
    edges.write_text("\n".join(lines) + "\n")
    out = tmp_path / "model"
    proc = run("train-graph", "--graph", str(edges), "--out", str(out), "--p", "0.5", "--q",
               "2", "--json", *TINY)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["graph"]["nodes"] == 6 and summary["graph"]["self_loops_dropped"] == 1
    again = tmp_path / "again"
    assert run("train-graph", "--graph", str(edges), "--out", str(again), "--p", "0.5", "--q",
               "2", *TINY).returncode == 0
    assert np.array_equal(np.load(out / "vectors.npy"), np.load(again / "vectors.npy"))
    (tmp_path / "nodes.txt").write_text("a\nf\n")
    proc = run("encode", str(tmp_path / "nodes.txt"), "-m", str(out), "-o",
               str(tmp_path / "v.npy"), "--no-cache", "-q")
    assert proc.returncode == 0, proc.stderr
    assert np.load(tmp_path / "v.npy").shape == (2, 8)
    (tmp_path / "bad.txt").write_text("a\nzz\n")
    proc = run("encode", str(tmp_path / "bad.txt"), "-m", str(out), "-o",
               str(tmp_path / "w.npy"), "--no-cache", "-q")
    assert proc.returncode == 2 and proc.stderr.strip() == (
        "error: node input 1 'zz' is not a node of model")
    (tmp_path / "labels.tsv").write_text("a\tx\nb\tx\nc\tx\nd\ty\ne\ty\nf\ty\n")
    proc = run("eval", "-m", str(out), "-t", f"node-classification:{tmp_path / 'labels.tsv'}",
               "--json", str(tmp_path / "r.json"), "-q")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "r.json").read_text())["results"][0]
    assert result["main_metric"] == "micro_f1@50" and 0 <= result["main_score"] <= 1
    (tmp_path / "labels2.tsv").write_text("a\tx\nb\tx\nd\ty\nghost\ty\n")
    proc = run("eval", "-m", str(out), "-t", f"node-classification:{tmp_path / 'labels2.tsv'}",
               "-q")
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")
    assert "'ghost'" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text,message", [
    ("", "empty graph file"),
    ("a\nb\n", "one column"),
    ("a b 1\nb c x\n", "line 2: weight 'x' is not a number"),
])
def test_bad_graphs_are_one_line(tmp_path: Path, text: str, message: str):
    (tmp_path / "g.txt").write_text(text)
    proc = run("train-graph", "--graph", str(tmp_path / "g.txt"), "--out",
               str(tmp_path / "m"), *TINY)
    assert proc.returncode == 2 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "m").exists()
