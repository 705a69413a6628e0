"""Image files named by the layouts users have: a folder, a glob, a list file, a table.

In: a source string: a folder (searched recursively for image suffixes), a glob pattern
(``photos/**/*.jpg``), a list file (``.txt`` / ``.lst``: one path a line), or a table
(``.csv`` / ``.tsv`` / ``.jsonl`` / ``.json`` / ``.parquet``) with a path column (and optionally
a label column). Relative paths in a list or table are taken from the file's folder. Out: an
:class:`ImageList`: absolute paths, ids (the paths relative to the folder, the glob's fixed
part, or as written in the list), labels where the table has them. Files are not opened here
(decoding is the embedder's job); a missing file, an empty folder or a table without a path
column is an :class:`EmbedlabError` naming it.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from embedlab.data.columns import LABEL_NAMES, SPLIT_NAMES, guess_column, pick_column
from embedlab.data.records import FileRows, file_format, read_rows, read_text, split_lines
from embedlab.errors import EmbedlabError

#: file suffixes taken as images when a folder or glob is searched
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff",
                            ".ppm", ".pgm"})
PATH_NAMES = ("path", "image", "image_path", "file", "filename", "file_name", "filepath", "img",
              "image_file", "uri")
LIST_FORMATS = (".txt", ".lst", ".list")
TABLE_FORMATS = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet")
_GLOB_CHARS = frozenset("*?[")


@dataclass
class ImageList:
    """Image files in order: absolute ``paths``, their ``ids``, ``labels`` and ``splits`` (each
    None where the source has none)."""

    paths: list[Path]
    ids: list[str]
    labels: list[str] | None
    source: str
    splits: list[str] | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def subset(self, keep: list[int]) -> ImageList:
        """The images at positions ``keep``, in that order."""
        labels = [self.labels[i] for i in keep] if self.labels is not None else None
        splits = [self.splits[i] for i in keep] if self.splits is not None else None
        return ImageList([self.paths[i] for i in keep], [self.ids[i] for i in keep], labels,
                         self.source, splits)


def is_image_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def images_in_folder(folder: Path) -> list[Path]:
    """Image files under ``folder`` at any depth, hidden files and folders skipped, sorted."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and is_image_file(path):
                found.append(path)
    return found


def _glob_root(pattern: str) -> Path:
    """The folder part of a glob pattern before its first wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if _GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _relative_id(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _from_folder(folder: Path, source: str) -> ImageList:
    paths = images_in_folder(folder)
    if not paths:
        raise EmbedlabError(f"{source}: no image files in this folder or below (looked for "
                            f"{', '.join(sorted(IMAGE_SUFFIXES))})")
    return ImageList([p.resolve() for p in paths], [_relative_id(p, folder) for p in paths],
                     None, source)


def _from_glob(pattern: str) -> ImageList:
    paths = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
    if not paths:
        raise EmbedlabError(f"{pattern}: the pattern matches no files")
    root = _glob_root(pattern)
    return ImageList([p.resolve() for p in paths], [_relative_id(p, root) for p in paths],
                     None, pattern)


def _check_exist(paths: list[Path], ids: list[str], source: str) -> None:
    missing = [i for i, p in zip(ids, paths, strict=True) if not p.is_file()]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise EmbedlabError(f"{source}: image file {missing[0]!r} does not exist{more}")


def _from_table(path: Path, field: str | None, label_field: str | None) -> ImageList:
    source = str(path)
    is_list = file_format(path) in LIST_FORMATS
    rows = FileRows(source, lines=split_lines(read_text(path))) if is_list else read_rows(path)
    base = path.parent
    labels: list[str] | None = None
    splits: list[str] | None = None
    if rows.lines is not None:
        if field is not None:
            raise EmbedlabError(f"{source}: a list file has one path a line, no field {field!r}")
        written = [line.strip() for line in rows.lines if line.strip()]
    else:
        if rows.table is not None:
            columns = list(rows.table.column_names)
            records = rows.table.to_pylist()
        elif rows.header is not None and rows.cells is not None:
            columns = rows.header
            records = [dict(zip(columns, cells, strict=False)) for _, cells in rows.cells]
        else:
            values = rows.values or []
            if values and all(isinstance(v, str) for _, v in values):
                columns, records = ["path"], [{"path": v} for _, v in values]
            else:
                records = [v for _, v in values if isinstance(v, dict)]
                if len(records) != len(values):
                    raise EmbedlabError(f"{source}: expected one object (or path) a row")
                columns = list(dict.fromkeys(k for rec in records for k in rec))
        chosen = pick_column(columns, field, PATH_NAMES, source=source)
        if chosen is None:
            raise EmbedlabError(f"{source}: no path column ({', '.join(PATH_NAMES[:4])}, ...) "
                                f"among {columns}; name it with --field")
        label = pick_column(columns, label_field, LABEL_NAMES, source=source,
                            role="label field", exclude=chosen)
        written = []
        for i, rec in enumerate(records, start=1):
            value = rec.get(chosen)
            if not isinstance(value, str) or not value.strip():
                raise EmbedlabError(f"{source}: row {i}: no path in field {chosen!r}")
            written.append(value.strip())
        if label is not None:
            labels = [str(rec.get(label)) for rec in records]
        split_column = guess_column(columns, SPLIT_NAMES, exclude=chosen)
        if split_column is not None:
            splits = [str(rec.get(split_column)) for rec in records]
    if not written:
        raise EmbedlabError(f"{source}: no image paths to read (the file is empty)")
    paths = [(base / w).resolve() for w in written]
    _check_exist(paths, written, source)
    return ImageList(paths, written, labels, source, splits)


def read_images(source: str | Path, field: str | None = None,
                label_field: str | None = None) -> ImageList:
    """The images a folder, glob, list file or table names (module docstring)."""
    text = str(source)
    path = Path(text).expanduser()
    if path.is_dir():
        return _from_folder(path, text)
    if path.is_file():
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return ImageList([path.resolve()], [path.name], None, text)
        if file_format(path) in (*LIST_FORMATS, *TABLE_FORMATS):
            return _from_table(path, field, label_field)
        raise EmbedlabError(f"{text}: not a folder, an image, a list of paths (.txt) or a "
                            "table with a path column (.csv .tsv .jsonl .json .parquet)")
    if _GLOB_CHARS & set(text):
        return _from_glob(text)
    raise EmbedlabError(f"{text}: no such file or folder")
