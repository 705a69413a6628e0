"""An index's folders and files get the modes the umask gives (issue 15): a service user can read
an index another user built with a shared umask, and a private umask keeps it private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from embedlab.search.index import Index


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_generations_honour_the_umask(tmp_path: Path, corpus_file: Path, embedder,
                                      mask: int) -> None:
    old = os.umask(mask)
    try:
        Index.build(tmp_path / "idx", corpus_file, embedder).close()
    finally:
        os.umask(old)
    generation = next((tmp_path / "idx").glob("gen-*"))
    for path in [generation, *generation.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o777 if path.is_dir() else 0o666) & ~mask, path
