"""Evaluation data sets from the files users have, each read into one small data class.

In: a path (file or folder) and, where the layout needs them, ``split``, ``text_field`` and
``label_field``. Out: :class:`ScoredPairs` (STS, document similarity), :class:`LabelledPairs`
(pair classification), :class:`LabelledTexts` / :class:`ClassificationData`,
:class:`RetrievalData`, :class:`WordPairs`, :class:`Analogies` or :class:`TextSet`.

Layouts read (files are UTF-8, optionally gzip-compressed; tab-separated files are split on tabs
with no quoting, CSV files use the csv module):

- STS: the STS-B ``.tsv.gz`` layout (header ``split genre dataset year sid score sentence1
  sentence2``, ``split`` selects rows), any CSV/TSV with two text columns and a score column, with
  or without a header, and ``s1<TAB>s2<TAB>score`` files such as the Chinese STS-B ``.data``;
- pair classification: the same tables with a 0/1 label (e.g. ATEC ``s1<TAB>s2<TAB>0/1``);
- classification and clustering: CSV/TSV/JSONL with a text and a label column (names guessed or
  given), split by file names in a folder (``train.csv``/``test.csv``) or by a ``split`` column;
- retrieval: BEIR folders (``corpus.jsonl``, ``queries.jsonl``, ``qrels/<split>.tsv`` with or
  without a header, 3 columns or TREC's 4) and SMART collections such as Cranfield;
- word pairs and analogies: the gensim formats (``wordsim353.tsv``, ``questions-words.txt``).

A folder holding several split files picks the file whose name contains the split (``test`` by
default; ``dev``, ``valid`` and ``validation`` are the same split). Any layout problem raises
:class:`EmbedlabError` with one line naming the file and what was expected.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError

# -- data classes ------------------------------------------------------------------------------


@dataclass
class ScoredPairs:
    """Text pairs with a graded similarity (STS): ``scores[i]`` for ``(texts1[i], texts2[i])``."""

    name: str
    texts1: list[str]
    texts2: list[str]
    scores: np.ndarray


@dataclass
class LabelledPairs:
    """Text pairs with a binary label (1 = paraphrase/duplicate, 0 = not)."""

    name: str
    texts1: list[str]
    texts2: list[str]
    labels: np.ndarray


@dataclass
class LabelledTexts:
    """Texts with one class label each."""

    name: str
    texts: list[str]
    labels: list[str]


@dataclass
class ClassificationData:
    """A train and a test set of labelled texts."""

    name: str
    train: LabelledTexts
    test: LabelledTexts


@dataclass
class RetrievalData:
    """A corpus (id -> title + " " + text), queries (id -> text) and graded qrels.

    ``queries`` holds only the judged queries of the split; ``qrels[qid][docid]`` is the grade.
    """

    name: str
    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass
class WordPairs:
    """Word pairs with a human similarity score."""

    name: str
    words1: list[str]
    words2: list[str]
    scores: np.ndarray


@dataclass
class Analogies:
    """Analogy questions ``a : b :: c : d`` by section, in file order."""

    name: str
    sections: dict[str, list[tuple[str, str, str, str]]]


@dataclass
class TextSet:
    """Any texts, with labels where the file has them and positive pairs where it has pairs."""

    name: str
    texts: list[str]
    labels: list[str] | None = None
    pairs: tuple[list[str], list[str]] | None = None


# -- reading primitives ------------------------------------------------------------------------

SPLIT_ALIASES: dict[str, tuple[str, ...]] = {
    "train": ("train", "training"),
    "dev": ("dev", "valid", "validation", "val"),
    "test": ("test", "testing"),
}
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".data", ".jsonl", ".json", ".gz", ".tab")


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole file as text (gunzipped when it is gzip); bad bytes raise EmbedlabError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EmbedlabError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise EmbedlabError(f"{path}: expected a file, found a folder") from None
    except OSError as exc:
        raise EmbedlabError(f"{path}: cannot read ({exc.strerror})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            raise EmbedlabError(f"{path}: a damaged gzip file") from None
    try:
        return raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        raise EmbedlabError(
            f"{path}: not UTF-8 text (undecodable byte at offset {exc.start}); "
            "expected a UTF-8 file"
        ) from None


def _lines(text: str) -> list[str]:
    return [line.rstrip("\r") for line in text.split("\n")]


def _is_tab_file(path: Path, lines: Sequence[str]) -> bool:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return False
    if name.endswith((".tsv", ".tab", ".data")):
        return True
    return any("\t" in line for line in lines[:20])


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank rows of a CSV/TSV file as ``(line number, cells)``; tabs win over commas."""
    text = read_text(path)
    lines = _lines(text)
    out: list[tuple[int, list[str]]] = []
    if _is_tab_file(path, [ln for ln in lines if ln.strip()]):
        for number, line in enumerate(lines, 1):
            if line.strip():
                out.append((number, [cell.strip() for cell in line.split("\t")]))
        return out
    try:
        reader = csv.reader(io.StringIO(text))
        for cells in reader:
            if any(c.strip() for c in cells):
                out.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise EmbedlabError(f"{path}: not a valid CSV file ({exc})") from None
    return out


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Objects of a JSON-lines file (or of a JSON array) as ``(line number, object)``."""
    text = read_text(path).strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError as exc:
            raise EmbedlabError(f"{path}: not valid JSON ({exc})") from None
        pairs = list(enumerate(items, 1))
    else:
        pairs = []
        for number, line in enumerate(_lines(text), 1):
            if not line.strip():
                continue
            try:
                pairs.append((number, json.loads(line)))
            except ValueError:
                raise EmbedlabError(
                    f"{path}: line {number} is not JSON; expected one JSON object per line"
                ) from None
    for number, obj in pairs:
        if not isinstance(obj, dict):
            raise EmbedlabError(f"{path}: line {number} is not a JSON object")
    return pairs


def is_number(cell: str) -> bool:
    """Whether a cell parses as a finite float."""
    try:
        return np.isfinite(float(cell))
    except ValueError:
        return False


def _is_jsonl(path: Path) -> bool:
    return path.name.lower().removesuffix(".gz").endswith((".jsonl", ".json", ".ndjson"))


def _stem(path: Path) -> str:
    """A display name for a file: its name without extensions, with the folder if the name is
    only a split (``banking77/test.csv`` -> ``banking77/test``)."""
    name = path.name
    for suffix in (".gz", ".bz2"):
        name = name.removesuffix(suffix)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if any(stem.lower() in names for names in SPLIT_ALIASES.values()) and path.parent.name:
        return f"{path.parent.name}/{stem}"
    return stem


def split_names(split: str) -> tuple[str, ...]:
    """All the spellings of a split name (``valid`` -> dev, valid, validation, val)."""
    key = split.lower()
    for names in SPLIT_ALIASES.values():
        if key in names:
            return names
    return (key,)


def _has_split_token(name: str, split: str) -> bool:
    tokens = re.split(r"[^a-z0-9]+", name.lower())
    return any(alias in tokens for alias in split_names(split))


def _data_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(DATA_SUFFIXES)
    )


def pick_split_file(folder: Path, split: str | None, what: str) -> tuple[Path, str | None]:
    """The file of ``folder`` for ``split`` (default test), or its only data file."""
    files = _data_files(folder)
    if not files:
        raise EmbedlabError(f"{folder}: no data files found; expected {what}")
    wanted = split or "test"
    matches = [p for p in files if _has_split_token(p.name, wanted)]
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


# -- column guessing ---------------------------------------------------------------------------

TEXT_NAMES = ("text", "sentence", "content", "body", "document", "utterance", "query",
              "question", "review", "input", "comment", "title")
LABEL_NAMES = ("label", "category", "class", "intent", "target", "labels", "topic",
               "sentiment")
SCORE_NAMES = ("score", "similarity", "sim", "gold", "gold_score", "relatedness",
               "relatedness_score", "rating", "human", "label", "labels", "is_duplicate",
               "is_paraphrase", "quality")
PAIR_NAMES = (("sentence1", "sentence2"), ("s1", "s2"), ("text1", "text2"),
              ("text_a", "text_b"), ("sentence_a", "sentence_b"), ("sentence_1", "sentence_2"),
              ("question1", "question2"), ("premise", "hypothesis"), ("query", "document"),
              ("anchor", "positive"), ("string1", "string2"), ("#1 string", "#2 string"))


@dataclass
class _Table:
    path: Path
    header: list[str] | None
    rows: list[tuple[int, list[str]]]
    width: int

    def column_names(self) -> list[str]:
        return self.header or [f"column {i + 1}" for i in range(self.width)]

    def describe(self) -> str:
        """The columns, for messages: the header, or the first row of a file without one."""
        if self.header is not None:
            return f"columns {self.header}"
        first = [c if len(c) <= 30 else c[:27] + "..." for c in self.rows[0][1]]
        return f"{self.width} columns and no header (first row {first})"

    def column(self, index: int) -> list[str]:
        return [cells[index] for _, cells in self.rows]

    def find(self, names: Sequence[str]) -> int | None:
        if self.header is None:
            return None
        lowered = [h.lower() for h in self.header]
        for name in names:
            if name.lower() in lowered:
                return lowered.index(name.lower())
        return None

    def resolve(self, field: str, role: str) -> int:
        """A column given by the user: a header name or a 1-based column number."""
        index = self.find([field])
        if index is not None:
            return index
        if field.isdigit() and 1 <= int(field) <= self.width:
            return int(field) - 1
        raise EmbedlabError(f"{self.path}: no {role} column {field!r}; found "
                            f"{self.describe()}")


def _numeric_columns(rows: Sequence[tuple[int, list[str]]], width: int) -> list[int]:
    if not rows:
        return []
    return [i for i in range(width) if all(is_number(cells[i]) for _, cells in rows)]


def _read_table(path: Path, header_names: Sequence[str] = ()) -> _Table:
    """Rows of a CSV/TSV file with the header found (if any) and a common width.

    The first row is a header when it names a known column, or when it has no number at all
    while some column is numeric in every other row. The width is the most common row length
    (the shorter one on a tie); longer rows are cut to it, shorter rows are an error.
    """
    rows = read_rows(path)
    if not rows:
        raise EmbedlabError(f"{path}: the file is empty; expected rows of data")
    widths = Counter(len(cells) for _, cells in rows)
    width = max(widths, key=lambda w: (widths[w], -w))
    first = rows[0][1]
    known = {n.lower() for n in header_names}
    header: list[str] | None = None
    if any(cell.lower() in known for cell in first):
        header = first
    elif not any(is_number(cell) for cell in first):
        body = [(n, c) for n, c in rows[1:51] if len(c) >= width]
        if _numeric_columns(body, width):
            header = first
    if header is not None:
        width = len(header)
        rows = rows[1:]
    for number, cells in rows:
        if len(cells) < width:
            raise EmbedlabError(f"{path}: line {number} has {len(cells)} columns, expected "
                                f"{width} (like the {'header' if header else 'other rows'})")
    rows = [(n, cells[:width]) for n, cells in rows]
    if not rows:
        raise EmbedlabError(f"{path}: a header but no rows of data")
    return _Table(path, header, rows, width)


def _select_split(table: _Table, split: str | None) -> tuple[_Table, str | None]:
    """Keep the rows of ``split`` where the table has a ``split`` column (default: test)."""
    index = table.find(["split", "set", "subset", "fold", "partition"])
    if index is None:
        return table, None
    values = sorted({cells[index] for _, cells in table.rows})
    wanted = split or "test"
    names = split_names(wanted)
    rows = [(n, c) for n, c in table.rows if c[index].lower() in names]
    if not rows:
        raise EmbedlabError(f"{table.path}: no rows with split {wanted!r} in column "
                            f"{table.header[index]!r} (found {values})")  # type: ignore[index]
    return _Table(table.path, table.header, rows, table.width), wanted


def _mean_length(table: _Table, index: int) -> float:
    return float(np.mean([len(v) for v in table.column(index)]))


def _score_column(table: _Table, label_field: str | None, what: str) -> int:
    if label_field:
        return table.resolve(label_field, "score")
    index = table.find(SCORE_NAMES)
    if index is not None:
        return index
    numeric = _numeric_columns(table.rows, table.width)
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


def _text_columns(table: _Table, text_field: str | None, score: int, what: str
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
    numeric = set(_numeric_columns(table.rows, table.width))
    candidates = [i for i in range(table.width) if i != score and i not in numeric]
    if len(candidates) < 2:
        raise EmbedlabError(f"{table.path}: expected two text columns and a score column in "
                            f"{what}, found {table.describe()}")
    longest = sorted(candidates, key=lambda i: -_mean_length(table, i))[:2]
    return min(longest), max(longest)


def read_pair_table(
    path: Path, *, split: str | None = None, text_field: str | None = None,
    label_field: str | None = None, what: str = "an STS file",
) -> tuple[list[str], list[str], np.ndarray, str | None]:
    """Two text columns and a numeric column of a CSV/TSV file, and the split it selected."""
    names = [n for pair in PAIR_NAMES for n in pair] + list(SCORE_NAMES) + ["split"]
    table = _read_table(path, names)
    table, used_split = _select_split(table, split)
    score = _score_column(table, label_field, what)
    a, b = _text_columns(table, text_field, score, what)
    values = table.column(score)
    for (number, _), value in zip(table.rows, values, strict=True):
        if not is_number(value):
            raise EmbedlabError(f"{path}: line {number}: expected a number in column "
                                f"{table.column_names()[score]!r} of {what}, found {value!r}")
    return (table.column(a), table.column(b), np.array([float(v) for v in values]),
            used_split)


# -- STS, pairs, document similarity -----------------------------------------------------------


@dataclass
class _Source:
    file: Path
    row_split: str | None  # the split to select rows by (a split column), if any
    name: str  # display name: the folder or file name
    file_split: str | None  # the split that chose the file inside a folder, if any

    def display(self, used: str | None) -> str:
        return _display(self.name, self.file_split or used)


def _resolve_file(path: Path, split: str | None, what: str) -> _Source:
    """The data file of ``path``: itself, or the file for ``split`` inside a folder."""
    if not path.exists():
        raise EmbedlabError(f"{path}: no such file or folder; expected {what}")
    if path.is_dir():
        file, used = pick_split_file(path, split, what)
        return _Source(file, None if used else split, path.name, used)
    return _Source(path, split, _stem(path), None)


def _display(name: str, split: str | None) -> str:
    return f"{name}/{split}" if split and split not in name.lower() else name


def load_sts(path: str | Path, *, split: str | None = None, text_field: str | None = None,
             label_field: str | None = None) -> ScoredPairs:
    """An STS data set: text pairs with a graded score (see the module docstring for layouts)."""
    src = _resolve_file(Path(path), split, "an STS file (two texts and a score)")
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
    src = _resolve_file(Path(path), split, what)
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
    docs = [ln.strip() for ln in _lines(read_text(documents, encoding)) if ln.strip()]
    rows = [ln.split() for ln in _lines(read_text(matrix)) if ln.strip()]
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
    return ScoredPairs(_stem(documents), [docs[k] for k in i], [docs[k] for k in j],
                       values[i, j])


# -- classification and clustering -------------------------------------------------------------


def _guess_text_label(table: _Table, text_field: str | None, label_field: str | None
                      ) -> tuple[int, int]:
    text = table.resolve(text_field, "text") if text_field else table.find(TEXT_NAMES)
    label = table.resolve(label_field, "label") if label_field else table.find(LABEL_NAMES)
    if text is not None and label is not None and text != label:
        return text, label
    if table.width == 2 and (text is None or label is None):
        if text is None:  # the other column, or the one with the longer texts
            text = 1 - label if label is not None else max(
                range(2), key=lambda i: _mean_length(table, i))
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
    keys = list(objects[0][1])
    lowered = {k.lower(): k for k in keys}

    def pick(given: str | None, names: Sequence[str], role: str) -> str:
        if given:
            return given
        for n in names:
            if n in lowered:
                return lowered[n]
        raise EmbedlabError(f"{path}: expected a {role} field ({', '.join(names[:5])}, ...), "
                            f"found fields {keys}; name it with {role}_field")

    text_key, label_key = pick(text_field, TEXT_NAMES, "text"), pick(label_field, LABEL_NAMES,
                                                                      "label")
    split_key = next((lowered[n] for n in ("split", "set", "subset") if n in lowered), None)
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
    if _is_jsonl(path):
        texts, labels, used = _labelled_from_jsonl(path, split, text_field, label_field)
    else:
        names = [*TEXT_NAMES, *LABEL_NAMES, "split", *(f for f in (text_field, label_field) if f)]
        table = _read_table(path, names)
        table, used = _select_split(table, split)
        text, label = _guess_text_label(table, text_field, label_field)
        texts, labels = table.column(text), table.column(label)
    if not texts:
        raise EmbedlabError(f"{path}: no labelled texts (split {split!r}); expected rows of "
                            "text and label")
    return LabelledTexts(_stem(path), texts, labels), used


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
        files = _data_files(path)
        train_files = [p for p in files if _has_split_token(p.name, "train")]
        if len(train_files) == 1 and len(files) > 1:
            test_file, used = pick_split_file(path, split, what)
            train, _ = read_labelled(train_files[0], **options)
            test, _ = read_labelled(test_file, **options)
            return ClassificationData(_display(path.name, used), train, test)
        path, _ = pick_split_file(path, split, what)
    sibling = _sibling_train(path)
    if sibling is not None:
        train, _ = read_labelled(sibling, **options)
        test, _ = read_labelled(path, **options)
        return ClassificationData(_stem(path), train, test)
    test, used = read_labelled(path, split=split, **options)
    if used is not None:
        train, _ = read_labelled(path, split="train", **options)
        return ClassificationData(_display(_stem(path), used), train, test)
    return _split_one(test, test_size, seed)


def _split_one(data: LabelledTexts, test_size: float, seed: int) -> ClassificationData:
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
    src = _resolve_file(Path(path), split, "labelled texts")
    data, used = read_labelled(src.file, split=src.row_split, text_field=text_field,
                               label_field=label_field)
    data.name = src.display(used)
    if len(set(data.labels)) < 2:
        raise EmbedlabError(f"{src.file}: expected at least two different labels, found "
                            f"{sorted(set(data.labels))[:3]}")
    return data


# -- retrieval ---------------------------------------------------------------------------------


def _find(folder: Path, *names: str) -> Path | None:
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _jsonl_texts(path: Path, with_title: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for number, obj in read_jsonl(path):
        key = next((k for k in ("_id", "id", "doc_id", "docid", "query_id", "qid") if k in obj),
                   None)
        if key is None or "text" not in obj and "title" not in obj:
            raise EmbedlabError(f"{path}: line {number}: expected fields '_id' and 'text' "
                                f"(BEIR layout), found {sorted(obj)}")
        text = str(obj.get("text") or "")
        if with_title and obj.get("title"):
            text = f"{obj['title']} {text}"
        out[str(obj[key])] = text.strip()
    return out


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Graded judgements from ``qid docid grade`` (BEIR, header optional) or TREC's 4 columns."""
    qrels: dict[str, dict[str, int]] = {}
    for i, line in enumerate(_lines(read_text(path)), 1):
        cells = line.split("\t") if "\t" in line else line.split()
        if not cells or not line.strip():
            continue
        if len(cells) == 4:
            cells = [cells[0], cells[2], cells[3]]
        if len(cells) != 3 or not is_number(cells[2]):
            if i == 1 and len(cells) == 3:
                continue  # a header such as "query-id corpus-id score"
            raise EmbedlabError(f"{path}: line {i}: expected 'query-id<TAB>corpus-id<TAB>score' "
                                f"(or TREC 'qid 0 docid grade'), found {line.strip()[:60]!r}")
        qrels.setdefault(cells[0].strip(), {})[cells[1].strip()] = int(float(cells[2]))
    if not qrels:
        raise EmbedlabError(f"{path}: no judgements; expected 'query-id corpus-id score' rows")
    return qrels


def _qrels_file(folder: Path, split: str | None) -> tuple[Path, str]:
    qdir = folder / "qrels"
    if not qdir.is_dir():
        raise EmbedlabError(f"{folder}: no qrels/ folder; expected a BEIR folder with "
                            "corpus.jsonl, queries.jsonl and qrels/<split>.tsv")
    files = sorted(p for p in qdir.iterdir() if p.is_file() and not p.name.startswith("."))
    wanted = split or "test"
    for p in files:
        if p.name.split(".")[0].lower() in split_names(wanted):
            return p, p.name.split(".")[0]
    if split is None and len(files) == 1:
        return files[0], files[0].name.split(".")[0]
    found = ", ".join(p.name for p in files) or "nothing"
    raise EmbedlabError(f"{qdir}: no qrels for split {wanted!r} (found {found}); "
                        f"expected qrels/{wanted}.tsv")


def load_beir(path: str | Path, *, split: str | None = None) -> RetrievalData:
    """A BEIR folder: ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv``.

    Queries of the split's qrels that ``queries.jsonl`` lacks are left out; queries whose
    judgements are all 0 stay in (and score 0, as in trec_eval).
    """
    folder = Path(path)
    corpus_file = _find(folder, "corpus.jsonl")
    queries_file = _find(folder, "queries.jsonl")
    if corpus_file is None or queries_file is None:
        raise EmbedlabError(f"{folder}: expected a BEIR folder with corpus.jsonl, queries.jsonl "
                            "and qrels/<split>.tsv")
    qrels_file, used = _qrels_file(folder, split)
    corpus = _jsonl_texts(corpus_file, with_title=True)
    queries = _jsonl_texts(queries_file, with_title=False)
    qrels = {q: j for q, j in read_qrels(qrels_file).items() if q in queries}
    if not qrels:
        raise EmbedlabError(f"{qrels_file}: none of its query ids is in {queries_file.name}; "
                            "expected the ids of queries.jsonl")
    return RetrievalData(_display(folder.name, used), corpus,
                         {q: queries[q] for q in qrels}, qrels)


def _starts_with(path: Path, prefix: bytes) -> bool:
    with path.open("rb") as f:
        return f.read(len(prefix)) == prefix


def _smart_records(path: Path) -> list[tuple[str, str]]:
    """``(.I id, text of .T and .W fields)`` records of a SMART-format file."""
    records: list[tuple[str, str]] = []
    field = None
    parts: list[str] = []
    current: str | None = None

    def close() -> None:
        if current is not None:
            records.append((current, " ".join(" ".join(parts).split())))

    for line in _lines(read_text(path)):
        if line.startswith(".I"):
            close()
            current, parts, field = line[2:].strip(), [], None
        elif re.match(r"^\.[A-Z]\s*$", line):
            field = line[1]
        elif current is not None and field in ("T", "W"):
            parts.append(line)
    close()
    return records


def load_smart(path: str | Path) -> RetrievalData:
    """A SMART collection folder such as Cranfield: docs, queries (``.I``/``.W``) and qrels.

    Qrels ``qid docid code`` use Cleverdon's codes (1 = complete answer ... 4 = minimum interest,
    -1 or 5 = none); they become gains 4..1 (and 0), so that nDCG rewards the best documents most.
    Query ids in the qrels are the queries' positions in the query file where the ``.I`` numbers
    are not (Cranfield's known quirk).
    """
    folder = Path(path)
    files = [p for p in sorted(folder.iterdir()) if p.is_file()]
    smart = [p for p in files if _starts_with(p, b".I")]
    queries_file = next((p for p in smart if re.search(r"qry|quer", p.name, re.I)), None)
    docs_file = next((p for p in smart if p is not queries_file), None)
    qrels_file = next((p for p in files if re.search(r"qrel|\.rel$", p.name, re.I)
                       and not p.name.endswith(".readme")), None)
    if queries_file is None or docs_file is None or qrels_file is None:
        raise EmbedlabError(f"{folder}: expected a BEIR folder (corpus.jsonl, queries.jsonl, "
                            "qrels/) or a SMART collection (documents and queries with .I "
                            "records, a qrels file)")
    corpus = dict(_smart_records(docs_file))
    query_records = _smart_records(queries_file)
    raw = read_qrels(qrels_file)
    ids = [qid for qid, _ in query_records]
    by_number = {str(int(q)) if q.isdigit() else q: t for q, t in query_records}
    if not set(raw) <= set(by_number) and all(q.isdigit() and 1 <= int(q) <= len(ids)
                                              for q in raw):
        by_number = {str(i): text for i, (_, text) in enumerate(query_records, 1)}
    qrels: dict[str, dict[str, int]] = {}
    for qid, judged in raw.items():
        key = str(int(qid)) if qid.isdigit() else qid
        if key not in by_number:
            continue
        qrels[key] = {str(int(d)) if d.isdigit() else d: (5 - g if 1 <= g <= 4 else 0)
                      for d, g in judged.items()}
    corpus = {str(int(d)) if d.isdigit() else d: t for d, t in corpus.items()}
    if not qrels:
        raise EmbedlabError(f"{qrels_file}: no query id matches {queries_file.name}")
    return RetrievalData(folder.name, corpus, {q: by_number[q] for q in qrels}, qrels)


def load_retrieval(path: str | Path, *, split: str | None = None) -> RetrievalData:
    """A retrieval set from a BEIR folder or a SMART collection folder."""
    folder = Path(path)
    if not folder.is_dir():
        what = "a folder (BEIR: corpus.jsonl, queries.jsonl, qrels/<split>.tsv)"
        if folder.exists():
            raise EmbedlabError(f"{folder}: expected {what}, found a file")
        raise EmbedlabError(f"{folder}: no such folder; expected {what}")
    if _find(folder, "corpus.jsonl") or (folder / "qrels").is_dir():
        return load_beir(folder, split=split)
    return load_smart(folder)


# -- word pairs and analogies ------------------------------------------------------------------


def load_word_pairs(path: str | Path) -> WordPairs:
    """Word pairs with a score: gensim's ``wordsim353.tsv``/``simlex999.txt`` layout.

    ``#`` lines are comments; cells are tab-separated (or space-separated if a line has no tab);
    a header row is allowed (the score column is then the one named like a score, else the
    first numeric one after the two words).
    """
    path = Path(path)
    words1, words2, scores = [], [], []
    score_index: int | None = None
    for number, line in enumerate(_lines(read_text(path)), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t") if "\t" in line else line.split()
        cells = [c.strip() for c in cells]
        if score_index is None:
            lowered = [c.lower() for c in cells]
            named = [i for i, c in enumerate(lowered) if i >= 2 and
                     (c in SCORE_NAMES or "simlex" in c or "mean" in c)]
            numeric = [i for i, c in enumerate(cells) if i >= 2 and is_number(c)]
            if not numeric and len(cells) >= 3:
                score_index = named[0] if named else 2
                continue  # a header row
            if not numeric:
                raise EmbedlabError(f"{path}: line {number}: expected 'word1<TAB>word2<TAB>"
                                    f"score', found {line.strip()[:60]!r}")
            score_index = numeric[0]
        if len(cells) <= score_index or not is_number(cells[score_index]):
            raise EmbedlabError(f"{path}: line {number}: expected 'word1<TAB>word2<TAB>score', "
                                f"found {line.strip()[:60]!r}")
        words1.append(cells[0])
        words2.append(cells[1])
        scores.append(float(cells[score_index]))
    if len(scores) < 2:
        raise EmbedlabError(f"{path}: expected word pairs with scores ('word1<TAB>word2<TAB>"
                            "score' lines), found fewer than two")
    return WordPairs(_stem(path), words1, words2, np.array(scores))


def load_analogies(path: str | Path) -> Analogies:
    """Analogy questions in gensim's ``questions-words.txt`` layout.

    ``: section`` lines start a section; every other line is ``a b c d`` (a is to b as c is to
    d). Questions before any section line go to section ``default``.
    """
    path = Path(path)
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = "default"
    for number, line in enumerate(_lines(read_text(path)), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith(":"):
            current = text[1:].strip() or f"section {len(sections) + 1}"
            sections.setdefault(current, [])
            continue
        words = text.split()
        if len(words) != 4:
            raise EmbedlabError(f"{path}: line {number}: expected four words 'a b c d' or a "
                                f"': section' line, found {text[:60]!r}")
        sections.setdefault(current, []).append((words[0], words[1], words[2], words[3]))
    sections = {k: v for k, v in sections.items() if v}
    if not sections:
        raise EmbedlabError(f"{path}: no analogy questions; expected ': section' lines and "
                            "'a b c d' lines (gensim questions-words.txt layout)")
    return Analogies(_stem(path), sections)


# -- any text set (geometry) -------------------------------------------------------------------


def load_text_set(path: str | Path, *, split: str | None = None, text_field: str | None = None,
                  label_field: str | None = None, positive_fraction: float = 0.8) -> TextSet:
    """Texts for intrinsic geometry, with labels or positive pairs where the layout has them.

    A BEIR folder gives its corpus and (query, relevant document) pairs; a pair file gives its
    texts and the pairs labelled 1; an STS file the pairs scored in the top 20% of the score range
    (4-5 on STS-B's 0-5); a labelled file its texts and labels; a plain ``.txt`` one text per line.
    """
    path = Path(path)
    if path.is_dir() and (_find(path, "corpus.jsonl") or (path / "qrels").is_dir()):
        return _beir_text_set(load_retrieval(path, split=split))
    src = _resolve_file(path, split, "texts")
    file = src.file
    lower = file.name.lower().removesuffix(".gz")
    if _is_jsonl(file):
        return _jsonl_text_set(src, text_field, label_field)
    if not lower.endswith((".csv", ".tsv", ".data", ".tab")):
        lines = [ln.strip() for ln in _lines(read_text(file)) if ln.strip()]
        if lines and not any("\t" in ln for ln in lines[:20]):
            return TextSet(src.name, lines)
    names = list(TEXT_NAMES + LABEL_NAMES + SCORE_NAMES) + [n for p in PAIR_NAMES for n in p]
    table = _read_table(file, names)
    if table.width == 1:
        return TextSet(src.name, table.column(0))
    numeric = _numeric_columns(table.rows, table.width)
    non_numeric = [i for i in range(table.width) if i not in numeric]
    named_pair = any(table.find([a]) is not None and table.find([b]) is not None
                     for a, b in PAIR_NAMES)
    unnamed_pair = (len(non_numeric) >= 2 and numeric and table.find(TEXT_NAMES) is None
                    and text_field is None)
    if named_pair or unnamed_pair or (text_field and "," in text_field):
        texts1, texts2, scores, used = read_pair_table(
            file, split=src.row_split, text_field=text_field, label_field=label_field,
            what="a pair or STS file")
        if set(scores.tolist()) <= {0.0, 1.0}:
            keep = scores == 1.0
        else:
            keep = scores >= scores.min() + positive_fraction * np.ptp(scores)
        pos1 = [t for t, k in zip(texts1, keep, strict=True) if k]
        pos2 = [t for t, k in zip(texts2, keep, strict=True) if k]
        return TextSet(src.display(used), list(dict.fromkeys(texts1 + texts2)), None,
                       (pos1, pos2))
    data, used = read_labelled(file, split=src.row_split, text_field=text_field,
                               label_field=label_field)
    return TextSet(src.display(used), data.texts, data.labels)


def _beir_text_set(data: RetrievalData) -> TextSet:
    judged = [(q, d) for q, j in data.qrels.items() for d, g in j.items()
              if g > 0 and d in data.corpus]
    pairs = ([data.queries[q] for q, _ in judged], [data.corpus[d] for _, d in judged])
    return TextSet(data.name, list(data.corpus.values()), None, pairs)


def _jsonl_text_set(src: _Source, text_field: str | None, label_field: str | None) -> TextSet:
    objects = read_jsonl(src.file)
    if not objects:
        raise EmbedlabError(f"{src.file}: the file is empty; expected one JSON object per line")
    keys = {k.lower(): k for k in objects[0][1]}
    text_key = text_field or next((keys[n] for n in TEXT_NAMES if n in keys), None)
    if text_key is None:
        raise EmbedlabError(f"{src.file}: expected a text field ({', '.join(TEXT_NAMES[:5])}, "
                            f"...), found fields {list(keys.values())}; name it with text_field")
    label_key = label_field or next((keys[n] for n in LABEL_NAMES if n in keys), None)
    texts = [str(o.get(text_key, "")) for _, o in objects]
    labels = [str(o.get(label_key, "")) for _, o in objects] if label_key else None
    return TextSet(src.name, texts, labels)


# -- well-known data sets that installed packages ship -----------------------------------------


def gensim_test_data() -> Path | None:
    """gensim's ``test/test_data`` folder, found without importing gensim."""
    try:
        spec = importlib.util.find_spec("gensim")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data"
    return folder if folder.is_dir() else None


#: name -> (task kinds it suits, file(s) inside gensim's test data)
BUILTIN_DATASETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "wordsim353": (("word-similarity",), ("wordsim353.tsv",)),
    "simlex999": (("word-similarity",), ("simlex999.txt",)),
    "google-analogies": (("analogy",), ("questions-words.txt",)),
    "lee": (("doc-similarity", "geometry"), ("lee.cor", "similarities0-1.txt")),
}
BUILTIN_ALIASES = {"questions-words": "google-analogies", "ws353": "wordsim353",
                   "simlex": "simlex999", "wordsim": "wordsim353", "analogies": "google-analogies"}


def builtin_files(name: str) -> tuple[Path, ...] | None:
    """The files of a well-known data set shipped by an installed package, or None."""
    key = BUILTIN_ALIASES.get(name.lower(), name.lower())
    if key not in BUILTIN_DATASETS:
        return None
    folder = gensim_test_data()
    if folder is None:
        raise EmbedlabError(f"data set {name!r} ships with gensim, which is not installed: "
                            "pip install gensim")
    files = tuple(folder / f for f in BUILTIN_DATASETS[key][1])
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise EmbedlabError(f"{missing[0]}: not found in this gensim installation")
    return files
