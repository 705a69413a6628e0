"""Atomic writes: every file and folder embedlab writes appears whole or not at all.

In: a target path and its content (:func:`atomic_write`), a block that streams into an open
file (:func:`atomic_file`: ``np.save``, ``pq.write_table``, ``savefig``) or fills a folder
(:func:`staged_folder`). Out: the target, replaced in one ``os.replace`` once the content is
complete. The content goes to a temporary file beside the target (the same file system, so the
rename is atomic), which is removed on any failure, an interrupt included: an earlier file of
the same name is never clobbered by a partial one. ``durable=True`` also fsyncs the file before
the rename and its folder after it, so the new content survives a power cut (index pointers).

Files and folders get the modes a plain ``open`` / ``mkdir`` would give under the process's
umask (:func:`temp_folder`: ``tempfile.mkdtemp`` alone makes a folder private, so a service
user could not read an index another user built).

An ``OSError`` of the write itself (a missing folder, a full disk, no permission) becomes an
:class:`EmbedlabError` naming the path, also when the caller's block raises it (a full disk
or a file-size limit, :data:`WRITE_ERRNOS`); any other exception raised inside a caller's
block passes through unchanged.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from embedlab.errors import EmbedlabError


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: errors of a write that ran out of room or was refused by the file system: raised inside a
#: caller's block they are still about the target, not about the caller's own inputs
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO})


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (``os.umask`` sets it,
    and another thread creating a file meanwhile would get the wrong mode)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temp_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder in ``parent`` with the mode ``mkdir`` gives (0777 less the umask)."""
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
    os.chmod(tmp, 0o777 & ~current_umask())
    return tmp


def _create_temp(path: Path, folder: Path) -> tuple[int, Path]:
    """A new file beside ``path``, opened for writing, with the mode a plain ``open`` would give
    (``tempfile.mkstemp`` makes it private, which a report or vector file should not be)."""
    while True:
        tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot_write(path, exc) from None


def _cannot_write(path: Path, exc: OSError) -> EmbedlabError:
    return EmbedlabError(f"{path}: cannot write: {exc}")


def _close_quietly(f: IO[Any]) -> None:
    """Close a file whose content is thrown away (flushing it may fail again: a full disk)."""
    try:
        f.close()
    except OSError:
        pass


@contextmanager
def atomic_file(path: str | Path, mode: str = "wb", *, durable: bool = False,
                encoding: str | None = None) -> Iterator[IO[Any]]:
    """An open temporary file beside ``path`` that replaces ``path`` when the block succeeds.

    ``mode``: ``"wb"`` or ``"w"`` (text, UTF-8 unless ``encoding`` says otherwise).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_file writes with mode 'w' or 'wb', not {mode!r}")
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = _create_temp(path, folder)
    try:
        text = mode == "w"
        f = os.fdopen(fd, mode, encoding=(encoding or "utf-8") if text else None)
        try:
            yield f
        except OSError as exc:
            _close_quietly(f)
            if exc.errno in WRITE_ERRNOS:
                raise _cannot_write(path, exc) from None
            raise
        except BaseException:
            _close_quietly(f)
            raise
        try:
            f.flush()
            if durable:
                os.fsync(f.fileno())
            f.close()
        except OSError as exc:
            _close_quietly(f)
            raise _cannot_write(path, exc) from None
        try:
            os.replace(tmp, path)
            if durable:
                fsync_path(folder)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, data: str | bytes, *, durable: bool = False) -> Path:
    """Replace ``path`` with ``data`` (``str`` is written as UTF-8) in one step; ``path``."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_file(path, "wb", durable=durable) as f:
        try:
            f.write(payload)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    return path


@contextmanager
def staged_folder(out: str | Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` that becomes ``out`` in one rename when the block ends
    without an error (and is removed when it fails): ``out`` is never half-written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_folder(out.parent, f".{out.name}-")
    try:
        yield tmp
        if out.exists():
            out.rmdir()  # only an empty folder may be replaced; callers check before work
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
