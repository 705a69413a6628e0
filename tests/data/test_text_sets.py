"""Text sets for intrinsic geometry from every layout."""

from __future__ import annotations

from embedlab.data.text_sets import load_text_set


def test_text_sets(tmp_path, write, stsb, beir) -> None:
    plain = load_text_set(write(tmp_path / "lines.txt", "one text\n\nanother text\n"))
    assert plain.texts == ["one text", "another text"] and plain.labels is None
    labelled = load_text_set(write(tmp_path / "l.csv", "text,label\na,x\nb,y\n"))
    assert labelled.labels == ["x", "y"] and labelled.pairs is None
    pairs = load_text_set(write(tmp_path / "p.tsv", "a\tb\t1\nc\td\t0\na\te\t1\n"))
    assert pairs.texts == ["a", "c", "b", "d", "e"]
    assert pairs.pairs == (["a", "a"], ["b", "e"])
    sts = load_text_set(stsb(tmp_path))  # test rows: scores 2.5 and 0.8
    assert sts.pairs == (['A girl is "styling" her hair.'], ["A girl is brushing her hair."])
    folder = beir(tmp_path, "q1\td1\t2\nq1\td2\t0\nq2\td2\t1\n")
    retrieval = load_text_set(folder)
    assert len(retrieval.texts) == 3
    assert retrieval.pairs == (["why purr", "barking"], ["Cats They purr.", "Dogs bark."])
