"""Classification and clustering loaders: folders of split files, split columns, JSONL."""

from __future__ import annotations

import json

import pytest

from embedlab.data.labelled import load_classification, load_labelled_texts
from embedlab.errors import EmbedlabError


def test_classification_folder_of_train_and_test(tmp_path, write) -> None:
    folder = tmp_path / "banking"
    write(folder / "train.csv", "text,category\nwhere is my card?,card_arrival\n"
                                "\"top up, please\",top_up\n")
    write(folder / "test.csv", "text,category\nmy card has not come,card_arrival\n"
                               "add money,top_up\n")
    write(folder / "categories.json", '["card_arrival", "top_up"]')
    data = load_classification(folder)
    assert data.name == "banking/test"
    assert data.train.texts == ["where is my card?", "top up, please"]
    assert data.train.labels == ["card_arrival", "top_up"]
    assert data.test.texts == ["my card has not come", "add money"]
    from_file = load_classification(folder / "test.csv")  # finds train.csv beside it
    assert from_file.name == "banking/test" and len(from_file.train.texts) == 2
    assert load_labelled_texts(folder).labels == ["card_arrival", "top_up"]


def test_classification_guesses_columns_without_header(tmp_path, write) -> None:
    rows = [("pos", "a truly wonderful film"), ("neg", "dull and far too long"),
            ("pos", "great acting throughout"), ("neg", "I want my money back")] * 3
    path = write(tmp_path / "reviews.tsv", "".join(f"{lab}\t{txt}\n" for lab, txt in rows))
    data = load_classification(path)
    assert data.name == "reviews/split"
    assert len(data.train.texts) == 9 and len(data.test.texts) == 3  # 75/25
    assert set(data.test.labels) == {"pos", "neg"}  # stratified
    assert set(data.train.texts + data.test.texts) == {t for _, t in rows}


def test_classification_split_column_and_named_fields(tmp_path, write) -> None:
    text = "utt,intent_name,split\nhi there,greet,train\nbye now,leave,train\nhello,greet,test\n"
    path = write(tmp_path / "intents.csv", text)
    data = load_classification(path, text_field="utt", label_field="intent_name")
    assert data.train.texts == ["hi there", "bye now"] and data.test.labels == ["greet"]
    with pytest.raises(EmbedlabError, match=r"intents.csv: expected a text column .* found "
                                            r"columns \['utt', 'intent_name', 'split'\]"):
        load_classification(path)


def test_classification_jsonl(tmp_path, write) -> None:
    lines = [{"sentence": f"text {i}", "label": i % 2, "extra": None} for i in range(8)]
    path = write(tmp_path / "data.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    data = load_classification(path)
    assert sorted(data.train.labels + data.test.labels) == ["0"] * 4 + ["1"] * 4
    write(tmp_path / "bad.jsonl", '{"sentence": "a", "label": 1}\nnot json\n')
    with pytest.raises(EmbedlabError, match="bad.jsonl: line 2 is not JSON"):
        load_classification(tmp_path / "bad.jsonl")
    write(tmp_path / "nolabel.jsonl", '{"sentence": "a"}\n')
    with pytest.raises(EmbedlabError, match="nolabel.jsonl: expected a label field"):
        load_classification(tmp_path / "nolabel.jsonl")


def test_real_classification_set(shared_datasets) -> None:
    banking = load_classification(shared_datasets / "banking77")
    assert (len(banking.train.texts), len(banking.test.texts)) == (10003, 3080)
    assert len(set(banking.train.labels)) == 77


def test_gzipped_files_without_gz_suffix(tmp_path, write) -> None:
    folder = tmp_path / "intents"
    write(folder / "train.csv", "utterance,intent\nhi,greet\nbye,leave\n", gz=True)
    write(folder / "test.jsonl", '{"utterance": "hello", "intent": "greet"}\n'
                                 '{"utterance": "see you", "intent": "leave"}\n', gz=True)
    data = load_classification(folder)
    assert data.train.texts == ["hi", "bye"] and data.test.labels == ["greet", "leave"]


def test_a_named_field_missing_from_jsonl_names_the_fields(tmp_path, write) -> None:
    path = write(tmp_path / "d.jsonl", '{"text": "a", "label": "x"}\n{"text": "b", "label": "y"}\n')
    with pytest.raises(EmbedlabError, match=r"d.jsonl: no label field 'tag'; fields are "
                                            r"\['text', 'label'\]"):
        load_labelled_texts(path, label_field="tag")
    assert load_labelled_texts(path, text_field="TEXT").texts == ["a", "b"]
