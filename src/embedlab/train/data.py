"""Training data from users' files: pairs, triplets, scored or labelled pairs, BEIR qrels, raw text.

In: a path. Out: :class:`TrainingData` — columns of texts (``anchor``, ``positive``, optional
``negative_1..N``) or (``sentence1``, ``sentence2``, ``score``/``label``), and its ``shape``, which
picks the default loss. Layouts:

- CSV / TSV / JSONL with named columns (``anchor``/``query``/``sentence1``/``text1``,
  ``positive``/``pos``/``sentence2``/``text2``, ``negative``/``neg``, ``score``, ``label``), or
  headerless TSV/CSV: 2 text columns = pairs, 3 text columns = triplets, 2 texts and a number =
  scored pairs (integers 0/1 only = labelled pairs);
- a BEIR folder: (query, relevant document) pairs from ``qrels/<split>.tsv`` (default train);
- ``.txt``: one raw text a line, for unsupervised SimCSE.

Every problem raises :class:`EmbedlabError` naming the file and the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from embedlab.data.records import read_text
from embedlab.data.retrieval_sets import read_qrels
from embedlab.data.tables import is_number, read_jsonl, read_rows
from embedlab.errors import EmbedlabError

_ANCHOR = ("anchor", "query", "question", "sentence1", "text1", "s1", "premise")
_POSITIVE = ("positive", "pos", "answer", "document", "passage", "sentence2", "text2", "s2",
             "hypothesis")
_NEGATIVE = ("negative", "neg", "hard_negative")
_SCORE = ("score", "similarity")
_LABEL = ("label", "labels")


class DataShape(StrEnum):
    PAIRS = "pairs"
    TRIPLETS = "triplets"
    SCORED = "scored-pairs"
    LABELLED = "labelled-pairs"
    TEXTS = "texts"


@dataclass
class TrainingData:
    """Columns of equal length; ``columns`` keeps the order the loss expects."""

    source: str
    shape: DataShape
    columns: dict[str, list]
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @property
    def anchors(self) -> list[str]:
        return self.columns[next(iter(self.columns))]


def _check_texts(path: Path, row: int, cells: list[str], names: list[str]) -> None:
    for name, cell in zip(names, cells, strict=True):
        if not cell.strip():
            raise EmbedlabError(f"{path}: row {row}: the {name} text is empty")


def _score(path: Path, row: int, cell: str, labelled: bool) -> float:
    if not is_number(cell):
        raise EmbedlabError(f"{path}: row {row}: expected a number for the "
                            f"{'label' if labelled else 'score'}, found {cell[:30]!r}")
    value = float(cell)
    if labelled and value not in (0.0, 1.0):
        raise EmbedlabError(f"{path}: row {row}: label {cell!r} is out of range; expected 0 or 1")
    return value


def _finish(path: Path, shape: DataShape, columns: dict[str, list]) -> TrainingData:
    if not columns or not next(iter(columns.values())):
        raise EmbedlabError(f"{path}: no training rows")
    if shape is DataShape.SCORED:
        scores = np.asarray(columns["score"], dtype=np.float64)
        low, high = scores.min(), scores.max()
        if high == low:
            raise EmbedlabError(f"{path}: every score is {low}; scored pairs need varied scores")
        if low < 0 or high > 1:  # CoSENT works on any scale, but cosine targets live in [0, 1]
            columns["score"] = list((scores - low) / (high - low))
    return TrainingData(str(path), shape, columns)


def _named_columns(path: Path, header: list[str]) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]

    def find(names: tuple[str, ...]) -> int | None:
        return next((lowered.index(n) for n in names if n in lowered), None)

    found = {"anchor": find(_ANCHOR), "positive": find(_POSITIVE), "score": find(_SCORE),
             "label": find(_LABEL)}
    negatives = [i for i, h in enumerate(lowered)
                 if h in _NEGATIVE or any(h.startswith(n + "_") for n in _NEGATIVE)]
    if found["anchor"] is None or found["positive"] is None:
        raise EmbedlabError(f"{path}: expected columns for an anchor and a positive (e.g. "
                            f"anchor,positive or sentence1,sentence2), found {header}")
    columns = {k: v for k, v in found.items() if v is not None}
    for j, i in enumerate(negatives, 1):
        columns[f"negative_{j}"] = i
    return columns


def _from_records(path: Path, records: list[tuple[int, list[str]]],
                  layout: dict[str, int]) -> TrainingData:
    negatives = sorted(k for k in layout if k.startswith("negative_"))
    if "score" in layout or "label" in layout:
        key = "score" if "score" in layout else "label"
        shape = DataShape.SCORED if key == "score" else DataShape.LABELLED
        columns: dict[str, list] = {"sentence1": [], "sentence2": [], key: []}
        for row, cells in records:
            if max(layout["anchor"], layout["positive"], layout[key]) >= len(cells):
                raise EmbedlabError(f"{path}: row {row} has {len(cells)} fields; a field is "
                                    "missing")
            a, b = cells[layout["anchor"]], cells[layout["positive"]]
            _check_texts(path, row, [a, b], ["first", "second"])
            columns["sentence1"].append(a)
            columns["sentence2"].append(b)
            columns[key].append(_score(path, row, cells[layout[key]], key == "label"))
        return _finish(path, shape, columns)
    names = ["anchor", "positive", *negatives]
    columns = {n: [] for n in names}
    for row, cells in records:
        if max(layout[n] for n in names) >= len(cells):
            raise EmbedlabError(f"{path}: row {row} has {len(cells)} fields; a field is missing")
        values = [cells[layout[n]] for n in names]
        _check_texts(path, row, values, names)
        for n, v in zip(names, values, strict=True):
            columns[n].append(v)
    return _finish(path, DataShape.TRIPLETS if negatives else DataShape.PAIRS, columns)


def _read_table(path: Path) -> TrainingData:
    rows = read_rows(path)
    if not rows:
        raise EmbedlabError(f"{path}: the file is empty")
    first = rows[0][1]
    lowered = {c.lower() for c in first}
    known = set(_ANCHOR + _POSITIVE + _NEGATIVE + _SCORE + _LABEL)
    if lowered & known and not any(is_number(c) for c in first):
        layout = _named_columns(path, first)
        return _from_records(path, rows[1:], layout)
    width = len(first)
    if width < 2:
        raise EmbedlabError(f"{path}: expected 2 or 3 columns (pairs, triplets or scored pairs), "
                            f"found {width}")
    if width == 3 and is_number(first[-1]):  # the first row decides; a bad row is an error
        labels = {cells[-1] for _, cells in rows}
        key = "label" if labels <= {"0", "1"} else "score"
        return _from_records(path, rows, {"anchor": 0, "positive": 1, key: 2})
    layout = {"anchor": 0, "positive": 1}
    for j in range(2, width):
        layout[f"negative_{j - 1}"] = j
    return _from_records(path, rows, layout)


def _read_jsonl(path: Path) -> TrainingData:
    records = read_jsonl(path)
    if not records:
        raise EmbedlabError(f"{path}: the file is empty")
    keys = list(dict.fromkeys(k for _, obj in records for k in obj))
    layout = _named_columns(path, keys)
    rows = []
    for row, obj in records:
        cells = []
        for k in keys:
            value = obj.get(k)
            if value is None:
                value = ""
            cells.append(str(value) if not isinstance(value, str) else value)
        rows.append((row, cells))
    return _from_records(path, rows, layout)


def _read_beir(folder: Path, split: str) -> TrainingData:
    from embedlab.data.retrieval_sets import read_beir_texts  # same reading as evaluation

    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise EmbedlabError(f"{folder}: no qrels/{split}.tsv with training pairs")
    corpus = read_beir_texts(folder / "corpus.jsonl", with_title=True)
    queries = read_beir_texts(folder / "queries.jsonl", with_title=False)
    qrels = read_qrels(qrels_path)
    columns: dict[str, list] = {"anchor": [], "positive": []}
    for qid, docs in qrels.items():
        if qid not in queries:
            raise EmbedlabError(f"{qrels_path}: query id {qid!r} is not in queries.jsonl")
        for did, grade in docs.items():
            if did not in corpus:
                raise EmbedlabError(f"{qrels_path}: document id {did!r} (query {qid!r}) is not "
                                    "in corpus.jsonl")
            if grade > 0:
                columns["anchor"].append(queries[qid])
                columns["positive"].append(corpus[did])
    data = _finish(qrels_path, DataShape.PAIRS, columns)
    data.source = str(folder)
    return data


def read_texts_for_simcse(path: Path) -> TrainingData:
    lines = [ln.strip() for ln in read_text(path).split("\n") if ln.strip()]
    if not lines:
        raise EmbedlabError(f"{path}: no texts")
    return TrainingData(str(path), DataShape.TEXTS, {"anchor": lines, "positive": list(lines)})


def read_training_data(path: str | Path, *, split: str = "train") -> TrainingData:
    """Training examples from a file or BEIR folder (see the module docstring)."""
    path = Path(path)
    if path.is_dir():
        if (path / "corpus.jsonl").is_file() and (path / "qrels").is_dir():
            return _read_beir(path, split)
        raise EmbedlabError(f"{path}: a folder must be BEIR (corpus.jsonl, queries.jsonl, "
                            "qrels/<split>.tsv)")
    if not path.is_file():
        raise EmbedlabError(f"{path}: file not found")
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return _read_jsonl(path)
    if name.endswith((".csv", ".tsv", ".data", ".tab")):
        return _read_table(path)
    if name.endswith(".txt"):
        return read_texts_for_simcse(path)
    raise EmbedlabError(f"{path}: unknown training file format; expected .csv, .tsv, .jsonl, "
                        ".txt or a BEIR folder")
