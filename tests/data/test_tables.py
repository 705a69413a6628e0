"""Task files as tables: tab sniffing, header detection, column lookup, JSON objects."""

from __future__ import annotations

import pytest

from embedlab.data.tables import is_number, read_jsonl, read_rows, read_table, select_split
from embedlab.errors import EmbedlabError


def test_rows_split_tabs_without_quoting_and_csv_with_it(tmp_path, write) -> None:
    tabs = write(tmp_path / "rows.txt", ' "a\t b \n\n\t\nc\td\n', gz=True)  # tabs: a tab file
    assert read_rows(tabs) == [(1, ['"a', "b"]), (4, ["c", "d"])]
    csv = write(tmp_path / "rows.csv", 'x,"multi\nline"\n , \ny,z\n')
    assert read_rows(csv) == [(1, ["x", "multi\nline"]), (4, ["y", "z"])]


def test_table_header_columns_and_split(tmp_path, write) -> None:
    path = write(tmp_path / "t.tsv", "Text\tScore\tsplit\na\t1\ttest\nb\t2\ttrain\nc\t3\tdev\n")
    table = read_table(path, ["text"])
    assert table.header == ["Text", "Score", "split"] and table.width == 3
    assert table.find(["sentence", "text"]) == 0 and table.resolve("score", "score") == 1
    assert table.resolve("3", "split") == 2
    with pytest.raises(EmbedlabError, match=r"t.tsv: no label column 'nope'; found columns"):
        table.resolve("nope", "label")
    dev, used = select_split(table, "valid")
    assert (dev.column(0), used) == (["c"], "valid")
    headerless = read_table(write(tmp_path / "h.tsv", "a\t1\nb\t2\n"))
    assert headerless.header is None and headerless.column_names() == ["column 1", "column 2"]


def test_json_objects_keep_their_line(tmp_path, write) -> None:
    path = write(tmp_path / "o.json", '[{"a": 1}, {"a": 2}]')
    assert read_jsonl(path) == [(1, {"a": 1}), (2, {"a": 2})]
    write(tmp_path / "s.jsonl", '{"a": 1}\n"text"\n')
    with pytest.raises(EmbedlabError, match="s.jsonl: line 2 is not a JSON object"):
        read_jsonl(tmp_path / "s.jsonl")
    write(tmp_path / "b.jsonl", '\n{"a": 1}\n{bad\n')
    with pytest.raises(EmbedlabError, match="b.jsonl: line 3 is not JSON; expected one JSON"):
        read_jsonl(tmp_path / "b.jsonl")


def test_is_number() -> None:
    assert is_number(" 2.5 ") and is_number("-1e3")
    assert not is_number("nan") and not is_number("inf") and not is_number("two")
