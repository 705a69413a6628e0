"""Hostile input through the real entry point (issue 15): exit 2 and one line, never a traceback.

``main`` runs in this process (a subprocess per case would cost seconds of imports each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedlab.cli.main import main

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The exit code and stderr of ``embedlab ARGS``."""
    code, _, err = cli_io(capsys, *args)
    return code, err


def cli_io(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of ``embedlab ARGS``."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, err = cli(capsys, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
    return lines[0]


@pytest.mark.parametrize(("name", "expected"), [
    ("lone_surrogate.jsonl", "row 2 is not valid Unicode"),
    ("surrogate_list.json", "row 3 is not valid Unicode"),
    ("null_id.jsonl", "row 2 has no id in field 'id'"),
    ("missing_id.jsonl", "row 2 has no id in field 'id'"),
])
def test_encode_build_and_add_refuse_bad_rows(name: str, expected: str, tmp_path: Path,
                                              tiny_glove: Path, capsys) -> None:
    model = str(tiny_glove)
    assert expected in one_line_error(capsys, "encode", str(FUZZ / name), "-m", model,
                                      "-o", str(tmp_path / "v.npy"), "-q")
    assert not (tmp_path / "v.npy").exists()
    idx = str(tmp_path / "idx")
    assert expected in one_line_error(capsys, "index", "build", str(FUZZ / name), "-m", model,
                                      "-o", idx, "-q")
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "z", "text": "the dog runs"}\n', encoding="utf-8")
    assert cli(capsys, "index", "build", str(good), "-m", model, "-o", idx, "-q")[0] == 0
    assert expected in one_line_error(capsys, "index", "add", idx, str(FUZZ / name), "-q")


_FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
from embedlab.cli.main import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("command", ["npy", "parquet", "index"])
def test_a_full_disk_is_one_line_and_leaves_nothing(command: str, tmp_path: Path,
                                                    tiny_glove: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE) fails writes as a full disk does, in a child process."""
    import os
    import subprocess
    import sys

    texts = tmp_path / "t.txt"
    texts.write_text("".join(f"the dog runs {i}\n" for i in range(3000)), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("idx" if command == "index" else f"v.{command}")
    args = (["index", "build", str(texts), "-o", str(target)] if command == "index"
            else ["encode", str(texts), "-o", str(target)])
    env = {**os.environ, "EMBEDLAB_CACHE_DIR": "off"}
    proc = subprocess.run([sys.executable, "-c", _FULL_DISK, *args, "-m", str(tiny_glove), "-q"],
                          capture_output=True, text=True, timeout=120, env=env)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert "cannot write" in lines[0] and str(target) in lines[0]
    leftovers = [p.name for p in out.rglob("*") if p.name != ".lock"]
    assert leftovers == [], leftovers


def test_ctrl_c_says_so_keeps_finished_batches_and_a_rerun_resumes(tmp_path: Path,
                                                                  tiny_glove: Path, capsys,
                                                                  monkeypatch) -> None:
    import json

    import numpy as np

    from embedlab.registry import load

    texts = tmp_path / "t.txt"
    texts.write_text("".join(f"the dog runs {i}\n" for i in range(100)), encoding="utf-8")
    out = tmp_path / "v.npy"
    args = ("encode", str(texts), "-m", str(tiny_glove), "-o", str(out), "--batch-size", "10",
            "-q")
    backend = type(load(str(tiny_glove), cache_dir=False))
    real = backend._embed_items
    calls = []

    def interrupted_at_third_batch(self, items, kind):  # noqa: ANN001, ANN202
        calls.append(len(items))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, items, kind)

    monkeypatch.setattr(backend, "_embed_items", interrupted_at_third_batch)
    code, err = cli(capsys, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 130 and lines == [
        "error: interrupted; the vectors encoded so far are in the vector cache: run the same "
        "command again to resume"], err
    assert not out.exists()
    monkeypatch.setattr(backend, "_embed_items", real)
    code, stdout, _ = cli_io(capsys, *args, "--json")
    summary = json.loads(stdout)
    assert code == 0 and summary["cache_hits"] == 20 and summary["encoded"] == 80
    resumed = np.load(out)
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", "off")
    assert cli(capsys, *args)[0] == 0
    np.testing.assert_allclose(resumed, np.load(out), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["catalog.sqlite", "vectors.npy", "deleted.npy",
                                  "bm25/rows.npy", "manifest.json"])
def test_search_info_and_verify_on_a_damaged_index(name: str, tmp_path: Path, tiny_glove: Path,
                                                   capsys) -> None:
    docs = tmp_path / "d.jsonl"
    docs.write_text("".join(f'{{"id": "{i}", "text": "the dog runs {i}"}}\n'
                            for i in range(50)), encoding="utf-8")
    idx = str(tmp_path / "idx")
    assert cli(capsys, "index", "build", str(docs), "-m", str(tiny_glove), "-o", idx, "-q")[0] == 0
    code, err = cli(capsys, "index", "verify", idx)
    assert code == 0 and "all 12 files are sound" in err, err
    generation = next((tmp_path / "idx").glob("gen-*"))
    path = generation / name
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)
    for args in (("search", idx, "dog"), ("index", "info", idx)):
        line = one_line_error(capsys, *args)
        assert line.startswith(f"error: {path}: damaged ("), line
    code, stdout, err = cli_io(capsys, "index", "verify", idx)
    assert code == 1 and f"DAMAGED {generation.name}/{name}: " in stdout
    assert "files damaged; rebuild the index" in err
