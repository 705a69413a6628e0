"""BEIR folders, SMART collections and qrels."""

from __future__ import annotations

import pytest

from embedlab.data.retrieval_sets import load_retrieval, read_beir_texts
from embedlab.errors import EmbedlabError


@pytest.mark.parametrize("qrels", [
    "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\nq2\td2\t1\nq9\td3\t1\n",
    "q1\td1\t2\nq1\td2\t0\nq2\td2\t1\n",
    "q1 0 d1 2\nq1 0 d2 0\nq2 0 d2 1\n",
])
def test_beir_folder(tmp_path, qrels, beir) -> None:
    data = load_retrieval(beir(tmp_path, qrels))
    assert data.name == "mini/test"
    assert data.corpus == {"d1": "Cats They purr.", "d2": "Dogs bark.", "d3": "No title field."}
    assert data.queries == {"q1": "why purr", "q2": "barking"}  # q9 is not in queries.jsonl
    assert data.qrels == {"q1": {"d1": 2, "d2": 0}, "q2": {"d2": 1}}


def test_beir_split_and_layout_errors(tmp_path, write, beir) -> None:
    folder = beir(tmp_path, "q1\td1\t1\n", name="dev.tsv")
    assert load_retrieval(folder).name == "mini/dev"  # the only qrels file
    with pytest.raises(EmbedlabError, match=r"qrels: no qrels for split 'train' \(found dev.tsv"):
        load_retrieval(folder, split="train")
    write(folder / "qrels" / "dev.tsv", "q1\td1\n")
    with pytest.raises(EmbedlabError, match=r"dev.tsv: line 1: expected 'query-id<TAB>"):
        load_retrieval(folder)
    (folder / "corpus.jsonl").unlink()
    with pytest.raises(EmbedlabError, match="expected a BEIR folder"):
        load_retrieval(folder)
    with pytest.raises(EmbedlabError, match="found a file"):
        load_retrieval(folder / "queries.jsonl")


def test_smart_collection_like_cranfield(tmp_path, write) -> None:
    folder = tmp_path / "cran"
    write(folder / "cran.all.3", ".I 1\r\n.T\r\nwing flutter\r\n.A\r\nsmith\r\n.W\r\nflutter of "
                                 "wings .\r\n.I 2\r\n.T\r\nheat\r\n.W\r\nheat transfer\r\n"
                                 ".I 3\r\n.T\r\nshock\r\n.W\r\nshock waves\r\n")
    write(folder / "cran.qry", ".I 001\n.W\nwhat about flutter\n.I 004\n.W\nheat ?\n")
    write(folder / "cranqrel", "1 1 1\n1 3 4\n2 2 2\n2 3 -1\n")  # query numbers by position
    data = load_retrieval(folder)
    assert data.corpus["1"] == "wing flutter flutter of wings ."
    assert data.queries == {"1": "what about flutter", "2": "heat ?"}
    assert data.qrels == {"1": {"1": 4, "3": 1}, "2": {"2": 3, "3": 0}}  # Cleverdon codes


def test_real_retrieval_sets(shared_datasets) -> None:
    scifact = load_retrieval(shared_datasets / "scifact")
    assert (len(scifact.corpus), len(scifact.queries)) == (5183, 300)
    assert sum(len(j) for j in scifact.qrels.values()) == 339
    cranfield = load_retrieval(shared_datasets / "cranfield")
    assert (len(cranfield.corpus), len(cranfield.queries)) == (1400, 225)
    assert cranfield.queries["3"].startswith("what problems of heat conduction")


def test_gzipped_files_without_gz_suffix(tmp_path, write, beir) -> None:
    folder = beir(tmp_path, "q1\td1\t2\n")
    corpus = (folder / "corpus.jsonl").read_text(encoding="utf-8")
    write(folder / "corpus.jsonl", corpus, gz=True)
    write(folder / "qrels" / "test.tsv", "q1\td1\t2\nq2\td2\t1\n", gz=True)
    data = load_retrieval(folder)
    assert data.corpus["d1"] == "Cats They purr." and data.qrels == {"q1": {"d1": 2},
                                                                     "q2": {"d2": 1}}
    smart = tmp_path / "cran"
    write(smart / "cran.all", ".I 1\n.W\nwing flutter\n.I 2\n.W\nheat\n", gz=True)
    write(smart / "cran.qry", ".I 1\n.W\nflutter\n", gz=True)
    write(smart / "cranqrel", "1 1 1\n", gz=True)
    assert load_retrieval(smart).corpus == {"1": "wing flutter", "2": "heat"}


def test_beir_ids_and_texts(tmp_path, write) -> None:
    path = write(tmp_path / "q.jsonl",
                 '{"qid": 7, "text": " spaced "}\n{"id": "b", "title": "T"}\n')
    assert read_beir_texts(path, with_title=True) == {"7": "spaced", "b": "T"}
    write(tmp_path / "bad.jsonl", '{"name": "x", "text": "y"}\n')
    with pytest.raises(EmbedlabError, match=r"bad.jsonl: line 1: expected fields '_id' and "):
        read_beir_texts(tmp_path / "bad.jsonl", with_title=False)
