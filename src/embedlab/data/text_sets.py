"""Any texts for intrinsic geometry, with labels or positive pairs where the layout has them.

In: a plain ``.txt`` (one text a line), a labelled CSV/TSV/JSONL file, a pair or STS file, or a
BEIR folder, and optionally ``split``, ``text_field`` and ``label_field``. Out: a
:class:`TextSet`: the texts, their labels (labelled files), or positive pairs (pairs labelled 1,
STS pairs scored in the top 20% of the range, BEIR query and relevant document).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from embedlab.data.columns import (
    LABEL_NAMES,
    PAIR_NAMES,
    SCORE_NAMES,
    TEXT_NAMES,
    pick_column,
    task_field,
)
from embedlab.data.datasets import RetrievalData, TextSet
from embedlab.data.labelled import read_labelled
from embedlab.data.pairs import read_pair_table
from embedlab.data.records import JSON_FORMATS, file_format, read_text, split_lines
from embedlab.data.retrieval_sets import is_beir_folder, load_retrieval
from embedlab.data.splits import DataFile, resolve_data_file
from embedlab.data.tables import numeric_columns, read_jsonl, read_table
from embedlab.errors import EmbedlabError


def load_text_set(path: str | Path, *, split: str | None = None, text_field: str | None = None,
                  label_field: str | None = None, positive_fraction: float = 0.8) -> TextSet:
    """Texts for intrinsic geometry, with labels or positive pairs where the layout has them.

    A BEIR folder gives its corpus and (query, relevant document) pairs; a pair file gives its
    texts and the pairs labelled 1; an STS file the pairs scored in the top 20% of the score range
    (4-5 on STS-B's 0-5); a labelled file its texts and labels; a plain ``.txt`` one text per line.
    """
    path = Path(path)
    if path.is_dir() and is_beir_folder(path):
        return _beir_text_set(load_retrieval(path, split=split))
    src = resolve_data_file(path, split, "texts")
    file = src.file
    suffix = file_format(file)
    if suffix in JSON_FORMATS:
        return _jsonl_text_set(src, text_field, label_field)
    if suffix not in (".csv", ".tsv", ".data", ".tab"):
        lines = [ln.strip() for ln in split_lines(read_text(file)) if ln.strip()]
        if lines and not any("\t" in ln for ln in lines[:20]):
            return TextSet(src.name, lines)
    names = list(TEXT_NAMES + LABEL_NAMES + SCORE_NAMES) + [n for p in PAIR_NAMES for n in p]
    table = read_table(file, names)
    if table.width == 1:
        return TextSet(src.name, table.column(0))
    numeric = numeric_columns(table.rows, table.width)
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


def _jsonl_text_set(src: DataFile, text_field: str | None, label_field: str | None) -> TextSet:
    objects = read_jsonl(src.file)
    if not objects:
        raise EmbedlabError(f"{src.file}: the file is empty; expected one JSON object per line")
    keys = list(dict.fromkeys(k for _, obj in objects for k in obj))
    text_key = task_field(keys, text_field, TEXT_NAMES, source=src.file, role="text")
    label_key = pick_column(keys, label_field, LABEL_NAMES, source=src.file, role="label field")
    texts = [str(o.get(text_key, "")) for _, o in objects]
    labels = [str(o.get(label_key, "")) for _, o in objects] if label_key else None
    return TextSet(src.name, texts, labels)
