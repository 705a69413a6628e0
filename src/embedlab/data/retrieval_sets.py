"""Retrieval sets: BEIR folders and SMART collections (such as Cranfield), with their qrels.

In: a folder and, for BEIR, the split of ``qrels/<split>.tsv`` (default test). BEIR:
``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` and qrels with or without a
header, 3 columns or TREC's 4. SMART: documents and queries in ``.I`` records, and a qrels file.
Out: :class:`RetrievalData` (corpus, the judged queries, graded qrels). Layout problems raise
:class:`EmbedlabError` naming the file and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path

from embedlab.data.columns import ID_NAMES, guess_column
from embedlab.data.datasets import RetrievalData
from embedlab.data.records import read_text, split_lines, starts_with
from embedlab.data.splits import split_names, with_split
from embedlab.data.tables import is_number, read_jsonl
from embedlab.errors import EmbedlabError


def find_file(folder: Path, *names: str) -> Path | None:
    """The first of ``names`` that ``folder`` holds, plain or with ``.gz`` added."""
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def is_beir_folder(folder: Path) -> bool:
    """Whether a folder looks like BEIR: a ``corpus.jsonl`` or a ``qrels/`` folder."""
    return find_file(folder, "corpus.jsonl") is not None or (folder / "qrels").is_dir()


def read_beir_texts(path: Path, with_title: bool) -> dict[str, str]:
    """``id -> text`` of a BEIR ``corpus.jsonl`` or ``queries.jsonl`` (title first if asked)."""
    out: dict[str, str] = {}
    for number, obj in read_jsonl(path):
        key = guess_column(list(obj), ID_NAMES)
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
    for i, line in enumerate(split_lines(read_text(path)), 1):
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
    corpus_file = find_file(folder, "corpus.jsonl")
    queries_file = find_file(folder, "queries.jsonl")
    if corpus_file is None or queries_file is None:
        raise EmbedlabError(f"{folder}: expected a BEIR folder with corpus.jsonl, queries.jsonl "
                            "and qrels/<split>.tsv")
    qrels_file, used = _qrels_file(folder, split)
    corpus = read_beir_texts(corpus_file, with_title=True)
    queries = read_beir_texts(queries_file, with_title=False)
    qrels = {q: j for q, j in read_qrels(qrels_file).items() if q in queries}
    if not qrels:
        raise EmbedlabError(f"{qrels_file}: none of its query ids is in {queries_file.name}; "
                            "expected the ids of queries.jsonl")
    return RetrievalData(with_split(folder.name, used), corpus,
                         {q: queries[q] for q in qrels}, qrels)


def _smart_records(path: Path) -> list[tuple[str, str]]:
    """``(.I id, text of .T and .W fields)`` records of a SMART-format file."""
    records: list[tuple[str, str]] = []
    field = None
    parts: list[str] = []
    current: str | None = None

    def close() -> None:
        if current is not None:
            records.append((current, " ".join(" ".join(parts).split())))

    for line in split_lines(read_text(path)):
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
    smart = [p for p in files if starts_with(p, b".I")]
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
    if is_beir_folder(folder):
        return load_beir(folder, split=split)
    return load_smart(folder)
