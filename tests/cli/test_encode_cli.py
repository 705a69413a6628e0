"""The command line as a user runs it: a real process, its exit code, stdout and stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedlab", *args], input=stdin,
                          capture_output=True, timeout=300)


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_encode_txt_to_npy_with_json_summary(tmp_path: Path, tiny_st_model: Path):
    src = tmp_path / "in.txt"
    src.write_text("the dog runs\na man plays guitar\nthe dog runs\n" + "onion " * 100 + "\n")
    out = tmp_path / "out.npy"
    proc = run("encode", str(src), "-m", str(tiny_st_model), "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout)
    assert summary["count"] == 4 and summary["unique"] == 3 and summary["dim"] == 32
    assert summary["truncated"] == 1 and summary["cache_hits"] == 0
    vecs = np.load(out)
    assert vecs.shape == (4, 32) and vecs.dtype == np.float32
    np.testing.assert_array_equal(vecs[0], vecs[2])
    again = json.loads(run("encode", str(src), "-m", str(tiny_st_model), "-o", str(out),
                           "--json").stdout)
    assert again["cache_hits"] == 3 and again["encoded"] == 0


def test_encode_jsonl_stdin_to_parquet_keeps_ids(tmp_path: Path, tiny_st_model: Path):
    import pyarrow.parquet as pq

    lines = b'{"_id": "a", "body": "red car"}\n{"_id": "b", "body": "blue car"}\n'
    out = tmp_path / "o.parquet"
    proc = run("encode", "-", "-m", str(tiny_st_model), "-o", str(out), "--field", "body",
               "--kind", "query", "--pooling", "cls", "--no-normalize", stdin=lines)
    assert proc.returncode == 0, proc.stderr.decode()
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == ["a", "b"]
    assert len(table.column("vector")[0]) == 32


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["missing.txt"], "file not found"),
        (b"", ["in.txt"], "no texts"),
        (b"ok\n\xff\n", ["in.txt"], "not valid UTF-8"),
        (b"a,b\n1,2\n", ["in.csv", "--field", "text"], "no field 'text'"),
        (b"x\n", ["in.txt", "-m", "no-such-model"], "unknown model"),
        (b"x\n", ["in.txt", "--pooling", "median"], "unknown pooling"),
        (b"x\n", ["in.txt", "--batch-size", "0"], "batch-size"),
        (b"x\n", ["in.txt", "--kind", "passage"], "--kind must be"),
        (b"x\n", ["in.txt", "--long", "fold"], "--long must be"),
        (b"x\n", ["in.txt", "--max-length", "abc"], "max-length"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path: Path, tiny_st_model: Path,
                                                    setup: bytes | None, args: list[str],
                                                    message: str):
    name = args[0]
    if setup is not None:
        (tmp_path / name).write_bytes(setup)
    out = tmp_path / "out.npy"
    rest = args[1:]
    model = [] if "-m" in rest else ["-m", str(tiny_st_model)]
    proc = run("encode", str(tmp_path / name), "-o", str(out), *model, *rest)
    assert message in _one_line_error(proc)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_bad_output_and_option_not_for_model(tmp_path: Path, tiny_glove: Path):
    (tmp_path / "in.txt").write_text("x\n")
    line = _one_line_error(run("encode", str(tmp_path / "in.txt"), "-o",
                               str(tmp_path / "out.csv")))
    assert "unknown output format" in line
    line = _one_line_error(run("encode", str(tmp_path / "in.txt"), "-o",
                               str(tmp_path / "nodir" / "o.npy")))
    assert "does not exist" in line
    line = _one_line_error(run("encode", str(tmp_path / "in.txt"), "-m", str(tiny_glove),
                               "-o", str(tmp_path / "o.npy"), "--max-length", "8"))
    assert "--max-length does not apply" in line


def test_failed_encode_keeps_earlier_output(tmp_path: Path, tiny_st_model: Path):
    (tmp_path / "in.txt").write_text("dog\n")
    out = tmp_path / "out.npy"
    assert run("encode", str(tmp_path / "in.txt"), "-m", str(tiny_st_model), "-o",
               str(out)).returncode == 0
    before = out.read_bytes()
    (tmp_path / "bad.txt").write_bytes(b"\xff\n")
    _one_line_error(run("encode", str(tmp_path / "bad.txt"), "-m", str(tiny_st_model), "-o",
                        str(out)))
    assert out.read_bytes() == before
