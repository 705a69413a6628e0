"""Texts in blocks (issue 15): every layout gives, block by block, exactly what ``read_texts``
gives for the whole file (texts, ids, field), and every bad row is named with its own line."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from embedlab.data.readers import read_texts
from embedlab.data.streaming import TextStream
from embedlab.errors import EmbedlabError

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"


def _joined(stream: TextStream) -> tuple[list[str], list[str], set[str | None], int]:
    texts, ids, fields, blocks = [], [], set(), 0
    for block in stream:
        texts += block.texts
        ids += block.ids
        fields.add(block.field)
        blocks += 1
    return texts, ids, fields, blocks


def _files(tmp_path: Path) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = []
    p = tmp_path / "a.txt"
    p.write_bytes("\ufefffirst\r\n\nthird has \u2028 inside\nfour\nfive\n".encode())
    out.append(p)
    p = tmp_path / "b.jsonl"
    p.write_text("".join(json.dumps({"_id": f"d{i}", "title": "T", "text": f"text {i}"}) + "\n"
                         + ("\n" if i % 2 else "") for i in range(7)), encoding="utf-8")
    out.append(p)
    p = tmp_path / "c.jsonl"
    p.write_text("".join(json.dumps(f"plain {i}") + "\n" for i in range(5)), encoding="utf-8")
    out.append(p)
    p = tmp_path / "d.csv"
    p.write_text('id,sentence,label\n7,"a, quoted\ntext",x\n8,b,y\n9,"c ""q""",z\n10,d,w\n',
                 encoding="utf-8")
    out.append(p)
    p = tmp_path / "e.tsv.gz"
    p.write_bytes(gzip.compress(b"body\tscore\nalpha\t1\nbeta\t2\ngamma\t3\n"))
    out.append(p)
    p = tmp_path / "f.parquet"
    pq.write_table(pa.table({"id": [f"r{i}" for i in range(9)],
                             "text": [f"row {i}" for i in range(9)]}), p, row_group_size=4)
    out.append(p)
    p = tmp_path / "g.json"
    p.write_text(json.dumps([{"text": "x", "id": 1}, {"text": "y", "id": 2}]), encoding="utf-8")
    out.append(p)
    p = tmp_path / "h.jsonl.gz"
    p.write_bytes(gzip.compress(b'{"text": "zipped", "id": "z1"}\n{"text": "two", "id": "z2"}\n'))
    out.append(p)
    return out


@pytest.mark.parametrize("rows", [1, 2, 1000])
def test_blocks_join_to_what_read_texts_reads(tmp_path: Path, rows: int) -> None:
    for path in _files(tmp_path):
        whole = read_texts(path)
        stream = TextStream(path, rows=rows, chars=10)
        texts, ids, fields, blocks = _joined(stream)
        assert (texts, ids) == (whole.texts, whole.ids), path.name
        assert fields == {whole.field}, path.name
        assert stream.count == len(whole.texts) and stream.position == stream.size
        if rows == 1 and path.suffix != ".json":
            assert blocks == len(whole.texts)


def test_a_named_field_and_standard_input(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text('{"id": "a", "q": "one", "text": "x"}\n{"id": "b", "q": "two", "text": "y"}\n')
    texts, ids, fields, _ = _joined(TextStream(path, "q", rows=1))
    assert (texts, ids, fields) == (["one", "two"], ["a", "b"], {"q"})
    stdin = io.TextIOWrapper(io.BytesIO(b'{"_id": "s", "text": "from stdin"}\n'))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert _joined(TextStream("-"))[:2] == (["from stdin"], ["s"])
    stdin = io.TextIOWrapper(io.BytesIO(gzip.compress(b"plain\nlines\n")))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert _joined(TextStream("-"))[:2] == (["plain", "lines"], ["0", "1"])


@pytest.mark.parametrize(("content", "expected"), [
    (b"ok\nfine\nbad \xff here\n", r"x.txt: not UTF-8 text: line 3 is not valid UTF-8 \(byte 12\)"),
    (b"", r"x.txt: no texts to read \(the file is empty\)"),
])
def test_bad_bytes_and_empty_files(tmp_path: Path, content: bytes, expected: str) -> None:
    (tmp_path / "x.txt").write_bytes(content)
    with pytest.raises(EmbedlabError, match=expected):
        _joined(TextStream(tmp_path / "x.txt", rows=1))


@pytest.mark.parametrize(("name", "expected"), [
    ("lone_surrogate.jsonl", "row 2 is not valid Unicode"),
    ("null_id.jsonl", "row 2 has no id in field 'id'"),
    ("missing_id.jsonl", "row 2 has no id in field 'id'"),
    ("short_row.csv", "row 3 has no id in field 'id'"),
])
def test_bad_rows_in_a_later_block_name_their_line(name: str, expected: str) -> None:
    with pytest.raises(EmbedlabError, match=expected):
        _joined(TextStream(FUZZ / name, rows=1))


def test_other_mistakes_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_text("x")
    with pytest.raises(EmbedlabError, match="unknown input format '.docx'"):
        TextStream(tmp_path / "a.docx")
    with pytest.raises(EmbedlabError, match="nope.txt: file not found"):
        TextStream(tmp_path / "nope.txt")
    (tmp_path / "m.jsonl").write_text('"a string"\n{"text": "an object"}\n')
    with pytest.raises(EmbedlabError, match="row 2 is dict, expected a string"):
        _joined(TextStream(tmp_path / "m.jsonl", rows=1))
    (tmp_path / "p.txt").write_text("x\n")
    with pytest.raises(EmbedlabError, match="plain text has one text a line, no field 'q'"):
        _joined(TextStream(tmp_path / "p.txt", "q"))
    (tmp_path / "bad.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n' * 100)[:40])
    with pytest.raises(EmbedlabError, match="bad.jsonl.gz: a damaged gzip file"):
        _joined(TextStream(tmp_path / "bad.jsonl.gz"))
