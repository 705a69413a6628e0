"""Which column (or JSON field) holds the texts, the ids, the labels, the scores, the pairs.

In: the column names a file has, and the name a user gave, if any. Out: the column to read, or
None where nothing fits. One ordered list of known names per role, the most usual first; one
rule for every reader: a name the user gives wins (exact, else ignoring case) and is an error
naming the available columns when the file lacks it; otherwise the first known name the file
has (ignoring case).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from embedlab.errors import EmbedlabError

TEXT_NAMES = ("text", "sentence", "content", "body", "passage", "document", "utterance",
              "query", "question", "review", "input", "comment", "abstract", "title")
ID_NAMES = ("_id", "id", "doc_id", "docid", "uid", "query_id", "qid")
LABEL_NAMES = ("label", "category", "class", "intent", "target", "labels", "topic",
               "sentiment")
SCORE_NAMES = ("score", "similarity", "sim", "gold", "gold_score", "relatedness",
               "relatedness_score", "rating", "human", "label", "labels", "is_duplicate",
               "is_paraphrase", "quality")
PAIR_NAMES = (("sentence1", "sentence2"), ("s1", "s2"), ("text1", "text2"),
              ("text_a", "text_b"), ("sentence_a", "sentence_b"), ("sentence_1", "sentence_2"),
              ("question1", "question2"), ("premise", "hypothesis"), ("query", "document"),
              ("anchor", "positive"), ("string1", "string2"), ("#1 string", "#2 string"))
#: names of a column that tells the split (train / dev / test) of each row
SPLIT_NAMES = ("split", "set", "subset", "fold", "partition")


def match_column(columns: Sequence[str], given: str) -> str | None:
    """The column named ``given``: the exact name, else the first equal to it ignoring case."""
    if given in columns:
        return given
    return next((c for c in columns if c.lower() == given.lower()), None)


def guess_column(columns: Sequence[str], names: Sequence[str],
                 exclude: str | None = None) -> str | None:
    """The column of the first of ``names`` (in their order) the file has, ignoring case."""
    lowered: dict[str, str] = {}
    for column in columns:
        if column != exclude:
            lowered.setdefault(column.lower(), column)
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def pick_column(columns: Sequence[str], given: str | None, names: Sequence[str], *,
                source: str | Path, role: str = "field", found: str | None = None,
                exclude: str | None = None) -> str | None:
    """The column named ``given`` (an error if the file lacks it), else the guess from ``names``.

    ``role`` names the column in the error (``field``, ``id field``, ``score column``);
    ``found`` describes the available columns there (default: ``fields are [...]``).
    """
    if given is None:
        return guess_column(columns, names, exclude)
    chosen = match_column(columns, given)
    if chosen is None:
        raise EmbedlabError(f"{source}: no {role} {given!r}; "
                            f"{found or f'fields are {list(columns)}'}")
    return chosen


def text_column(columns: Sequence[str], given: str | None, source: str | Path) -> str:
    """The column of texts: the one named, else a known text name, else the only column."""
    chosen = pick_column(columns, given, TEXT_NAMES, source=source)
    if chosen is not None:
        return chosen
    if len(columns) == 1:
        return columns[0]
    raise EmbedlabError(f"{source}: cannot tell which field holds the text (fields are "
                        f"{list(columns)}); name it with --field")


def task_field(columns: Sequence[str], given: str | None, names: Sequence[str], *,
               source: str | Path, role: str) -> str:
    """A field of an evaluation file that must be there: the one named, else a known name."""
    chosen = pick_column(columns, given, names, source=source, role=f"{role} field")
    if chosen is None:
        raise EmbedlabError(f"{source}: expected a {role} field ({', '.join(names[:5])}, ...), "
                            f"found fields {list(columns)}; name it with {role}_field")
    return chosen
