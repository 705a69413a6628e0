from __future__ import annotations

import gzip
import json

import pytest

from embedlab.errors import EmbedlabError
from embedlab.search.documents import filter_terms, read_documents


def test_jsonl_keeps_ids_metadata_and_puts_the_title_first(tmp_path):
    path = tmp_path / "c.jsonl"
    rows = [{"_id": "d1", "title": "Cats", "text": "purr ", "meta": {"year": 2020, "ok": True},
             "tags": ["a", "b"]},
            {"_id": "d2", "title": "", "text": "dogs bark", "meta": {"year": 2021}}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    docs = read_documents(path)
    assert docs.has_ids
    assert [(d.id, d.text) for d in docs.documents] == [("d1", "Cats purr"), ("d2", "dogs bark")]
    assert docs.documents[0].meta == {"title": "Cats", "meta.year": 2020, "meta.ok": True,
                                      "tags": ["a", "b"]}
    assert sorted(filter_terms(docs.documents[0].meta)) == [
        ("meta.ok", "true"), ("meta.year", "2020"), ("tags", "a"), ("tags", "b"),
        ("title", "Cats")]


def test_csv_with_named_fields_and_txt_without_ids(tmp_path):
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("key,body,lang\nk1,hello there,en\nk2,bonjour,fr\n", encoding="utf-8")
    docs = read_documents(csv_path, field="body", id_field="key")
    assert [(d.id, d.text, d.meta) for d in docs.documents] == [
        ("k1", "hello there", {"lang": "en"}), ("k2", "bonjour", {"lang": "fr"})]
    txt = tmp_path / "t.txt"
    txt.write_text("one\ntwo\n", encoding="utf-8")
    plain = read_documents(txt)
    assert not plain.has_ids and [d.text for d in plain.documents] == ["one", "two"]


@pytest.mark.parametrize(("content", "kwargs", "message"), [
    ('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', {}, "appears twice"),
    ('{"id": "a", "text": "x"}\n', {"id_field": "nope"}, "no id field 'nope'"),
    ('{"id": "a", "text": null}\n', {}, "is not text"),
    ("", {}, "no texts to read"),
])
def test_bad_files_are_one_line_errors(tmp_path, content, kwargs, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EmbedlabError, match=message) as info:
        read_documents(path, **kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("name", "content"), [
    ("c.jsonl", '{"_id": "d1", "text": "hello", "lang": "en"}\n'),
    ("c.csv", "_id,text,lang\nd1,hello,en\n"),
])
def test_gzip_is_known_by_its_magic_bytes_without_gz_suffix(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(gzip.compress(content.encode("utf-8")))
    docs = read_documents(path)
    assert [(d.id, d.text, d.meta) for d in docs.documents] == [("d1", "hello", {"lang": "en"})]
