"""Typos for a spelling benchmark: queries with one edit in a share of their long words.

In: a text (or a queries file), a ``rate`` and a ``seed``. Out: the same text where each word
of more than three letters is hit with probability ``rate`` by one edit, chosen uniformly:
insertion, deletion or substitution of a lower-case letter, or transposition of two
neighbouring letters (Damerau's four kinds). Numbers and words with digits or underscores are
never touched. The randomness of each query comes from ``(seed, query id)`` alone (Python's
``random.Random`` seeded with a string, stable across runs and machines), so the same seed gives
the same file, and a query's typos do not depend on the queries before it.

Files (:func:`corrupt_file`), written in the format they were read in: BEIR ``queries.jsonl``
(the text field: ``text``, or the usual names), SMART query files (``.I`` records, such as
Cranfield's ``cran.qry``: the ``.W`` and ``.T`` lines), TSV/CSV (the ``text``/``query`` column
where there is a header, else the last), and plain text (one query a line). Written here: a
dozen lines of string edits, where the typo libraries draw from keyboard models we do not want.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import string
from pathlib import Path

from embedlab.data.columns import TEXT_NAMES, guess_column
from embedlab.data.records import read_text, split_lines, starts_with
from embedlab.errors import EmbedlabError
from embedlab.files import atomic_write

_WORD = re.compile(r"\b[^\W\d_]{4,}\b")
EDITS = ("insert", "delete", "substitute", "transpose")


def edit_word(word: str, rng: random.Random) -> str:
    """One random edit of ``word`` (see the module docstring); never the word itself."""
    kind = rng.choice(EDITS)
    at = rng.randrange(len(word))
    if kind == "insert":
        return word[:at] + rng.choice(string.ascii_lowercase) + word[at:]
    if kind == "delete":
        return word[:at] + word[at + 1:]
    if kind == "transpose":
        pairs = [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
        if pairs:
            i = rng.choice(pairs)
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    letter = rng.choice([c for c in string.ascii_lowercase if c != word[at].lower()])
    return word[:at] + letter + word[at + 1:]


def add_typos(text: str, rate: float, rng: random.Random) -> str:
    """``text`` with each word of 4+ letters edited once with probability ``rate``."""
    return _WORD.sub(lambda m: edit_word(m.group(), rng) if rng.random() < rate
                     else m.group(), text)


def query_rng(seed: int, key: str) -> random.Random:
    """The random source of one query: from the seed and the query's id (or line number)."""
    return random.Random(f"{seed}\x00{key}")


def add_typos_to_queries(queries: dict[str, str], rate: float, seed: int) -> dict[str, str]:
    """``id -> text`` with typos, each query seeded by ``(seed, id)``."""
    check_rate(rate)
    return {q: add_typos(t, rate, query_rng(seed, q)) for q, t in queries.items()}


def check_rate(rate: float) -> None:
    if not 0.0 <= rate <= 1.0:
        raise EmbedlabError(f"the typo rate must be between 0 and 1, got {rate}")


def default_output(path: Path, rate: float, seed: int) -> Path:
    """``queries.jsonl`` -> ``queries.typos-r30-s0.jsonl`` beside it; ``cran.qry`` ->
    ``cran.qry.typos-r30-s0`` (a SMART folder still finds its queries by name)."""
    tag = f"typos-r{round(rate * 100)}-s{seed}"
    if path.suffix.lower() in (".jsonl", ".json", ".tsv", ".csv", ".txt"):
        return path.with_name(f"{path.stem}.{tag}{path.suffix}")
    return path.with_name(f"{path.name}.{tag}")


def _jsonl(text: str, path: Path, rate: float, seed: int) -> str:
    out = []
    for number, line in enumerate(split_lines(text), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise EmbedlabError(f"{path}: line {number} is not JSON") from None
        field = guess_column(list(obj), TEXT_NAMES) if isinstance(obj, dict) else None
        if field is None:
            raise EmbedlabError(f"{path}: line {number}: no text field (expected one of "
                                f"{', '.join(TEXT_NAMES[:6])}, ...)")
        key = str(obj.get("_id", obj.get("id", number)))
        obj[field] = add_typos(str(obj[field]), rate, query_rng(seed, key))
        out.append(json.dumps(obj, ensure_ascii=False) + "\n")
    return "".join(out)


def _smart(text: str, rate: float, seed: int) -> str:
    out, key, field = [], "", ""
    for line in split_lines(text):
        if line.startswith(".I"):
            key, field = line[2:].strip(), ""
            rng = query_rng(seed, key)
        elif re.match(r"^\.[A-Z]\s*$", line):
            field = line[1]
        elif field in ("T", "W"):
            line = add_typos(line, rate, rng)
        out.append(line + "\n")
    return "".join(out)


def _table(text: str, delimiter: str, rate: float, seed: int) -> str:
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    column = guess_column(rows[0], TEXT_NAMES) if rows else None
    at = rows[0].index(column) if column is not None else -1
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    for number, row in enumerate(rows):
        if row and not (column is not None and number == 0):
            row[at] = add_typos(row[at], rate, query_rng(seed, row[0] if len(row) > 1
                                                         else str(number)))
        writer.writerow(row)
    return buffer.getvalue()


def corrupt_file(path: str | Path, rate: float = 0.3, seed: int = 0,
                 out: str | Path | None = None) -> Path:
    """Write the queries of ``path`` with typos to ``out`` (default: beside it); the path."""
    check_rate(rate)
    path = Path(path)
    if not path.is_file():
        raise EmbedlabError(f"{path}: no such file")
    target = Path(out) if out is not None else default_output(path, rate, seed)
    if target.resolve() == path.resolve():
        raise EmbedlabError(f"{target}: the output would overwrite the original queries")
    text = read_text(path)
    if not text.strip():
        raise EmbedlabError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        result = _jsonl(text, path, rate, seed)
    elif starts_with(path, b".I"):
        result = _smart(text, rate, seed)
    elif suffix in (".tsv", ".csv"):
        result = _table(text, "\t" if suffix == ".tsv" else ",", rate, seed)
    else:
        result = "".join(add_typos(line, rate, query_rng(seed, str(n))) + "\n"
                         for n, line in enumerate(split_lines(text), 1))
    atomic_write(target, result)
    return target
