"""Captioned images: each image file with one or more captions (text-image tasks, ``align``).

In: a source and the split asked for (default val where the layout has splits). Layouts:

- COCO: a ``captions_*.json`` file (``images`` with ``id`` and ``file_name``, ``annotations``
  with ``image_id`` and ``caption``), images beside it, in ``../{split}`` or ``../{split}2017``;
  or a folder holding ``annotations/captions_{split}*.json`` and the images in ``{split}*/``;
- a table (csv / tsv / jsonl / json / parquet) with a path and a caption column, one row per
  caption (rows of the same image are grouped);
- a folder of images with ``.txt`` sidecars (``cat.jpg`` + ``cat.txt``, one caption a line).

Out: :class:`CaptionedImages` (absolute paths, captions per image). Missing images, images
without captions, and unknown layouts are an :class:`EmbedlabError` naming the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedlab.data.columns import pick_column
from embedlab.data.images import images_in_folder, read_images
from embedlab.data.records import read_rows, read_text
from embedlab.data.splits import split_names
from embedlab.errors import EmbedlabError

CAPTION_NAMES = ("caption", "captions", "text", "sentence", "description", "alt", "alt_text")


@dataclass
class CaptionedImages:
    """Images (absolute paths) and the captions of each (at least one)."""

    name: str
    paths: list[str]
    captions: list[list[str]]

    def pairs(self) -> tuple[list[str], list[int]]:
        """Every caption, and the position of its image."""
        texts, owners = [], []
        for i, caps in enumerate(self.captions):
            texts += caps
            owners += [i] * len(caps)
        return texts, owners


def _coco(file: Path, images_dir: Path | None, name: str) -> CaptionedImages:
    try:
        data = json.loads(read_text(file))
        files = {int(im["id"]): str(im["file_name"]) for im in data["images"]}
        notes = [(int(a["image_id"]), str(a["caption"]).strip()) for a in data["annotations"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise EmbedlabError(f"{file}: not a COCO captions file ({exc})") from None
    if images_dir is None:
        stem = file.stem.removeprefix("captions_")
        candidates = [file.parent / stem, file.parent.parent / stem, file.parent]
        images_dir = next((c for c in candidates if c.is_dir() and any(
            (c / f).is_file() for f in list(files.values())[:3])), None)
        if images_dir is None:
            raise EmbedlabError(f"{file}: cannot find its images (looked in "
                                f"{', '.join(str(c) for c in candidates)})")
    by_image: dict[int, list[str]] = {}
    for image_id, caption in notes:
        if caption:
            by_image.setdefault(image_id, []).append(caption)
    ids = [i for i in files if i in by_image]
    paths = [(images_dir / files[i]).resolve() for i in ids]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise EmbedlabError(f"{file}: image {missing[0]} does not exist "
                            f"({len(missing)} missing)")
    if not ids:
        raise EmbedlabError(f"{file}: no captioned images")
    return CaptionedImages(name, [str(p) for p in paths], [by_image[i] for i in ids])


def _coco_folder(folder: Path, split: str) -> CaptionedImages | None:
    annotations = folder / "annotations"
    if not annotations.is_dir():
        return None
    for alias in split_names(split):
        found = sorted(annotations.glob(f"captions_{alias}*.json"))
        if found:
            stem = found[0].stem.removeprefix("captions_")
            images = folder / stem if (folder / stem).is_dir() else None
            return _coco(found[0], images, f"{folder.name}/{stem}")
    return None


def _sidecars(folder: Path) -> CaptionedImages:
    paths, captions = [], []
    for path in images_in_folder(folder):
        side = path.with_suffix(".txt")
        if side.is_file():
            lines = [line.strip() for line in read_text(side).splitlines() if line.strip()]
            if lines:
                paths.append(str(path.resolve()))
                captions.append(lines)
    if not paths:
        raise EmbedlabError(f"{folder}: no captioned images (expected COCO annotations/, or "
                            "image files with .txt sidecars)")
    return CaptionedImages(folder.name, paths, captions)


def _table(file: Path, caption_field: str | None) -> CaptionedImages:
    images = read_images(file)
    rows = read_rows(file)
    records: list[dict[str, Any]]
    if rows.table is not None:
        records = rows.table.to_pylist()
    elif rows.header is not None and rows.cells is not None:
        records = [dict(zip(rows.header, c, strict=False)) for _, c in rows.cells]
    else:
        records = [v for _, v in rows.values or [] if isinstance(v, dict)]
    columns = list(dict.fromkeys(k for rec in records for k in rec))
    chosen = pick_column(columns, caption_field, CAPTION_NAMES, source=file)
    if chosen is None:
        raise EmbedlabError(f"{file}: no caption column ({', '.join(CAPTION_NAMES[:3])}, ...) "
                            f"among {columns}")
    grouped: dict[str, list[str]] = {}
    for path, rec in zip(images.paths, records, strict=True):
        value = rec.get(chosen)
        caps = value if isinstance(value, list) else [value]
        grouped.setdefault(str(path), []).extend(str(c).strip() for c in caps
                                                 if c is not None and str(c).strip())
    paths = [p for p, caps in grouped.items() if caps]
    return CaptionedImages(file.stem, paths, [grouped[p] for p in paths])


def load_captioned(source: str | Path, *, split: str | None = None,
                   caption_field: str | None = None) -> CaptionedImages:
    """The captioned images of a layout (see the module docstring)."""
    path = Path(source).expanduser()
    if not path.exists():
        raise EmbedlabError(f"{path}: no such file or folder; expected captioned images")
    if path.is_dir():
        coco = _coco_folder(path, split or "val")
        return coco if coco is not None else _sidecars(path)
    if path.suffix.lower() == ".json" and path.name.startswith("captions"):
        return _coco(path, None, path.stem)
    return _table(path, caption_field)
