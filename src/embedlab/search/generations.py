"""The index folder on disk: generations, an atomic pointer, and a writer lock.

Layout of an index folder::

    CURRENT              {"generation": "gen-000003"}  (the one file that changes in place)
    gen-000003/          manifest.json, catalog.sqlite, bm25/, the vector store's files
    gen-000002/          the previous generation, kept for readers that opened it
    .lock                writers hold an exclusive flock on it
    .tmp-*/              a generation being written (removed if its writer died)

A write builds a complete new generation in a ``.tmp-*`` folder, fsyncs its files, renames it
to ``gen-N`` and then replaces ``CURRENT`` with ``os.replace`` (atomic on POSIX), fsyncing the
folder after each step. A crash or ``kill -9`` at any moment leaves ``CURRENT`` naming either
the old generation or the new one, both complete. Readers read ``CURRENT`` once and open that
generation's files, so a writer never changes what they are reading; older generations are
removed only by a later writer, and a reader that finds its generation gone reads ``CURRENT``
again. Written here (not taken from a library) because it is a few dozen lines of POSIX calls
that must be exactly these.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from embedlab.errors import EmbedlabError
from embedlab.files import atomic_write, fsync_path, temp_folder
from embedlab.search.damage import reading

POINTER = "CURRENT"
MANIFEST = "manifest.json"
LOCK = ".lock"
KEEP = 2  # generations kept: the current one and the one before it
_GEN = re.compile(r"^gen-(\d{6,})$")


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder``, then the folders themselves."""
    for root, _dirs, files in os.walk(folder, topdown=False):
        for name in files:
            fsync_path(Path(root) / name)
        fsync_path(Path(root))


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON to ``path`` so that readers see the old content or the new, never a mix."""
    atomic_write(path, json.dumps(data, indent=2), durable=True)


class IndexFolder:
    """One index folder: find its current generation, and write new ones under a lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return (self.path / POINTER).is_file()

    def current(self) -> str:
        """The name of the current generation; a one-line error where there is no index."""
        pointer = self.path / POINTER
        try:
            data = json.loads(pointer.read_text(encoding="utf-8"))
            return str(data["generation"])
        except FileNotFoundError:
            if not self.path.exists():
                raise EmbedlabError(f"{self.path}: no such index (build one with "
                                    "`embedlab index build`)") from None
            raise EmbedlabError(f"{self.path}: not an embedlab index (no {POINTER} file)"
                                ) from None
        except (ValueError, KeyError, TypeError):
            raise EmbedlabError(f"{pointer}: unreadable; the index folder was altered by hand"
                                ) from None

    def manifest(self, generation: str) -> dict[str, Any]:
        """The manifest of one generation (``FileNotFoundError`` if it was removed; a
        :class:`~embedlab.search.damage.DamagedFile` if it cannot be read)."""
        path = self.path / generation / MANIFEST
        with reading(path):
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError(f"expected a JSON object, found {type(data).__name__}")
            return data

    def generations(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if _GEN.match(p.name))

    @contextlib.contextmanager
    def lock(self, timeout: float = 60.0) -> Iterator[None]:
        """Hold the writer lock (released by the kernel if the process dies)."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise EmbedlabError(f"{self.path}: another process is writing to this "
                                            "index; try again when it has finished") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def new_generation_dir(self) -> Path:
        """An empty folder for the next generation (call with the lock held)."""
        return temp_folder(self.path, ".tmp-")

    def commit(self, tmp: Path, manifest: dict[str, Any]) -> str:
        """Publish ``tmp`` as the next generation (call with the lock held); its name."""
        numbers = [int(_GEN.match(g).group(1)) for g in self.generations()]  # type: ignore
        name = f"gen-{max(numbers, default=0) + 1:06d}"
        manifest = {**manifest, "generation": name}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        fsync_tree(tmp)
        os.rename(tmp, self.path / name)
        fsync_path(self.path)
        write_json_atomic(self.path / POINTER, {"generation": name})
        return name

    def collect_garbage(self) -> None:
        """Remove unfinished and old generations (call with the lock held)."""
        try:
            current = self.current()
        except EmbedlabError:
            current = None
        gens = self.generations()
        keep: set[str] = set()
        if current in gens:
            at = gens.index(current)
            keep = set(gens[max(at - KEEP + 1, 0): at + 1])
        for g in gens:
            # Generations after the current one were renamed by a writer that died before it
            # switched CURRENT: nobody has read them.
            if g not in keep:
                shutil.rmtree(self.path / g, ignore_errors=True)
        for p in self.path.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)
