"""``embedlab encode`` with an image model, as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedlab", *args], capture_output=True,
                          text=True, timeout=300)


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


def test_encode_folder_to_parquet_with_ids(tmp_path: Path, tiny_image_model: Path,
                                           image_classes: Path):
    out = tmp_path / "vecs.parquet"
    proc = run("encode", str(image_classes / "test"), "-m", str(tiny_image_model), "-o",
               str(out), "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["count"] == 9 and summary["dim"] == 1280 and summary["skipped"] == 0
    table = pq.read_table(out)
    assert table.num_rows == 9 and table.column("id").to_pylist()[0] == "blue/blue0.jpg"


def test_bad_file_fails_whole_or_is_skipped(tmp_path: Path, tiny_image_model: Path,
                                            image_classes: Path, bad_images: dict[str, Path]):
    photos = tmp_path / "photos"
    shutil.copytree(image_classes / "test", photos)
    shutil.copy(bad_images["text"], photos / "red" / "notes.jpg")
    shutil.copy(bad_images["bomb"], photos / "huge.png")
    out = tmp_path / "vecs.npy"
    line = _one_line_error(run("encode", str(photos), "-m", str(tiny_image_model), "-o",
                               str(out), "-q"))
    assert "huge.png" in line and "decompression-bomb" in line
    assert not out.exists()
    proc = run("encode", str(photos), "-m", str(tiny_image_model), "-o", str(out), "-q",
               "--skip-bad")
    assert proc.returncode == 0, proc.stderr
    assert "2 unreadable files skipped" in proc.stderr and "red/notes.jpg" in proc.stderr
    assert out.exists()


def test_empty_folder_and_text_only_options(tmp_path: Path, tiny_image_model: Path,
                                            tiny_glove: Path):
    (tmp_path / "empty").mkdir()
    line = _one_line_error(run("encode", str(tmp_path / "empty"), "-m", str(tiny_image_model),
                               "-o", str(tmp_path / "v.npy")))
    assert "no image files" in line
    (tmp_path / "t.txt").write_text("dog\n")
    line = _one_line_error(run("encode", str(tmp_path / "t.txt"), "-m", str(tiny_glove), "-o",
                               str(tmp_path / "v.npy"), "--skip-bad"))
    assert "image models only" in line
