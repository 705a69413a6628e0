"""Text pairs: STS (graded scores), pair classification (0/1 labels), document similarity.

In: a file or a folder of split files, and optionally ``split``, ``text_field`` (two columns as
``first,second``) and ``label_field`` (the score or label column). Layouts read: the STS-B
``.tsv.gz`` layout (header ``split genre dataset year sid score sentence1 sentence2``, ``split``
selects rows), any CSV/TSV with two text columns and a score column, with or without a header,
and ``s1<TAB>s2<TAB>score`` files such as the Chinese STS-B ``.data`` (pair files the same with
a 0/1 label, e.g. ATEC); for document similarity, documents one per line and a square matrix.
Out: :class:`ScoredPairs` or :class:`LabelledPairs`. Layout problems raise
:class:`EmbedlabError` naming the file and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from embedlab.data.columns import PAIR_NAMES, SCORE_NAMES
from embedlab.data.datasets import LabelledPairs, ScoredPairs
from embedlab.data.records import read_text, split_lines
from embedlab.data.splits import data_name, resolve_data_file
from embedlab.data.tables import (
    Table,
    is_number,
    mean_length,
    numeric_columns,
    read_table,
    select_split,
)
from embedlab.errors import EmbedlabError


def _score_column(table: Table, label_field: str | None, what: str) -> int:
    if label_field:
        return table.resolve(label_field, "score")
    index = table.find(SCORE_NAMES)
    if index is not None:
        return index
    numeric = numeric_columns(table.rows, table.width)
    if not numeric:
        raise EmbedlabError(f"{table.path}: expected a score column (numbers) in {what}, "
                            f"found {table.describe()}")
    if len(numeric) == 1:
        return numeric[0]

    def rank(i: int) -> tuple[bool, float, int]:
        values = np.array([float(v) for v in table.column(i)])
        fractional = bool(np.any(values != np.round(values)))
        return (not fractional, float(np.ptp(values)), -i)

    return min(numeric, key=rank)


def _text_columns(table: Table, text_field: str | None, score: int, what: str
                  ) -> tuple[int, int]:
    if text_field:
        parts = [p.strip() for p in text_field.split(",") if p.strip()]
        if len(parts) != 2:
            raise EmbedlabError(f"{table.path}: give two text columns for {what} as "
                                f"'first,second', got {text_field!r}")
        return table.resolve(parts[0], "text"), table.resolve(parts[1], "text")
    for first, second in PAIR_NAMES:
        a, b = table.find([first]), table.find([second])
        if a is not None and b is not None:
            return a, b
    numeric = set(numeric_columns(table.rows, table.width))
    candidates = [i for i in range(table.width) if i != score and i not in numeric]
    if len(candidates) < 2:
        raise EmbedlabError(f"{table.path}: expected two text columns and a score column in "
                            f"{what}, found {table.describe()}")
    longest = sorted(candidates, key=lambda i: -mean_length(table, i))[:2]
    return min(longest), max(longest)


def read_pair_table(
    path: Path, *, split: str | None = None, text_field: str | None = None,
    label_field: str | None = None, what: str = "an STS file",
) -> tuple[list[str], list[str], np.ndarray, str | None]:
    """Two text columns and a numeric column of a CSV/TSV file, and the split it selected."""
    names = [n for pair in PAIR_NAMES for n in pair] + list(SCORE_NAMES) + ["split"]
    table = read_table(path, names)
    table, used_split = select_split(table, split)
    score = _score_column(table, label_field, what)
    a, b = _text_columns(table, text_field, score, what)
    values = table.column(score)
    for (number, _), value in zip(table.rows, values, strict=True):
        if not is_number(value):
            raise EmbedlabError(f"{path}: line {number}: expected a number in column "
                                f"{table.column_names()[score]!r} of {what}, found {value!r}")
    return (table.column(a), table.column(b), np.array([float(v) for v in values]),
            used_split)


def load_sts(path: str | Path, *, split: str | None = None, text_field: str | None = None,
             label_field: str | None = None) -> ScoredPairs:
    """An STS data set: text pairs with a graded score (see the module docstring for layouts)."""
    src = resolve_data_file(Path(path), split, "an STS file (two texts and a score)")
    texts1, texts2, scores, used = read_pair_table(
        src.file, split=src.row_split, text_field=text_field, label_field=label_field,
        what="an STS file")
    if len(scores) < 2 or np.ptp(scores) == 0:
        raise EmbedlabError(f"{src.file}: expected at least two different gold scores in an "
                            "STS file")
    return ScoredPairs(src.display(used), texts1, texts2, scores)


def load_pairs(path: str | Path, *, split: str | None = None, text_field: str | None = None,
               label_field: str | None = None) -> LabelledPairs:
    """A pair-classification set: text pairs with a 0/1 label (e.g. ATEC)."""
    what = "a pair file (two texts and a 0/1 label)"
    src = resolve_data_file(Path(path), split, what)
    file = src.file
    texts1, texts2, values, used = read_pair_table(
        file, split=src.row_split, text_field=text_field, label_field=label_field,
        what="a pair file")
    found = sorted(set(values.tolist()))
    if not set(found) <= {0.0, 1.0}:
        shown = [int(v) if v == int(v) else v for v in found[:8]]
        raise EmbedlabError(f"{file}: expected binary labels 0/1 in a pair file, found {shown}")
    labels = values.astype(np.int64)
    if labels.min() == labels.max():
        raise EmbedlabError(f"{file}: expected both labels 0 and 1 in a pair file, "
                            f"found only {labels[0]}")
    return LabelledPairs(src.display(used), texts1, texts2, labels)


def load_document_similarity(
    documents: str | Path, matrix: str | Path, *, encoding: str = "utf-8"
) -> ScoredPairs:
    """Documents (one per line) and a square matrix of human similarities (Lee et al. 2005).

    Every pair ``i < j`` becomes a scored pair with the matrix's upper-triangle value.
    """
    documents, matrix = Path(documents), Path(matrix)
    docs = [ln.strip() for ln in split_lines(read_text(documents, encoding)) if ln.strip()]
    rows = [ln.split() for ln in split_lines(read_text(matrix)) if ln.strip()]
    try:
        values = np.array([[float(v) for v in row] for row in rows])
    except ValueError:
        raise EmbedlabError(f"{matrix}: expected a square matrix of numbers") from None
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        raise EmbedlabError(f"{matrix}: expected a square matrix of numbers, "
                            f"found {len(rows)} rows of varying length")
    if values.shape[0] != len(docs):
        raise EmbedlabError(f"{matrix}: a {values.shape[0]}x{values.shape[0]} matrix for "
                            f"{len(docs)} documents in {documents}; expected one row per document")
    i, j = np.triu_indices(len(docs), 1)
    return ScoredPairs(data_name(documents), [docs[k] for k in i], [docs[k] for k in j],
                       values[i, j])
