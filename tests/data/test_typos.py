"""The typo generator: one Damerau edit in a share of the long words, seeded, every layout."""

from __future__ import annotations

import json
import random
import re

import pytest
from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from embedlab.data.retrieval_sets import load_smart
from embedlab.data.typos import (
    add_typos,
    add_typos_to_queries,
    corrupt_file,
    default_output,
    edit_word,
)
from embedlab.errors import EmbedlabError

DAMERAU = EditDistance(DistanceAlgorithm.DAMERAU_OSA)
QUERIES = {str(i): f"what structural problems of heated aircraft wings number {i} in 1957"
           for i in range(40)}


def test_each_edit_is_one_damerau_edit_and_never_the_word():
    rng = random.Random(0)
    for word in ["aircraft", "wing", "aaaa", "problems"] * 50:
        edited = edit_word(word, rng)
        assert edited != word and DAMERAU.compare(word, edited, 2) == 1


def test_only_long_words_are_hit_at_about_the_rate():
    typo = add_typos_to_queries(QUERIES, 0.3, seed=0)
    hit = total = 0
    for q, text in QUERIES.items():
        before, after = text.split(), typo[q].split()
        assert len(before) == len(after)
        for b, a in zip(before, after, strict=True):
            if len(b) <= 3 or not b.isalpha():
                assert a == b  # short words and numbers are never touched
            else:
                total += 1
                hit += a != b
    assert 0.2 < hit / total < 0.4
    assert add_typos_to_queries(QUERIES, 0.0, 0) == QUERIES
    assert all(a != b for a, b in zip(add_typos("aircraft wings", 1.0, random.Random(1)).split(),
                                      ["aircraft", "wings"], strict=True))


def test_same_seed_same_file_other_seed_other_file(tmp_path):
    src = tmp_path / "queries.jsonl"
    src.write_text("".join(json.dumps({"_id": q, "text": t, "metadata": {}}) + "\n"
                           for q, t in QUERIES.items()), encoding="utf-8")
    one = corrupt_file(src, 0.3, 0, tmp_path / "a.jsonl").read_bytes()
    two = corrupt_file(src, 0.3, 0, tmp_path / "b.jsonl").read_bytes()
    other = corrupt_file(src, 0.3, 1, tmp_path / "c.jsonl").read_bytes()
    assert one == two and one != other
    rows = [json.loads(line) for line in one.decode().splitlines()]
    assert [r["_id"] for r in rows] == list(QUERIES) and rows[0]["metadata"] == {}
    # a query's typos depend on its id, not on the queries before it
    assert {r["_id"]: r["text"] for r in rows} == add_typos_to_queries(QUERIES, 0.3, 0)
    beside = corrupt_file(src, 0.3, 0)
    assert beside == tmp_path / "queries.typos-r30-s0.jsonl" and beside.read_bytes() == one


def test_smart_tsv_csv_and_plain_layouts(tmp_path):
    folder = tmp_path / "cran"
    folder.mkdir()
    (folder / "cran.qry").write_text(".I 001\n.W\nwhat structural problems of heated\n"
                                     "aircraft wings .\n.I 002\n.W\nboundary layer flows .\n")
    (folder / "cran.all.1400").write_text(".I 1\n.T\nwings\n.W\nheated wings\n")
    (folder / "cranqrel").write_text("1 1 2\n")
    out = corrupt_file(folder / "cran.qry", 1.0, 0)
    assert out.name == "cran.qry.typos-r100-s0"
    lines = out.read_text().splitlines()
    assert lines[:2] == [".I 001", ".W"] and lines[2].split()[3] == "of"  # short: kept
    assert "structural" not in lines[2] and lines[3].endswith(" .")
    assert len(load_smart(folder).queries) == 1  # the folder still loads its own queries

    tsv = tmp_path / "q.tsv"
    tsv.write_text("qid\tquery\n1\tstructural problems\n2\theated aircraft\n")
    rows = corrupt_file(tsv, 1.0, 0).read_text().splitlines()
    assert rows[0] == "qid\tquery" and rows[1].startswith("1\t") and "problems" not in rows[1]
    csv = tmp_path / "q.csv"
    csv.write_text('id,text\n1,"structural problems, heated"\n')
    assert corrupt_file(csv, 1.0, 0).read_text().startswith('id,text\n1,"')
    txt = tmp_path / "q.txt"
    txt.write_text("structural problems\nheated aircraft\n")
    out = corrupt_file(txt, 1.0, 0).read_text().splitlines()
    assert len(out) == 2 and all(re.fullmatch(r"\w+ \w+", line) for line in out)
    assert default_output(txt, 0.3, 2).name == "q.typos-r30-s2.txt"


def test_bad_input_is_one_line_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    nofield = tmp_path / "nofield.jsonl"
    nofield.write_text('{"_id": "1", "n": 2}\n')
    for call, message in [
        (lambda: corrupt_file(tmp_path / "none.txt"), "no such file"),
        (lambda: corrupt_file(empty), "empty"),
        (lambda: corrupt_file(bad), "not JSON"),
        (lambda: corrupt_file(nofield), "no text field"),
        (lambda: corrupt_file(empty, 1.5), "between 0 and 1"),
        (lambda: corrupt_file(bad, 0.3, 0, bad), "overwrite the original"),
    ]:
        with pytest.raises(EmbedlabError, match=message) as info:
            call()
        assert "\n" not in str(info.value)
