from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from embedlab.data.readers import read_texts
from embedlab.data.writers import read_vectors, write_vectors
from embedlab.errors import EmbedlabError


def test_txt_keeps_one_text_per_line_including_blank_and_unicode_separators(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_bytes("first\r\n\nthird has \u2028 inside\n".encode())
    table = read_texts(p)
    assert table.texts == ["first", "", "third has \u2028 inside"]
    assert table.ids == ["0", "1", "2"]


def test_jsonl_guesses_text_and_id_fields(tmp_path: Path):
    p = tmp_path / "c.jsonl"
    p.write_text('{"_id": "d1", "title": "T", "text": "hello"}\n\n{"_id": "d2", "text": "x"}\n')
    table = read_texts(p)
    assert table.texts == ["hello", "x"] and table.ids == ["d1", "d2"] and table.field == "text"
    with pytest.raises(EmbedlabError, match="row 3 has no field 'title'"):
        read_texts(p, field="title")


def test_csv_tsv_gz_json_and_parquet(tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "a.csv").write_text('id,sentence,label\n7,"a, quoted\ntext",x\n8,b,y\n')
    table = read_texts(tmp_path / "a.csv")
    assert table.texts == ["a, quoted\ntext", "b"] and table.ids == ["7", "8"]
    with gzip.open(tmp_path / "a.tsv.gz", "wt") as f:
        f.write("body\tscore\nalpha\t1\nbeta\t2\n")
    assert read_texts(tmp_path / "a.tsv.gz").texts == ["alpha", "beta"]
    (tmp_path / "a.json").write_text(json.dumps(["x", "y"]))
    assert read_texts(tmp_path / "a.json").texts == ["x", "y"]
    pq.write_table(pa.table({"content": ["p", "q"], "n": [1, 2]}), tmp_path / "a.parquet")
    assert read_texts(tmp_path / "a.parquet").texts == ["p", "q"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "no texts"),
        ("bad.txt", b"ok\n\xff\xfe bad\n", "line 2 is not valid UTF-8"),
        ("bad.jsonl", b'{"text": "a"}\n{oops\n', "line 2 is not valid JSON"),
        ("nums.jsonl", b'{"text": null}\n', "row 1: field 'text' is null"),
        ("cols.csv", b"a,b\n1,2\n", "cannot tell which field"),
        ("x.docx", b"zz", "unknown input format"),
        ("list.jsonl", b"[1, 2]\n", "row 1 is list"),
    ],
)
def test_bad_inputs_raise_one_clear_error(tmp_path: Path, name: str, content: bytes,
                                          message: str):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(EmbedlabError, match=message):
        read_texts(p)


def test_missing_file_and_missing_field(tmp_path: Path):
    with pytest.raises(EmbedlabError, match="file not found"):
        read_texts(tmp_path / "nope.txt")
    (tmp_path / "a.csv").write_text("text\nx\n")
    with pytest.raises(EmbedlabError, match="no field 'body'; fields are"):
        read_texts(tmp_path / "a.csv", field="body")


def test_vectors_round_trip_and_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    vecs = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    write_vectors(tmp_path / "v.parquet", vecs, ["a", "b", "c"])
    back, ids = read_vectors(tmp_path / "v.parquet")
    np.testing.assert_array_equal(back, vecs)
    assert ids == ["a", "b", "c"]
    write_vectors(tmp_path / "v.npy", vecs)
    np.testing.assert_array_equal(np.load(tmp_path / "v.npy"), vecs)

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", boom)
    with pytest.raises(EmbedlabError, match=r"v.npy: cannot write: disk full"):
        write_vectors(tmp_path / "v.npy", vecs * 2)
    np.testing.assert_array_equal(np.load(tmp_path / "v.npy"), vecs)  # old file intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.npy", "v.parquet"]


@pytest.mark.parametrize(("name", "content", "texts"), [
    ("a.txt", "one\ntwo\n", ["one", "two"]),
    ("a.jsonl", '{"text": "one"}\n{"text": "two"}\n', ["one", "two"]),
    ("a.json", '["one", "two"]', ["one", "two"]),
    ("a.csv", "id,text\n1,one\n2,two\n", ["one", "two"]),
    ("a.tsv", "text\none\ntwo\n", ["one", "two"]),
])
def test_gzip_is_known_by_its_magic_bytes_without_gz_suffix(tmp_path: Path, name: str,
                                                            content: str, texts: list[str]):
    (tmp_path / name).write_bytes(gzip.compress(content.encode()))
    assert read_texts(tmp_path / name).texts == texts


def test_gzipped_parquet_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import io
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["p", "q"], "id": ["a", "b"]}), tmp_path / "a.parquet")
    data = gzip.compress((tmp_path / "a.parquet").read_bytes())
    (tmp_path / "a.parquet").write_bytes(data)
    table = read_texts(tmp_path / "a.parquet")
    assert (table.texts, table.ids) == (["p", "q"], ["a", "b"])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"body": "x"}\n')))
    assert read_texts("-").texts == ["x"]
