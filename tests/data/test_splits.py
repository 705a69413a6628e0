"""Picking the file of a split inside a folder, and split names."""

from __future__ import annotations

import pytest

from embedlab.data.pairs import load_sts
from embedlab.data.splits import data_files, data_name, pick_split_file, split_names, with_split
from embedlab.errors import EmbedlabError


def test_folder_of_split_files(tmp_path, write) -> None:
    folder = tmp_path / "stsb-zh"
    for split, score in (("train", 1), ("valid", 2), ("test", 3)):
        write(folder / f"STS-B.{split}.data", f"一{split}\t二\t{score}\n三\t四\t0\n")
    assert load_sts(folder).texts1[0] == "一test"
    assert load_sts(folder).name == "stsb-zh/test"
    assert load_sts(folder, split="dev").texts1[0] == "一valid"
    with pytest.raises(EmbedlabError, match="no file for split 'other'"):
        load_sts(folder, split="other")
    with pytest.raises(EmbedlabError, match="no such file or folder"):
        load_sts(tmp_path / "missing")


def test_split_names_files_and_display_names(tmp_path, write) -> None:
    assert split_names("VALID") == ("dev", "valid", "validation", "val")
    assert split_names("other") == ("other",)
    folder = tmp_path / "set"
    for name in ("a.test.tsv", "b.test.csv", "train.tsv", ".hidden.tsv", "notes.md"):
        write(folder / name, "x\n")
    assert [p.name for p in data_files(folder)] == ["a.test.tsv", "b.test.csv", "train.tsv"]
    with pytest.raises(EmbedlabError, match=r"several files match split 'test' \(a.test.tsv, "):
        pick_split_file(folder, None, "texts")
    assert pick_split_file(folder, "training", "texts") == (folder / "train.tsv", "training")
    assert data_name(tmp_path / "banking77" / "test.csv.gz") == "banking77/test"
    assert data_name(tmp_path / "stsbenchmark.tsv.gz") == "stsbenchmark"
    assert with_split("banking77", "test") == "banking77/test"
    assert with_split("stsb-test", "test") == "stsb-test"
