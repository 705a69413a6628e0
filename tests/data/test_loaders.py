"""Loaders on tiny files in every layout variant, and on the shared public data sets."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from embedlab.data import loaders
from embedlab.errors import EmbedlabError

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
needs_datasets = pytest.mark.skipif(not DATASETS.is_dir(), reason=f"no data sets at {DATASETS}")


def write(path: Path, text: str, *, gz: bool = False, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


STSB_ROWS = [
    ("train", "main-captions", "MSRvid", "2012test", "0001", "5.000", "A plane is taking off.",
     "An air plane is taking off."),
    ("dev", "main-news", "headlines", "2013", "0002", "1.250", "Stocks fall", "Rain in Spain"),
    ("dev", "main-news", "headlines", "2013", "0003", "4.000", "Cats nap", "A cat naps"),
    ("test", "main-captions", "MSRvid", "2012test", "0024", "2.500",
     'A girl is "styling" her hair.', "A girl is brushing her hair."),
    ("test", "main-forum", "deft", "2014", "0033", "0.800", "Why?", "Because of cats."),
]
STSB_HEADER = "split\tgenre\tdataset\tyear\tsid\tscore\tsentence1\tsentence2\n"


def stsb(tmp_path: Path) -> Path:
    body = "".join("\t".join(r) + "\n" for r in STSB_ROWS)
    return write(tmp_path / "stsbenchmark.tsv.gz", STSB_HEADER + body, gz=True)


# -- STS ---------------------------------------------------------------------------------------


def test_stsb_layout_selects_rows_by_split(tmp_path) -> None:
    path = stsb(tmp_path)
    test = loaders.load_sts(path)
    assert test.name == "stsbenchmark/test"
    assert test.texts1 == ['A girl is "styling" her hair.', "Why?"]  # quotes kept as text
    assert test.texts2 == ["A girl is brushing her hair.", "Because of cats."]
    assert test.scores.tolist() == [2.5, 0.8]
    for alias in ("dev", "valid", "validation"):
        assert loaders.load_sts(path, split=alias).texts1 == ["Stocks fall", "Cats nap"]
    with pytest.raises(EmbedlabError, match=r"stsbenchmark.tsv.gz: no rows with split 'nope'"):
        loaders.load_sts(path, split="nope")


@pytest.mark.parametrize(("name", "text", "gz"), [
    ("plain.data", "a cat\ta kitten\t4\nthe sun\tthe moon\t2\na dog\ta car\t0\n", False),
    ("plain.tsv.gz", "a cat\ta kitten\t4\nthe sun\tthe moon\t2\na dog\ta car\t0\n", True),
    ("header.csv", "sentence1,sentence2,score\na cat,a kitten,4\nthe sun,the moon,2\n"
                   "a dog,a car,0\n", False),
    ("odd-header.csv", "left,right,value\na cat,a kitten,4\nthe sun,the moon,2\n"
                       "a dog,a car,0\n", False),
    ("score-first.tsv", "4\ta cat\ta kitten\n2\tthe sun\tthe moon\n0\ta dog\ta car\n", False),
])
def test_sts_tables_with_or_without_header(tmp_path, name, text, gz) -> None:
    data = loaders.load_sts(write(tmp_path / name, text, gz=gz))
    assert data.texts1 == ["a cat", "the sun", "a dog"]
    assert data.texts2 == ["a kitten", "the moon", "a car"]
    assert data.scores.tolist() == [4.0, 2.0, 0.0]


def test_sts_csv_with_quoted_commas_and_bom(tmp_path) -> None:
    text = '\ufeffsentence1,sentence2,score\n"Yes, a cat",a kitten,4.5\n"No, sir",a car,0.5\n'
    data = loaders.load_sts(write(tmp_path / "q.csv", text))
    assert data.texts1 == ["Yes, a cat", "No, sir"]


def test_original_stsb_csv_without_header(tmp_path) -> None:
    # genre, file, year, sid, score, s1, s2 (+ source columns on some lines): the score is the
    # numeric column with fractions, the texts the two longest columns
    text = ("main-captions\tMSRvid\t2012test\t0001\t5.000\tA plane is taking off.\t"
            "An air plane is taking off.\n"
            "main-news\theadlines\t2013\t0042\t1.400\tStocks fall in Asia\tRain falls in Spain"
            "\tsource-a\tsource-b\n"
            "main-forum\tdeft\t2014\t0043\t3.000\tCats are great pets\tDogs are great pets\n")
    data = loaders.load_sts(write(tmp_path / "sts-test.csv.tsv", text))
    assert data.scores.tolist() == [5.0, 1.4, 3.0]
    assert data.texts2[1] == "Rain falls in Spain"


def test_sts_columns_given_by_name(tmp_path) -> None:
    text = "id\tq\td\tgold\tother\n1\tx one\ty one\t0.5\t9\n2\tx two\ty two\t0.7\t8\n"
    data = loaders.load_sts(write(tmp_path / "f.tsv", text), text_field="q,d",
                            label_field="gold")
    assert data.texts1 == ["x one", "x two"] and data.scores.tolist() == [0.5, 0.7]
    with pytest.raises(EmbedlabError, match=r"f.tsv: no score column 'nope'; found columns"):
        loaders.load_sts(tmp_path / "f.tsv", label_field="nope")


@pytest.mark.parametrize(("text", "message"), [
    ("a\tb\nx one\ty one\nx two\ty two\n", r"expected a score column \(numbers\) in an STS file"
                                          r", found 2 columns and no header \(first row "
                                          r"\['a', 'b'\]\)"),
    ("first\tsecond\tlabel\nx\ty\tgood\nz\tw\tbad\n",
     r"line 2: expected a number in column 'label' of an STS file, found 'good'"),
    ("a\t3\nb\t4\n", "expected two text columns and a score column"),
    ("a\tb\t1\nc\td\t1\n", "at least two different gold scores"),
    ("a\tb\t1\nc\t2\ne\tf\t3\n", "line 2 has 2 columns, expected 3"),
    ("", "the file is empty"),
])
def test_sts_wrong_layouts_name_the_file(tmp_path, text, message) -> None:
    path = write(tmp_path / "bad.tsv", text)
    with pytest.raises(EmbedlabError, match=message) as info:
        loaders.load_sts(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_non_utf8_is_an_error_naming_the_file(tmp_path) -> None:
    path = write(tmp_path / "latin.tsv", "café\tthé\t3\nà\tè\t1\n", encoding="latin-1")
    with pytest.raises(EmbedlabError, match=r"latin.tsv: not UTF-8 text"):
        loaders.load_sts(path)
    gz = write(tmp_path / "latin.tsv.gz", "café\tthé\t3\n", gz=True, encoding="latin-1")
    with pytest.raises(EmbedlabError, match=r"latin.tsv.gz: not UTF-8 text"):
        loaders.load_pairs(gz)


def test_folder_of_split_files(tmp_path) -> None:
    folder = tmp_path / "stsb-zh"
    for split, score in (("train", 1), ("valid", 2), ("test", 3)):
        write(folder / f"STS-B.{split}.data", f"一{split}\t二\t{score}\n三\t四\t0\n")
    assert loaders.load_sts(folder).texts1[0] == "一test"
    assert loaders.load_sts(folder).name == "stsb-zh/test"
    assert loaders.load_sts(folder, split="dev").texts1[0] == "一valid"
    with pytest.raises(EmbedlabError, match="no file for split 'other'"):
        loaders.load_sts(folder, split="other")
    with pytest.raises(EmbedlabError, match="no such file or folder"):
        loaders.load_sts(tmp_path / "missing")


# -- pairs -------------------------------------------------------------------------------------


def test_pair_files(tmp_path) -> None:
    folder = tmp_path / "atec"
    write(folder / "ATEC.valid.data", "花呗\t借呗\t0\n怎么还款\t如何还款\t1\n")
    write(folder / "ATEC.test.data", "花呗怎么用\t花呗如何使用\t1\n借呗\t余额宝\t0\n")
    data = loaders.load_pairs(folder)
    assert data.name == "atec/test"
    assert data.labels.tolist() == [1, 0] and data.labels.dtype == np.int64
    assert loaders.load_pairs(folder, split="valid").texts1 == ["花呗", "怎么还款"]
    bad = write(tmp_path / "graded.tsv", "a\tb\t0\nc\td\t3\n")
    with pytest.raises(EmbedlabError, match=r"graded.tsv: expected binary labels 0/1 in a pair "
                                            r"file, found \[0, 3\]"):
        loaders.load_pairs(bad)


# -- classification and clustering -------------------------------------------------------------


def test_classification_folder_of_train_and_test(tmp_path) -> None:
    folder = tmp_path / "banking"
    write(folder / "train.csv", "text,category\nwhere is my card?,card_arrival\n"
                                "\"top up, please\",top_up\n")
    write(folder / "test.csv", "text,category\nmy card has not come,card_arrival\n"
                               "add money,top_up\n")
    write(folder / "categories.json", '["card_arrival", "top_up"]')
    data = loaders.load_classification(folder)
    assert data.name == "banking/test"
    assert data.train.texts == ["where is my card?", "top up, please"]
    assert data.train.labels == ["card_arrival", "top_up"]
    assert data.test.texts == ["my card has not come", "add money"]
    from_file = loaders.load_classification(folder / "test.csv")  # finds train.csv beside it
    assert from_file.name == "banking/test" and len(from_file.train.texts) == 2
    assert loaders.load_labelled_texts(folder).labels == ["card_arrival", "top_up"]


def test_classification_guesses_columns_without_header(tmp_path) -> None:
    rows = [("pos", "a truly wonderful film"), ("neg", "dull and far too long"),
            ("pos", "great acting throughout"), ("neg", "I want my money back")] * 3
    path = write(tmp_path / "reviews.tsv", "".join(f"{lab}\t{txt}\n" for lab, txt in rows))
    data = loaders.load_classification(path)
    assert data.name == "reviews/split"
    assert len(data.train.texts) == 9 and len(data.test.texts) == 3  # 75/25
    assert set(data.test.labels) == {"pos", "neg"}  # stratified
    assert set(data.train.texts + data.test.texts) == {t for _, t in rows}


def test_classification_split_column_and_named_fields(tmp_path) -> None:
    text = "utt,intent_name,split\nhi there,greet,train\nbye now,leave,train\nhello,greet,test\n"
    path = write(tmp_path / "intents.csv", text)
    data = loaders.load_classification(path, text_field="utt", label_field="intent_name")
    assert data.train.texts == ["hi there", "bye now"] and data.test.labels == ["greet"]
    with pytest.raises(EmbedlabError, match=r"intents.csv: expected a text column .* found "
                                            r"columns \['utt', 'intent_name', 'split'\]"):
        loaders.load_classification(path)


def test_classification_jsonl(tmp_path) -> None:
    lines = [{"sentence": f"text {i}", "label": i % 2, "extra": None} for i in range(8)]
    path = write(tmp_path / "data.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    data = loaders.load_classification(path)
    assert sorted(data.train.labels + data.test.labels) == ["0"] * 4 + ["1"] * 4
    write(tmp_path / "bad.jsonl", '{"sentence": "a", "label": 1}\nnot json\n')
    with pytest.raises(EmbedlabError, match="bad.jsonl: line 2 is not JSON"):
        loaders.load_classification(tmp_path / "bad.jsonl")
    write(tmp_path / "nolabel.jsonl", '{"sentence": "a"}\n')
    with pytest.raises(EmbedlabError, match="nolabel.jsonl: expected a label field"):
        loaders.load_classification(tmp_path / "nolabel.jsonl")


# -- retrieval ---------------------------------------------------------------------------------


def beir(tmp_path: Path, qrels_text: str, name: str = "test.tsv") -> Path:
    folder = tmp_path / "mini"
    write(folder / "corpus.jsonl",
          '{"_id": "d1", "title": "Cats", "text": "They purr."}\n'
          '{"_id": "d2", "title": "", "text": "Dogs bark."}\n'
          '{"_id": "d3", "text": "No title field."}\n')
    write(folder / "queries.jsonl", '{"_id": "q1", "text": "why purr", "metadata": {}}\n'
                                    '{"_id": "q2", "text": "barking"}\n')
    write(folder / "qrels" / name, qrels_text)
    return folder


@pytest.mark.parametrize("qrels", [
    "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\nq2\td2\t1\nq9\td3\t1\n",
    "q1\td1\t2\nq1\td2\t0\nq2\td2\t1\n",
    "q1 0 d1 2\nq1 0 d2 0\nq2 0 d2 1\n",
])
def test_beir_folder(tmp_path, qrels) -> None:
    data = loaders.load_retrieval(beir(tmp_path, qrels))
    assert data.name == "mini/test"
    assert data.corpus == {"d1": "Cats They purr.", "d2": "Dogs bark.", "d3": "No title field."}
    assert data.queries == {"q1": "why purr", "q2": "barking"}  # q9 is not in queries.jsonl
    assert data.qrels == {"q1": {"d1": 2, "d2": 0}, "q2": {"d2": 1}}


def test_beir_split_and_layout_errors(tmp_path) -> None:
    folder = beir(tmp_path, "q1\td1\t1\n", name="dev.tsv")
    assert loaders.load_retrieval(folder).name == "mini/dev"  # the only qrels file
    with pytest.raises(EmbedlabError, match=r"qrels: no qrels for split 'train' \(found dev.tsv"):
        loaders.load_retrieval(folder, split="train")
    write(folder / "qrels" / "dev.tsv", "q1\td1\n")
    with pytest.raises(EmbedlabError, match=r"dev.tsv: line 1: expected 'query-id<TAB>"):
        loaders.load_retrieval(folder)
    (folder / "corpus.jsonl").unlink()
    with pytest.raises(EmbedlabError, match="expected a BEIR folder"):
        loaders.load_retrieval(folder)
    with pytest.raises(EmbedlabError, match="found a file"):
        loaders.load_retrieval(folder / "queries.jsonl")


def test_smart_collection_like_cranfield(tmp_path) -> None:
    folder = tmp_path / "cran"
    write(folder / "cran.all.3", ".I 1\r\n.T\r\nwing flutter\r\n.A\r\nsmith\r\n.W\r\nflutter of "
                                 "wings .\r\n.I 2\r\n.T\r\nheat\r\n.W\r\nheat transfer\r\n"
                                 ".I 3\r\n.T\r\nshock\r\n.W\r\nshock waves\r\n")
    write(folder / "cran.qry", ".I 001\n.W\nwhat about flutter\n.I 004\n.W\nheat ?\n")
    write(folder / "cranqrel", "1 1 1\n1 3 4\n2 2 2\n2 3 -1\n")  # query numbers by position
    data = loaders.load_retrieval(folder)
    assert data.corpus["1"] == "wing flutter flutter of wings ."
    assert data.queries == {"1": "what about flutter", "2": "heat ?"}
    assert data.qrels == {"1": {"1": 4, "3": 1}, "2": {"2": 3, "3": 0}}  # Cleverdon codes


# -- word pairs and analogies ------------------------------------------------------------------


def test_word_pairs_gensim_and_simlex_layouts(tmp_path) -> None:
    gensim_style = write(tmp_path / "ws.tsv", "# comment\n# Word 1\tWord 2\tHuman (mean)\n"
                                              "love\tsex\t6.77\ntiger\tcat\t7.35\n")
    data = loaders.load_word_pairs(gensim_style)
    assert (data.words1, data.words2, data.scores.tolist()) == (
        ["love", "tiger"], ["sex", "cat"], [6.77, 7.35])
    simlex = write(tmp_path / "SimLex-999.txt", "word1\tword2\tPOS\tSimLex999\tconc(w1)\n"
                                                "old\tnew\tA\t1.58\t2.72\n"
                                                "smart\tintelligent\tA\t9.2\t1.75\n")
    assert loaders.load_word_pairs(simlex).scores.tolist() == [1.58, 9.2]
    spaces = write(tmp_path / "sp.txt", "old new 1.5\nbig large 9\n")
    assert loaders.load_word_pairs(spaces).words2 == ["new", "large"]
    bad = write(tmp_path / "bad.tsv", "love\tsex\t6.77\ntiger\tcat\n")
    with pytest.raises(EmbedlabError, match=r"bad.tsv: line 2: expected 'word1<TAB>word2<TAB>"):
        loaders.load_word_pairs(bad)


def test_analogies(tmp_path) -> None:
    path = write(tmp_path / "q.txt", ": capitals\nAthens Greece Berlin Germany\n\n: plural\n"
                                     "cat cats dog dogs\nbird birds cow cows\n")
    data = loaders.load_analogies(path)
    assert list(data.sections) == ["capitals", "plural"]
    assert data.sections["plural"][1] == ("bird", "birds", "cow", "cows")
    assert list(loaders.load_analogies(write(tmp_path / "n.txt", "a b c d\n")).sections) == [
        "default"]
    with pytest.raises(EmbedlabError, match=r"r.txt: line 2: expected four words"):
        loaders.load_analogies(write(tmp_path / "r.txt", ": s\na b c\n"))
    with pytest.raises(EmbedlabError, match="no analogy questions"):
        loaders.load_analogies(write(tmp_path / "e.txt", ": empty\n"))


# -- text sets (geometry) ----------------------------------------------------------------------


def test_text_sets(tmp_path) -> None:
    plain = loaders.load_text_set(write(tmp_path / "lines.txt", "one text\n\nanother text\n"))
    assert plain.texts == ["one text", "another text"] and plain.labels is None
    labelled = loaders.load_text_set(write(tmp_path / "l.csv", "text,label\na,x\nb,y\n"))
    assert labelled.labels == ["x", "y"] and labelled.pairs is None
    pairs = loaders.load_text_set(write(tmp_path / "p.tsv", "a\tb\t1\nc\td\t0\na\te\t1\n"))
    assert pairs.texts == ["a", "c", "b", "d", "e"]
    assert pairs.pairs == (["a", "a"], ["b", "e"])
    sts = loaders.load_text_set(stsb(tmp_path))  # test rows: scores 2.5 and 0.8
    assert sts.pairs == (['A girl is "styling" her hair.'], ["A girl is brushing her hair."])
    folder = beir(tmp_path, "q1\td1\t2\nq1\td2\t0\nq2\td2\t1\n")
    retrieval = loaders.load_text_set(folder)
    assert len(retrieval.texts) == 3
    assert retrieval.pairs == (["why purr", "barking"], ["Cats They purr.", "Dogs bark."])


# -- the shared public data sets (load only) ---------------------------------------------------


@needs_datasets
def test_real_sts_sets() -> None:
    en = loaders.load_sts(DATASETS / "stsb-en" / "stsbenchmark.tsv.gz")
    assert (en.name, len(en.scores)) == ("stsbenchmark/test", 1379)
    assert en.scores.min() >= 0 and en.scores.max() <= 5
    assert len(loaders.load_sts(DATASETS / "stsb-en" / "stsbenchmark.tsv.gz",
                                split="dev").scores) == 1500
    zh = loaders.load_sts(DATASETS / "stsb-zh")
    assert (zh.name, len(zh.scores)) == ("stsb-zh/test", 1361)
    assert zh.texts1[0] == "一个女孩在给她的头发做发型。"


@needs_datasets
def test_real_pairs_classification_and_retrieval() -> None:
    atec = loaders.load_pairs(DATASETS / "atec-zh")
    assert len(atec.labels) == 20000 and set(atec.labels.tolist()) == {0, 1}
    banking = loaders.load_classification(DATASETS / "banking77")
    assert (len(banking.train.texts), len(banking.test.texts)) == (10003, 3080)
    assert len(set(banking.train.labels)) == 77
    scifact = loaders.load_retrieval(DATASETS / "scifact")
    assert (len(scifact.corpus), len(scifact.queries)) == (5183, 300)
    assert sum(len(j) for j in scifact.qrels.values()) == 339
    cranfield = loaders.load_retrieval(DATASETS / "cranfield")
    assert (len(cranfield.corpus), len(cranfield.queries)) == (1400, 225)
    assert cranfield.queries["3"].startswith("what problems of heat conduction")
