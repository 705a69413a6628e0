"""STS, pair and document-similarity loaders on tiny files in every layout, and on real sets."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.data.pairs import load_pairs, load_sts
from embedlab.errors import EmbedlabError


def test_stsb_layout_selects_rows_by_split(tmp_path, stsb) -> None:
    path = stsb(tmp_path)
    test = load_sts(path)
    assert test.name == "stsbenchmark/test"
    assert test.texts1 == ['A girl is "styling" her hair.', "Why?"]  # quotes kept as text
    assert test.texts2 == ["A girl is brushing her hair.", "Because of cats."]
    assert test.scores.tolist() == [2.5, 0.8]
    for alias in ("dev", "valid", "validation"):
        assert load_sts(path, split=alias).texts1 == ["Stocks fall", "Cats nap"]
    with pytest.raises(EmbedlabError, match=r"stsbenchmark.tsv.gz: no rows with split 'nope'"):
        load_sts(path, split="nope")


@pytest.mark.parametrize(("name", "text", "gz"), [
    ("plain.data", "a cat\ta kitten\t4\nthe sun\tthe moon\t2\na dog\ta car\t0\n", False),
    ("plain.tsv.gz", "a cat\ta kitten\t4\nthe sun\tthe moon\t2\na dog\ta car\t0\n", True),
    ("header.csv", "sentence1,sentence2,score\na cat,a kitten,4\nthe sun,the moon,2\n"
                   "a dog,a car,0\n", False),
    ("odd-header.csv", "left,right,value\na cat,a kitten,4\nthe sun,the moon,2\n"
                       "a dog,a car,0\n", False),
    ("score-first.tsv", "4\ta cat\ta kitten\n2\tthe sun\tthe moon\n0\ta dog\ta car\n", False),
])


def test_sts_tables_with_or_without_header(tmp_path, name, text, gz, write) -> None:
    data = load_sts(write(tmp_path / name, text, gz=gz))
    assert data.texts1 == ["a cat", "the sun", "a dog"]
    assert data.texts2 == ["a kitten", "the moon", "a car"]
    assert data.scores.tolist() == [4.0, 2.0, 0.0]


def test_sts_csv_with_quoted_commas_and_bom(tmp_path, write) -> None:
    text = '\ufeffsentence1,sentence2,score\n"Yes, a cat",a kitten,4.5\n"No, sir",a car,0.5\n'
    data = load_sts(write(tmp_path / "q.csv", text))
    assert data.texts1 == ["Yes, a cat", "No, sir"]


def test_original_stsb_csv_without_header(tmp_path, write) -> None:
    # genre, file, year, sid, score, s1, s2 (+ source columns on some lines): the score is the
    # numeric column with fractions, the texts the two longest columns
    text = ("main-captions\tMSRvid\t2012test\t0001\t5.000\tA plane is taking off.\t"
            "An air plane is taking off.\n"
            "main-news\theadlines\t2013\t0042\t1.400\tStocks fall in Asia\tRain falls in Spain"
            "\tsource-a\tsource-b\n"
            "main-forum\tdeft\t2014\t0043\t3.000\tCats are great pets\tDogs are great pets\n")
    data = load_sts(write(tmp_path / "sts-test.csv.tsv", text))
    assert data.scores.tolist() == [5.0, 1.4, 3.0]
    assert data.texts2[1] == "Rain falls in Spain"


def test_sts_columns_given_by_name(tmp_path, write) -> None:
    text = "id\tq\td\tgold\tother\n1\tx one\ty one\t0.5\t9\n2\tx two\ty two\t0.7\t8\n"
    data = load_sts(write(tmp_path / "f.tsv", text), text_field="q,d",
                    label_field="gold")
    assert data.texts1 == ["x one", "x two"] and data.scores.tolist() == [0.5, 0.7]
    with pytest.raises(EmbedlabError, match=r"f.tsv: no score column 'nope'; found columns"):
        load_sts(tmp_path / "f.tsv", label_field="nope")


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


def test_sts_wrong_layouts_name_the_file(tmp_path, text, message, write) -> None:
    path = write(tmp_path / "bad.tsv", text)
    with pytest.raises(EmbedlabError, match=message) as info:
        load_sts(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_non_utf8_is_an_error_naming_the_file(tmp_path, write) -> None:
    path = write(tmp_path / "latin.tsv", "café\tthé\t3\nà\tè\t1\n", encoding="latin-1")
    with pytest.raises(EmbedlabError, match=r"latin.tsv: not UTF-8 text"):
        load_sts(path)
    gz = write(tmp_path / "latin.tsv.gz", "café\tthé\t3\n", gz=True, encoding="latin-1")
    with pytest.raises(EmbedlabError, match=r"latin.tsv.gz: not UTF-8 text"):
        load_pairs(gz)


def test_pair_files(tmp_path, write) -> None:
    folder = tmp_path / "atec"
    write(folder / "ATEC.valid.data", "花呗\t借呗\t0\n怎么还款\t如何还款\t1\n")
    write(folder / "ATEC.test.data", "花呗怎么用\t花呗如何使用\t1\n借呗\t余额宝\t0\n")
    data = load_pairs(folder)
    assert data.name == "atec/test"
    assert data.labels.tolist() == [1, 0] and data.labels.dtype == np.int64
    assert load_pairs(folder, split="valid").texts1 == ["花呗", "怎么还款"]
    bad = write(tmp_path / "graded.tsv", "a\tb\t0\nc\td\t3\n")
    with pytest.raises(EmbedlabError, match=r"graded.tsv: expected binary labels 0/1 in a pair "
                                            r"file, found \[0, 3\]"):
        load_pairs(bad)


def test_real_sts_sets(shared_datasets) -> None:
    en = load_sts(shared_datasets / "stsb-en" / "stsbenchmark.tsv.gz")
    assert (en.name, len(en.scores)) == ("stsbenchmark/test", 1379)
    assert en.scores.min() >= 0 and en.scores.max() <= 5
    assert len(load_sts(shared_datasets / "stsb-en" / "stsbenchmark.tsv.gz",
                        split="dev").scores) == 1500
    zh = load_sts(shared_datasets / "stsb-zh")
    assert (zh.name, len(zh.scores)) == ("stsb-zh/test", 1361)
    assert zh.texts1[0] == "一个女孩在给她的头发做发型。"


def test_real_pair_set(shared_datasets) -> None:
    atec = load_pairs(shared_datasets / "atec-zh")
    assert len(atec.labels) == 20000 and set(atec.labels.tolist()) == {0, 1}


@pytest.mark.parametrize("name", ["scores.tsv", "scores.csv", "scores.data", "scores"])
def test_gzip_is_known_by_its_bytes_not_its_name(tmp_path, write, name) -> None:
    sep = "," if name.endswith(".csv") else "\t"
    rows = [("a cat", "a kitten", "4"), ("the sun", "the moon", "2"), ("a dog", "a car", "0")]
    text = "".join(sep.join(r) + "\n" for r in rows)
    data = load_sts(write(tmp_path / name, text, gz=True))
    assert data.texts1 == ["a cat", "the sun", "a dog"]
    assert data.scores.tolist() == [4.0, 2.0, 0.0]
