"""Split names (train / dev / test), the data file of a split, and display names of data sets.

In: a file or a folder and the split asked for (default test). Out: the file to read (a folder
holding several split files gives the file whose name contains the split; ``dev``, ``valid``,
``validation`` and ``val`` are the same split) and the split left to select rows by, and display
names such as ``banking77/test``. A missing path or an ambiguous folder raises
:class:`EmbedlabError` naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from embedlab.errors import EmbedlabError

SPLIT_ALIASES: dict[str, tuple[str, ...]] = {
    "train": ("train", "training"),
    "dev": ("dev", "valid", "validation", "val"),
    "test": ("test", "testing"),
}
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".data", ".jsonl", ".json", ".gz", ".tab")


def split_names(split: str) -> tuple[str, ...]:
    """All the spellings of a split name (``valid`` -> dev, valid, validation, val)."""
    key = split.lower()
    for names in SPLIT_ALIASES.values():
        if key in names:
            return names
    return (key,)


def has_split_token(name: str, split: str) -> bool:
    """Whether a file name has a word that spells ``split`` (``STS-B.valid.data``: dev)."""
    tokens = re.split(r"[^a-z0-9]+", name.lower())
    return any(alias in tokens for alias in split_names(split))


def data_files(folder: Path) -> list[Path]:
    """The data files of a folder (by suffix; hidden files left out), sorted."""
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(DATA_SUFFIXES)
    )


def pick_split_file(folder: Path, split: str | None, what: str) -> tuple[Path, str | None]:
    """The file of ``folder`` for ``split`` (default test), or its only data file."""
    files = data_files(folder)
    if not files:
        raise EmbedlabError(f"{folder}: no data files found; expected {what}")
    wanted = split or "test"
    matches = [p for p in files if has_split_token(p.name, wanted)]
    if len(matches) == 1:
        return matches[0], wanted
    if len(matches) > 1:
        raise EmbedlabError(f"{folder}: several files match split {wanted!r} "
                            f"({', '.join(p.name for p in matches)}); name one file instead")
    if len(files) == 1:
        return files[0], None
    names = ", ".join(p.name for p in files)
    raise EmbedlabError(f"{folder}: no file for split {wanted!r} (found {names}); "
                        "expected file names containing the split, e.g. test.tsv")


def data_name(path: Path) -> str:
    """A display name for a file: its name without extensions, with the folder if the name is
    only a split (``banking77/test.csv`` -> ``banking77/test``)."""
    name = path.name
    for suffix in (".gz", ".bz2"):
        name = name.removesuffix(suffix)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if any(stem.lower() in names for names in SPLIT_ALIASES.values()) and path.parent.name:
        return f"{path.parent.name}/{stem}"
    return stem


def with_split(name: str, split: str | None) -> str:
    """``name/split``, or ``name`` when there is no split or the name already says it."""
    return f"{name}/{split}" if split and split not in name.lower() else name


@dataclass
class DataFile:
    """The file to read for a path and a split, and how to name what it gives."""

    file: Path
    row_split: str | None  # the split to select rows by (a split column), if any
    name: str  # display name: the folder or file name
    file_split: str | None  # the split that chose the file inside a folder, if any

    def display(self, used: str | None) -> str:
        """The data set's name, with the split that chose the file or the rows."""
        return with_split(self.name, self.file_split or used)


def resolve_data_file(path: Path, split: str | None, what: str) -> DataFile:
    """The data file of ``path``: itself, or the file for ``split`` inside a folder."""
    if not path.exists():
        raise EmbedlabError(f"{path}: no such file or folder; expected {what}")
    if path.is_dir():
        file, used = pick_split_file(path, split, what)
        return DataFile(file, None if used else split, path.name, used)
    return DataFile(path, split, data_name(path), None)
