"""Labelled image sets for evaluation: class folders, split/class folders, or a path,label table.

In: a folder or a table and the split asked for (default test). Layouts:

- ``split/class/*.jpg`` (``train``, ``test``, ``validation`` / ``val`` / ``dev`` folders): the
  split's folder; classification trains on ``train`` and tests on the split;
- ``class/*.jpg``: every image, its label the folder; classification splits it 75/25 (stratified,
  fixed seed);
- a table (csv / tsv / jsonl / json / parquet) with a path and a label column, and optionally a
  split column (else as class folders).

Out: :class:`~embedlab.data.datasets.LabelledTexts` / ``ClassificationData`` whose "texts" are
absolute image paths (an image model's inputs), ``name`` for reports. A layout without labels or
with fewer than two classes is an :class:`EmbedlabError` naming it.
"""

from __future__ import annotations

from pathlib import Path

from embedlab.data.datasets import ClassificationData, LabelledTexts
from embedlab.data.images import ImageList, images_in_folder, read_images
from embedlab.data.labelled import split_labelled
from embedlab.data.splits import split_names
from embedlab.errors import EmbedlabError


def split_folder(folder: Path, split: str) -> Path | None:
    """The sub-folder of ``folder`` that holds ``split`` (any of its spellings), or None."""
    for name in split_names(split):
        for candidate in (folder / name, folder / name.capitalize(), folder / name.upper()):
            if candidate.is_dir():
                return candidate
    return None


def has_split_folders(folder: Path) -> bool:
    return any(split_folder(folder, s) is not None for s in ("train", "test", "dev"))


def looks_like_images(path: Path) -> bool:
    """Whether ``path`` is a folder of images, or a table of image paths (by its columns)."""
    if path.is_dir():
        return bool(images_in_folder(path)[:1])
    return False


def _class_folders(folder: Path, name: str) -> LabelledTexts:
    images = read_images(folder)
    labels = []
    for image_id in images.ids:
        parts = image_id.split("/")
        if len(parts) < 2:
            raise EmbedlabError(f"{folder}: image {image_id!r} is not in a class folder; "
                                "expected CLASS/image.jpg (or split/CLASS/image.jpg)")
        labels.append(parts[0])
    return _labelled(images, labels, name)


def _labelled(images: ImageList, labels: list[str], name: str) -> LabelledTexts:
    if len(set(labels)) < 2:
        raise EmbedlabError(f"{images.source}: expected at least two classes, found "
                            f"{sorted(set(labels))[:3]}")
    return LabelledTexts(name, [str(p) for p in images.paths], labels)


def _table(path: Path, split: str | None, label_field: str | None
           ) -> tuple[ImageList, list[str]]:
    images = read_images(path, label_field=label_field)
    if images.labels is None:
        raise EmbedlabError(f"{path}: no label column (label, category, class, ...); name it "
                            "with --label-field")
    return images, images.labels


def _rows_of_split(images: ImageList, split: str) -> list[int]:
    wanted = set(split_names(split))
    return [i for i, s in enumerate(images.splits or []) if s.lower() in wanted]


def load_labelled_images(path: str | Path, *, split: str | None = None,
                         label_field: str | None = None) -> LabelledTexts:
    """The labelled images of one split (retrieval, clustering), per the module docstring."""
    path = Path(path).expanduser()
    if not path.exists():
        raise EmbedlabError(f"{path}: no such file or folder; expected labelled images")
    wanted = split or "test"
    if path.is_dir():
        if has_split_folders(path):
            folder = split_folder(path, wanted)
            if folder is None:
                raise EmbedlabError(f"{path}: no {wanted!r} folder among its split folders")
            return _class_folders(folder, f"{path.name}/{folder.name}")
        return _class_folders(path, path.name)
    images, labels = _table(path, split, label_field)
    if images.splits is not None:
        rows = _rows_of_split(images, wanted)
        if not rows:
            raise EmbedlabError(f"{path}: no rows of split {wanted!r}")
        images = images.subset(rows)
        return _labelled(images, images.labels or [], f"{path.stem}/{wanted}")
    return _labelled(images, labels, path.stem)


def load_image_classification(path: str | Path, *, split: str | None = None,
                              label_field: str | None = None, test_size: float = 0.25,
                              seed: int = 42) -> ClassificationData:
    """Train and test labelled images (a linear probe's data), per the module docstring."""
    path = Path(path).expanduser()
    if not path.exists():
        raise EmbedlabError(f"{path}: no such file or folder; expected labelled images")
    wanted = split or "test"
    if path.is_dir() and has_split_folders(path):
        train_folder = split_folder(path, "train")
        if train_folder is None:
            raise EmbedlabError(f"{path}: split folders but no train folder")
        test = load_labelled_images(path, split=wanted)
        train = _class_folders(train_folder, f"{path.name}/{train_folder.name}")
        return ClassificationData(test.name, train, test)
    if path.is_file():
        images, _ = _table(path, split, label_field)
        if images.splits is not None:
            train_rows, test_rows = (_rows_of_split(images, "train"),
                                     _rows_of_split(images, wanted))
            if not train_rows or not test_rows:
                raise EmbedlabError(f"{path}: expected rows of split 'train' and {wanted!r}")
            train_set, test_set = images.subset(train_rows), images.subset(test_rows)
            return ClassificationData(f"{path.stem}/{wanted}",
                                      _labelled(train_set, train_set.labels or [], path.stem),
                                      _labelled(test_set, test_set.labels or [], path.stem))
    return split_labelled(load_labelled_images(path, label_field=label_field), test_size, seed)
