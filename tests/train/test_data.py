from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedlab.errors import EmbedlabError
from embedlab.train.data import DataShape, read_training_data


def test_headerless_tsv_pairs_triplets_and_scores(tmp_path: Path):
    (tmp_path / "p.tsv").write_text("q1\td1\nq2\td2\n")
    assert read_training_data(tmp_path / "p.tsv").shape is DataShape.PAIRS
    (tmp_path / "t.tsv").write_text("q1\td1\tn1\n")
    t = read_training_data(tmp_path / "t.tsv")
    assert t.shape is DataShape.TRIPLETS and t.columns["negative_1"] == ["n1"]
    (tmp_path / "s.tsv").write_text("a\tb\t4.5\nc\td\t1.0\n")
    s = read_training_data(tmp_path / "s.tsv")
    assert s.shape is DataShape.SCORED and s.columns["score"] == [1.0, 0.0]  # 0-5 -> 0-1
    (tmp_path / "l.tsv").write_text("a\tb\t1\nc\td\t0\n")
    assert read_training_data(tmp_path / "l.tsv").shape is DataShape.LABELLED


def test_named_columns_csv_and_jsonl(tmp_path: Path):
    (tmp_path / "a.csv").write_text("query,positive,negative\nq,\"d, one\",n\n")
    data = read_training_data(tmp_path / "a.csv")
    assert data.columns == {"anchor": ["q"], "positive": ["d, one"], "negative_1": ["n"]}
    (tmp_path / "b.jsonl").write_text(json.dumps({"sentence1": "x", "sentence2": "y",
                                                  "label": 1}) + "\n")
    assert read_training_data(tmp_path / "b.jsonl").columns["label"] == [1.0]


def test_beir_folder_gives_query_document_pairs(tmp_path: Path):
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text('{"_id": "d1", "title": "T", "text": "body"}\n')
    (tmp_path / "queries.jsonl").write_text('{"_id": "q1", "text": "question"}\n')
    (tmp_path / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    data = read_training_data(tmp_path)
    assert data.columns == {"anchor": ["question"], "positive": ["T body"]}
    (tmp_path / "qrels" / "train.tsv").write_text("q1\td9\t1\n")
    with pytest.raises(EmbedlabError, match="train.tsv: document id 'd9'"):
        read_training_data(tmp_path)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("e.tsv", "", "empty"),
    ("m.tsv", "q1\td1\tn1\nq2\td2\n", "row 2 has 2 fields"),
    ("l.csv", "sentence1,sentence2,label\na,b,1\nc,d,3\n", "row 3: label '3' is out of range"),
    ("n.tsv", "q\t\n", "row 1: the positive text is empty"),
    ("c.csv", "text\nx\n", "expected 2 or 3 columns"),
    ("x.docx", "zz", "unknown training file format"),
    ("s.tsv", "a\tb\t2\nc\td\t2\ne\tf\t2\n", "every score is 2"),
])
def test_bad_training_data_names_file_and_row(tmp_path: Path, name: str, content: str,
                                              message: str):
    (tmp_path / name).write_text(content)
    with pytest.raises(EmbedlabError, match=message):
        read_training_data(tmp_path / name)
