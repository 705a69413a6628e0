"""Atomic writes: the target holds the old content or the new, and no temporary file stays."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from embedlab import files
from embedlab.errors import EmbedlabError
from embedlab.files import atomic_file, atomic_write, staged_folder


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_str_and_bytes_payloads_replace_the_content(tmp_path: Path):
    target = tmp_path / "out.json"
    assert atomic_write(target, '{"a": "é"}') == target
    assert target.read_text(encoding="utf-8") == '{"a": "é"}'
    atomic_write(target, b"\x00\x01binary", durable=True)
    assert target.read_bytes() == b"\x00\x01binary"
    assert _names(tmp_path) == ["out.json"]


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path):
    atomic_write(tmp_path / "report.md", "# report\n")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "report.md").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failing_stream_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path,
                                                                error: BaseException):
    target = tmp_path / "v.npy"
    atomic_write(target, b"old")
    with pytest.raises(type(error)):
        with atomic_file(target) as f:
            np.save(f, np.zeros(3))
            raise error
    assert target.read_bytes() == b"old"
    assert _names(tmp_path) == ["v.npy"]


def test_a_text_stream_and_a_durable_one(tmp_path: Path):
    with atomic_file(tmp_path / "a.txt", "w", durable=True) as f:
        f.write("line\n")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "line\n"
    with pytest.raises(ValueError, match="mode"):
        with atomic_file(tmp_path / "b.txt", "a"):
            pass
    assert _names(tmp_path) == ["a.txt"]


def test_a_write_that_cannot_happen_is_one_line_naming_the_path(tmp_path: Path):
    with pytest.raises(EmbedlabError, match="nodir/out.json: cannot write"):
        atomic_write(tmp_path / "nodir" / "out.json", "{}")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "inside").write_text("x")
    with pytest.raises(EmbedlabError, match="cannot write"):
        atomic_write(tmp_path / "folder", "{}")  # a non-empty folder cannot be replaced
    assert _names(tmp_path) == ["folder"]


def test_staged_folder_appears_whole_or_not_at_all(tmp_path: Path):
    with staged_folder(tmp_path / "model") as tmp:
        (tmp / "weights.bin").write_bytes(b"w")
        assert not (tmp_path / "model").exists()
    assert _names(tmp_path / "model") == ["weights.bin"]
    with pytest.raises(KeyboardInterrupt):
        with staged_folder(tmp_path / "other") as tmp:
            (tmp / "half").write_bytes(b"h")
            raise KeyboardInterrupt
    assert _names(tmp_path) == ["model"]


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_files_and_folders_honour_the_umask(tmp_path: Path, mask: int):
    old = os.umask(mask)
    try:
        assert files.current_umask() == mask
        files.atomic_write(tmp_path / "f.txt", "x")
        with files.staged_folder(tmp_path / "staged") as folder:
            (folder / "inner.txt").write_text("y")
        made = files.temp_folder(tmp_path, ".t-")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == 0o666 & ~mask
    assert stat.S_IMODE((tmp_path / "staged").stat().st_mode) == 0o777 & ~mask
    assert stat.S_IMODE(made.stat().st_mode) == 0o777 & ~mask
