"""One list of column names per role and one rule to pick a column, shared by every reader."""

from __future__ import annotations

import pytest

from embedlab.data import columns
from embedlab.data.labelled import load_labelled_texts
from embedlab.data.readers import read_texts
from embedlab.data.text_sets import load_text_set
from embedlab.errors import EmbedlabError
from embedlab.search.documents import read_documents

# the two text-name lists this one replaced, in their orders
ENCODE_NAMES = ("text", "sentence", "content", "body", "passage", "document", "query", "input")
TASK_NAMES = ("text", "sentence", "content", "body", "document", "utterance", "query",
              "question", "review", "input", "comment", "title")


def test_one_text_list_keeps_both_old_orders() -> None:
    names = columns.TEXT_NAMES
    # one name more: "abstract", so that a title,abstract file reads the abstract, not the title
    assert names[0] == "text" and set(names) == set(ENCODE_NAMES) | set(TASK_NAMES) | {"abstract"}
    for old in (ENCODE_NAMES, TASK_NAMES):
        assert [n for n in names if n in old] == list(old)
    assert len(set(names)) == len(names)
    assert columns.guess_column(["title", "abstract"], names) == "abstract"


def test_guess_explicit_and_errors() -> None:
    cols = ["ID", "Body", "title"]
    assert columns.guess_column(cols, columns.TEXT_NAMES) == "Body"  # body before title
    assert columns.guess_column(cols, columns.ID_NAMES) == "ID"
    assert columns.guess_column(cols, columns.TEXT_NAMES, exclude="Body") == "title"
    assert columns.guess_column(cols, columns.LABEL_NAMES) is None
    assert columns.pick_column(cols, "title", columns.TEXT_NAMES, source="f") == "title"
    assert columns.pick_column(cols, "body", columns.TEXT_NAMES, source="f") == "Body"
    with pytest.raises(EmbedlabError, match=r"f: no id field 'key'; fields are \['ID', 'Body', "):
        columns.pick_column(cols, "key", columns.ID_NAMES, source="f", role="id field")
    with pytest.raises(EmbedlabError, match=r"f: no score column 'x'; found 3 columns"):
        columns.pick_column(cols, "x", (), source="f", role="score column",
                            found="found 3 columns")
    assert columns.text_column(["only"], None, "f") == "only"
    with pytest.raises(EmbedlabError, match="cannot tell which field holds the text"):
        columns.text_column(["a", "b"], None, "f")
    with pytest.raises(EmbedlabError, match=r"f: expected a label field \(label, category"):
        columns.task_field(["text"], None, columns.LABEL_NAMES, source="f", role="label")


@pytest.mark.parametrize("name", ["utterance", "passage", "review", "Question"])
def test_encode_search_and_tasks_pick_the_same_text_column(tmp_path, write, name) -> None:
    """``embedlab encode``, ``index build`` and the task loaders read one list of names."""
    rows = [("1", f"{name} one", "x"), ("2", f"{name} two", "y"), ("3", f"{name} 3", "x")]
    text = f"id,{name},category\n" + "".join(",".join(r) + "\n" for r in rows)
    path = write(tmp_path / "data.csv", text)
    expected = [r[1] for r in rows]
    table = read_texts(path)
    assert (table.field, table.texts, table.ids) == (name, expected, ["1", "2", "3"])
    assert [d.text for d in read_documents(path).documents] == expected
    labelled = load_labelled_texts(path)
    assert labelled.texts == expected and labelled.labels == ["x", "y", "x"]
    assert load_text_set(path).texts == expected
    jsonl = write(tmp_path / "data.jsonl", "".join(
        f'{{"id": "{i}", "{name}": "{t}", "category": "{c}"}}\n' for i, t, c in rows))
    assert read_texts(jsonl).texts == load_labelled_texts(jsonl).texts == expected
