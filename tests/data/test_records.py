"""Opening files (gzip by magic bytes, stdin, UTF-8) and parsing JSON and CSV/TSV rows."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from embedlab.data import records
from embedlab.errors import EmbedlabError


def test_gzip_is_known_by_its_magic_bytes_whatever_the_name(tmp_path: Path) -> None:
    for name in ("a.txt", "a.jsonl", "a", "a.txt.gz"):
        (tmp_path / name).write_bytes(gzip.compress("\ufeffhé\nthere\n".encode()))
        assert records.read_text(tmp_path / name) == "hé\nthere\n"  # BOM dropped too
    (tmp_path / "plain.gz").write_text("not compressed", encoding="utf-8")
    assert records.read_text(tmp_path / "plain.gz") == "not compressed"
    (tmp_path / "bad.gz").write_bytes(gzip.compress(b"x" * 100)[:20])
    with pytest.raises(EmbedlabError, match="bad.gz: a damaged gzip file"):
        records.read_text(tmp_path / "bad.gz")


def test_undecodable_bytes_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_bytes(b"\xef\xbb\xbfok\nfine\nbad \xff here\n")
    with pytest.raises(EmbedlabError, match=r"x.tsv: not UTF-8 text: line 3 is not valid UTF-8 "
                                            r"\(byte 15\)") as info:
        records.read_text(path)
    assert "\n" not in str(info.value)
    assert records.read_text(path, encoding="latin-1").endswith("bad \xff here\n")


def test_missing_files_folders_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(EmbedlabError, match="nope.txt: file not found"):
        records.read_text(tmp_path / "nope.txt")
    with pytest.raises(EmbedlabError, match="expected a file, found a folder"):
        records.read_text(tmp_path)
    stdin = io.TextIOWrapper(io.BytesIO(gzip.compress(b"from stdin\n")))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert records.read_text("-") == "from stdin\n"


def test_json_lines_and_lists() -> None:
    text = '{"a": 1}\n\n"plain"\r\n[1, 2]\n'
    assert records.parse_json_lines(text, "f") == [(1, {"a": 1}), (3, "plain"), (4, [1, 2])]
    with pytest.raises(records.JsonLineError, match=r"f: line 2 is not valid JSON") as info:
        records.parse_json_lines('{"a": 1}\n{oops\n', "f")
    assert info.value.line == 2 and isinstance(info.value, EmbedlabError)
    assert records.parse_json_list(json.dumps(["x", {"b": 2}]), "f") == [(1, "x"), (2, {"b": 2})]
    with pytest.raises(EmbedlabError, match="f: expected a JSON list"):
        records.parse_json_list('{"a": 1}', "f")
    with pytest.raises(EmbedlabError, match=r"f: not valid JSON \(.*, line 2\)"):
        records.parse_json_list("[1,\n", "f")
    assert records.parse_json_records(' [{"a": 1}]', "f") == [(1, {"a": 1})]
    assert records.parse_json_records('{"a": 1}\n', "f") == [(1, {"a": 1})]


def test_delimited_rows_keep_the_line_a_row_starts_on() -> None:
    text = 'id,text\n\n1,"two\nlines"\n2,"say ""hi"""\n'
    assert records.parse_delimited(text, "f", ",") == [
        (1, ["id", "text"]), (3, ["1", "two\nlines"]), (5, ["2", 'say "hi"'])]
    tsv = 'a\t"b\n\nc\t"d"\n'
    assert records.parse_delimited(tsv, "f", "\t", quoting=False) == [
        (1, ["a", '"b']), (3, ["c", '"d"'])]
    header, rows = records.parse_table(" id , text \n1,x\n", "f", ",")
    assert (header, rows) == (["id", "text"], [(2, ["1", "x"])])
    with pytest.raises(EmbedlabError, match="f: the file is empty"):
        records.parse_table("\n\n", "f", ",")


def test_formats_and_parquet(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    assert [records.file_format(n) for n in ("a.TSV.gz", "b.jsonl", "c", "d.csv.tsv")] == [
        ".tsv", ".jsonl", "", ".tsv"]
    pq.write_table(pa.table({"text": ["p", "q"]}), tmp_path / "a.parquet")
    (tmp_path / "b.parquet").write_bytes(gzip.compress((tmp_path / "a.parquet").read_bytes()))
    assert records.read_parquet(tmp_path / "b.parquet").column("text").to_pylist() == ["p", "q"]
    (tmp_path / "c.parquet").write_text("nope", encoding="utf-8")
    with pytest.raises(EmbedlabError, match="c.parquet: not a readable parquet file"):
        records.read_parquet(tmp_path / "c.parquet")
