"""Documents to index: id, text and metadata, read from the files ``embedlab encode`` reads.

In: a path (``.txt``, ``.jsonl``/``.ndjson``, ``.json``, ``.csv``/``.tsv``, ``.parquet``, each
gzip-compressed or not, or ``-``), an optional text field and id field. Out: a
:class:`DocumentSet`. The text field and the id field are found as ``embedlab encode`` finds
them; every other field is metadata. Nested objects are flattened to dotted names
(``{"meta": {"year": 2020}}`` -> ``meta.year``). A ``title`` field stays metadata and is also put
in front of the text, as BEIR does (so a BEIR ``corpus.jsonl`` indexes the same texts its
evaluation embeds). Files without ids get ids from the index (``0``, ``1``, ... continuing
across adds). For an image model, :func:`image_documents` reads a folder, glob, list or table of
image files instead: the id is the image's relative path, the text its absolute path (what the
model encodes), the metadata its ``path`` (and ``label`` where a table has one).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedlab.data.columns import ID_NAMES, pick_column, text_column
from embedlab.data.images import read_images
from embedlab.data.records import FileRows, read_rows, table_records
from embedlab.errors import EmbedlabError

TITLE_FIELD = "title"


@dataclass(frozen=True)
class Document:
    """One document: its id, its text, and its metadata (JSON values)."""

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class DocumentSet:
    """Documents in file order; ``has_ids`` says whether the ids came from the file."""

    documents: list[Document]
    has_ids: bool
    source: str


def flatten(meta: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects flattened to dotted keys; other values unchanged."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def filter_terms(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """The ``(field, value)`` pairs a filter can match: scalars, and each scalar of a list.

    Values are compared as text: strings as they are, numbers and booleans as JSON writes them.
    """
    terms: list[tuple[str, str]] = []
    for key, value in meta.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is None or isinstance(v, (dict, list)):
                continue
            terms.append((key, v if isinstance(v, str) else json.dumps(v)))
    return terms


def _from_records(records: list[tuple[int, dict[str, Any]]], field_name: str | None,
                  id_field: str | None, path: str) -> DocumentSet:
    columns = list(dict.fromkeys(k for _, rec in records for k in rec))
    text_key = text_column(columns, field_name, path)
    id_key = pick_column(columns, id_field, ID_NAMES, source=path, role="id field",
                         exclude=text_key)
    docs: list[Document] = []
    for i, (row, rec) in enumerate(records):
        if text_key not in rec:
            raise EmbedlabError(f"{path}: row {row} has no field {text_key!r}")
        text = rec[text_key]
        if text is None or isinstance(text, (bool, list, dict)):
            raise EmbedlabError(f"{path}: row {row}: field {text_key!r} is not text")
        text = str(text)
        title = rec.get(TITLE_FIELD) if text_key != TITLE_FIELD else None
        if isinstance(title, str) and title:
            text = f"{title} {text}"
        if id_key is not None:
            if rec.get(id_key) is None:
                raise EmbedlabError(f"{path}: row {row} has no id in field {id_key!r}")
            doc_id = str(rec[id_key])
        else:
            doc_id = str(i)
        meta = flatten({k: v for k, v in rec.items() if k not in (text_key, id_key)})
        docs.append(Document(doc_id, text.strip(), meta))
    return DocumentSet(docs, id_key is not None, path)


def _records(rows: FileRows) -> list[tuple[int, Any]]:
    """The rows as ``(row number, JSON object or plain string)``: every format in one shape."""
    if rows.values is not None:
        return rows.values
    if rows.header is not None and rows.cells is not None:
        header = rows.header
        return [(number, {name: cells[i] if i < len(cells) else None
                          for i, name in enumerate(header)}) for number, cells in rows.cells]
    if rows.table is not None:
        return table_records(rows.table, rows.source)
    return list(enumerate(rows.lines or [], start=1))


def read_documents(path: str | Path, field: str | None = None,
                   id_field: str | None = None) -> DocumentSet:
    """Documents of one file (see the module docstring); an :class:`EmbedlabError` if bad."""
    rows = read_rows(path)
    path = rows.source
    records = _records(rows)
    if not records:
        raise EmbedlabError(f"{path}: no texts to read (the file is empty)")
    if all(isinstance(r, dict) for _, r in records):
        out = _from_records(records, field, id_field, path)
    elif all(isinstance(r, str) for _, r in records):  # plain lines, or a JSON list of strings
        if field is not None:
            what = "plain text has one text a line" if rows.lines is not None \
                else "rows are plain strings"
            raise EmbedlabError(f"{path}: {what}, no field {field!r}")
        if id_field is not None:
            raise EmbedlabError(f"{path}: the file has no fields, so no id field {id_field!r}")
        out = DocumentSet([Document(str(i), str(t).strip()) for i, (_, t) in enumerate(records)],
                          False, path)
    else:
        row = next(n for n, r in records if not isinstance(r, dict))
        bad = next(r for n, r in records if n == row)
        raise EmbedlabError(f"{path}: row {row} is {type(bad).__name__}, expected an object")
    seen: dict[str, int] = {}
    for i, doc in enumerate(out.documents):
        if doc.id in seen:
            raise EmbedlabError(f"{path}: document id {doc.id!r} appears twice (documents "
                                f"{seen[doc.id] + 1} and {i + 1})")
        seen[doc.id] = i
    return out


def as_documents(source: str | Path | Sequence[Document] | Sequence[str] | DocumentSet,
                 field: str | None = None, id_field: str | None = None) -> DocumentSet:
    """A :class:`DocumentSet` from a path, documents, or plain texts (ids given by the index)."""
    if isinstance(source, DocumentSet):
        return source
    if isinstance(source, (str, Path)):
        return read_documents(source, field, id_field)
    items = list(source)
    if not items:
        raise EmbedlabError("no documents given")
    if all(isinstance(d, Document) for d in items):
        ids = [d.id for d in items]  # type: ignore[union-attr]
        if len(set(ids)) != len(ids):
            raise EmbedlabError("document ids must be unique")
        return DocumentSet(items, True, "<documents>")  # type: ignore[arg-type]
    if all(isinstance(t, str) for t in items):
        return DocumentSet([Document(str(i), t) for i, t in enumerate(items)],  # type: ignore
                           False, "<texts>")
    raise EmbedlabError("documents must be a path, a list of Document, or a list of strings")


def image_documents(source: str | Path | DocumentSet, field: str | None = None) -> DocumentSet:
    """One document per image file (see the module docstring)."""
    if isinstance(source, DocumentSet):
        return source
    if not isinstance(source, (str, Path)):
        raise EmbedlabError("an image index takes a folder, glob, list or table of image files")
    images = read_images(source, field)
    docs = []
    for i, (image_id, path) in enumerate(zip(images.ids, images.paths, strict=True)):
        meta: dict[str, Any] = {"path": str(path)}
        if images.labels is not None:
            meta["label"] = images.labels[i]
        docs.append(Document(image_id, str(path), meta))
    if len({d.id for d in docs}) != len(docs):
        raise EmbedlabError(f"{images.source}: an image is named twice")
    return DocumentSet(docs, True, images.source)
