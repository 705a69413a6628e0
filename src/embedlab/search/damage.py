"""A damaged index file is one line naming the file, never a traceback.

In: the path of a file of an index generation and the block that reads it. Out: the block's
result, or an :class:`EmbedlabError` ``"<file>: damaged (<reason>); ..."`` for the errors a
truncated or overwritten file raises in SQLite, numpy, JSON, faiss or bm25s. A missing file
(``FileNotFoundError``) passes through: the reader tells a generation a writer just removed
from one that is gone for good. :func:`sqlite_truncated` finds a cut catalog from its header
alone (SQLite itself notices only when a query reaches a missing page).
"""

from __future__ import annotations

import json
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from embedlab.errors import EmbedlabError

#: what reading a damaged file raises: SQLite, numpy (ValueError, EOFError), JSON (ValueError),
#: faiss (RuntimeError), pickled or cut binary data (struct.error, KeyError, IndexError)
DAMAGE = (sqlite3.DatabaseError, ValueError, EOFError, RuntimeError, OSError, KeyError,
          IndexError, TypeError, struct.error, json.JSONDecodeError)
ADVICE = "run `embedlab index verify` on the index and rebuild it"


class DamagedFile(EmbedlabError):
    """A file of an index that cannot be read; ``path`` names it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: damaged ({reason}); {ADVICE}")
        self.path = path
        self.reason = reason


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn the errors of reading a damaged ``path`` into :class:`DamagedFile`."""
    try:
        yield
    except (FileNotFoundError, EmbedlabError):
        raise
    except DAMAGE as exc:
        raise DamagedFile(path, _reason(exc)) from None


def sqlite_truncated(path: Path) -> str | None:
    """Why the SQLite file at ``path`` is cut short or not SQLite at all (None: it looks whole).

    The header gives the page size (bytes 16-17) and the page count (bytes 28-31); a file
    shorter than that was cut.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        header = f.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return f"not an SQLite file ({size} bytes)"
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", header[28:32])[0]
    if pages and size < pages * page_size:
        return f"cut short: {size} of {pages * page_size} bytes"
    return None


def missing_file(folder: Path, generation: str, exc: FileNotFoundError) -> EmbedlabError:
    """The error for a file of generation ``generation`` of the index at ``folder`` that is not
    there (the whole generation, when its folder is gone)."""
    gone = Path(exc.filename) if exc.filename else Path(str(exc.args[0] if exc.args else ""))
    if not (folder / generation).is_dir():
        return EmbedlabError(f"{folder / generation}: the current generation is missing "
                             f"(removed by hand?); {ADVICE}")
    return EmbedlabError(f"{gone}: missing from the index; {ADVICE}")
