"""``embedlab mine`` as a user runs it: triplets written as JSON lines, errors in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

WORDS = "dog cat park music guitar onion food car road red blue fast slow man woman".split()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedlab", *args], capture_output=True,
                          text=True, timeout=300)


def test_mine_writes_triplets_and_refuses_other_outputs(tmp_path: Path, tiny_st_model: Path):
    rng = np.random.default_rng(0)
    lines = []
    for _ in range(30):
        a = " ".join(rng.choice(WORDS, 3))
        lines.append(f"{a}\t{a} {rng.choice(WORDS)}")
    (tmp_path / "pairs.tsv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "triplets.jsonl"
    proc = run("mine", "--train", str(tmp_path / "pairs.tsv"), "-o", str(out), "-m",
               str(tiny_st_model), "--rank-window", "1-20", "--margin", "0")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and set(rows[0]) == {"anchor", "positive", "negative_1"}
    assert f"wrote {len(rows)} triplets to {out};" in "".join(proc.stderr.split("\n"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.tsv", "triplets.jsonl"]
    proc = run("mine", "--train", str(tmp_path / "pairs.tsv"), "-o", str(tmp_path / "t.txt"))
    assert proc.returncode == 2 and proc.stderr.strip() == (
        f"error: {tmp_path / 't.txt'}: mined triplets are written as .jsonl")
