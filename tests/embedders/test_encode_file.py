"""A file encoded block by block (issue 15): the same vectors and ids as encoding it whole, and
peak memory that does not grow with the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from embedlab.data.readers import read_texts
from embedlab.data.writers import read_vectors
from embedlab.embedders.streaming import encode_file
from embedlab.registry import load


def test_blocks_give_the_vectors_of_the_whole_file(tmp_path: Path, tiny_glove: Path) -> None:
    path = tmp_path / "t.jsonl"
    rows = [{"id": f"d{i}", "text": f"the dog runs {i % 7} fast"} for i in range(50)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    embedder = load(str(tiny_glove), cache_dir=False)
    whole = embedder.embed(read_texts(path).texts)
    stats = encode_file(embedder, path, tmp_path / "v.parquet", rows=8)
    vectors, ids = read_vectors(tmp_path / "v.parquet")
    np.testing.assert_array_equal(vectors, whole.vectors)
    assert ids == [r["id"] for r in rows]
    # duplicates are found within a block: six blocks of 8 rows hold 7 distinct texts each,
    # the last block of 2 holds 2
    assert stats.count == 50 and stats.encoded == stats.unique == 6 * 7 + 2


_PEAK = """
import resource, sys
from embedlab.cli.main import main
try:
    main(sys.argv[1:])
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
"""


def _peak_kib(texts: Path, out: Path, model: Path) -> int:
    env = {**os.environ, "EMBEDLAB_CACHE_DIR": "off"}
    proc = subprocess.run([sys.executable, "-c", _PEAK, "encode", str(texts), "-o", str(out),
                           "-m", str(model), "-q"], capture_output=True, text=True, timeout=180,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[-1])


def test_peak_memory_does_not_grow_with_the_file(tmp_path: Path, tiny_glove: Path) -> None:
    """200,000 lines (read whole, they took ~350 MB more than 3,000 did) cost what 3,000 do."""
    line = "the dog runs in the park with a man playing guitar {}\n"
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text("".join(line.format(i) for i in range(3_000)), encoding="utf-8")
    with large.open("w", encoding="utf-8") as f:
        for start in range(0, 200_000, 10_000):
            f.write("".join(line.format(i) for i in range(start, start + 10_000)))
    base = _peak_kib(small, tmp_path / "s.npy", tiny_glove)
    peak = _peak_kib(large, tmp_path / "l.npy", tiny_glove)
    assert np.load(tmp_path / "l.npy", mmap_mode="r").shape[0] == 200_000
    assert peak - base < 60 * 1024, (base, peak)
    print(f"peak {peak} KiB, {base} KiB for 3,000 lines")
