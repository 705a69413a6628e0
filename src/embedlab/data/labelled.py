"""Labelled texts for classification and clustering.

In: a CSV/TSV/JSONL file with a text and a label column (names guessed or given), or a folder of
split files (``train.csv`` / ``test.csv``), and optionally ``split``, ``text_field`` and
``label_field``. A ``split`` column selects rows; a test file finds its train file beside it;
one file with neither is split 75/25. Out: :class:`ClassificationData` (train and test) or
:class:`LabelledTexts` (one split, for clustering). Layout problems raise
:class:`EmbedlabError` naming the file.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

from embedlab.data.columns import LABEL_NAMES, SPLIT_NAMES, TEXT_NAMES, guess_column, task_field
from embedlab.data.datasets import ClassificationData, LabelledTexts
from embedlab.data.records import JSON_FORMATS, file_format
from embedlab.data.splits import (
    data_files,
    data_name,
    has_split_token,
    pick_split_file,
    resolve_data_file,
    split_names,
    with_split,
)
from embedlab.data.tables import Table, mean_length, read_jsonl, read_table, select_split
from embedlab.errors import EmbedlabError


def _guess_text_label(table: Table, text_field: str | None, label_field: str | None
                      ) -> tuple[int, int]:
    text = table.resolve(text_field, "text") if text_field else table.find(TEXT_NAMES)
    label = table.resolve(label_field, "label") if label_field else table.find(LABEL_NAMES)
    if text is not None and label is not None and text != label:
        return text, label
    if table.width == 2 and (text is None or label is None):
        if text is None:  # the other column, or the one with the longer texts
            text = 1 - label if label is not None else max(
                range(2), key=lambda i: mean_length(table, i))
        return text, 1 - text
    raise EmbedlabError(
        f"{table.path}: expected a text column ({', '.join(TEXT_NAMES[:5])}, ...) and a label "
        f"column ({', '.join(LABEL_NAMES[:5])}, ...), found {table.describe()}; "
        "name them with text_field/label_field")


def _labelled_from_jsonl(path: Path, split: str | None, text_field: str | None,
                         label_field: str | None) -> tuple[list[str], list[str], str | None]:
    objects = read_jsonl(path)
    if not objects:
        raise EmbedlabError(f"{path}: the file is empty; expected labelled texts")
    keys = list(dict.fromkeys(k for _, obj in objects for k in obj))
    text_key = task_field(keys, text_field, TEXT_NAMES, source=path, role="text")
    label_key = task_field(keys, label_field, LABEL_NAMES, source=path, role="label")
    split_key = guess_column(keys, SPLIT_NAMES)
    texts, labels = [], []
    used = None
    for number, obj in objects:
        if split_key is not None:
            used = split or "test"
            if str(obj.get(split_key, "")).lower() not in split_names(used):
                continue
        if text_key not in obj or label_key not in obj:
            raise EmbedlabError(f"{path}: line {number} has no {text_key!r} or {label_key!r} "
                                "field; expected both on every line")
        texts.append(str(obj[text_key]))
        labels.append(str(obj[label_key]))
    return texts, labels, used


def read_labelled(path: Path, *, split: str | None = None, text_field: str | None = None,
                  label_field: str | None = None) -> tuple[LabelledTexts, str | None]:
    """Texts and labels of one file, filtered by a ``split`` column if it has one."""
    if file_format(path) in JSON_FORMATS:
        texts, labels, used = _labelled_from_jsonl(path, split, text_field, label_field)
    else:
        names = [*TEXT_NAMES, *LABEL_NAMES, "split", *(f for f in (text_field, label_field) if f)]
        table = read_table(path, names)
        table, used = select_split(table, split)
        text, label = _guess_text_label(table, text_field, label_field)
        texts, labels = table.column(text), table.column(label)
    if not texts:
        raise EmbedlabError(f"{path}: no labelled texts (split {split!r}); expected rows of "
                            "text and label")
    return LabelledTexts(data_name(path), texts, labels), used


def _sibling_train(file: Path) -> Path | None:
    for split in ("test", "dev"):
        for alias in split_names(split):
            pattern = re.compile(rf"(?<![a-z]){alias}(?![a-z])", re.IGNORECASE)
            if pattern.search(file.name):
                candidate = file.with_name(pattern.sub("train", file.name, count=1))
                if candidate.is_file():
                    return candidate
    return None


def load_classification(
    path: str | Path, *, split: str | None = None, text_field: str | None = None,
    label_field: str | None = None, test_size: float = 0.25, seed: int = 42,
) -> ClassificationData:
    """Train and test labelled texts: from train/test files, a split column, or one file.

    One file with neither is split 75/25 with a fixed seed, stratified by label where the
    counts allow it.
    """
    path = Path(path)
    what = "labelled texts (a text and a label column)"
    options = {"text_field": text_field, "label_field": label_field}
    if not path.exists():
        raise EmbedlabError(f"{path}: no such file or folder; expected {what}")
    if path.is_dir():
        files = data_files(path)
        train_files = [p for p in files if has_split_token(p.name, "train")]
        if len(train_files) == 1 and len(files) > 1:
            test_file, used = pick_split_file(path, split, what)
            train, _ = read_labelled(train_files[0], **options)
            test, _ = read_labelled(test_file, **options)
            return ClassificationData(with_split(path.name, used), train, test)
        path, _ = pick_split_file(path, split, what)
    sibling = _sibling_train(path)
    if sibling is not None:
        train, _ = read_labelled(sibling, **options)
        test, _ = read_labelled(path, **options)
        return ClassificationData(data_name(path), train, test)
    test, used = read_labelled(path, split=split, **options)
    if used is not None:
        train, _ = read_labelled(path, split="train", **options)
        return ClassificationData(with_split(data_name(path), used), train, test)
    return split_labelled(test, test_size, seed)


def split_labelled(data: LabelledTexts, test_size: float, seed: int) -> ClassificationData:
    """One labelled set split into train and test (stratified by label where counts allow)."""
    from sklearn.model_selection import train_test_split

    counts = Counter(data.labels)
    if len(counts) < 2:
        raise EmbedlabError(f"{data.name}: expected at least two labels for classification")
    indices = np.arange(len(data.texts))
    try:
        idx_train, idx_test = train_test_split(indices, test_size=test_size, random_state=seed,
                                               stratify=data.labels)
    except ValueError:  # a label with one text, or fewer test rows than labels
        idx_train, idx_test = train_test_split(indices, test_size=test_size, random_state=seed)

    def part(idx: np.ndarray) -> LabelledTexts:
        return LabelledTexts(data.name, [data.texts[i] for i in idx],
                             [data.labels[i] for i in idx])

    return ClassificationData(f"{data.name}/split", part(idx_train), part(idx_test))


def load_labelled_texts(
    path: str | Path, *, split: str | None = None, text_field: str | None = None,
    label_field: str | None = None,
) -> LabelledTexts:
    """Labelled texts of one split (for clustering): a folder's split file, or one file."""
    src = resolve_data_file(Path(path), split, "labelled texts")
    data, used = read_labelled(src.file, split=src.row_split, text_field=text_field,
                               label_field=label_field)
    data.name = src.display(used)
    if len(set(data.labels)) < 2:
        raise EmbedlabError(f"{src.file}: expected at least two different labels, found "
                            f"{sorted(set(data.labels))[:3]}")
    return data
