"""Word pairs and analogy questions in gensim's layouts."""

from __future__ import annotations

import pytest

from embedlab.data.words import load_analogies, load_word_pairs
from embedlab.errors import EmbedlabError


def test_word_pairs_gensim_and_simlex_layouts(tmp_path, write) -> None:
    gensim_style = write(tmp_path / "ws.tsv", "# comment\n# Word 1\tWord 2\tHuman (mean)\n"
                                              "love\tsex\t6.77\ntiger\tcat\t7.35\n")
    data = load_word_pairs(gensim_style)
    assert (data.words1, data.words2, data.scores.tolist()) == (
        ["love", "tiger"], ["sex", "cat"], [6.77, 7.35])
    simlex = write(tmp_path / "SimLex-999.txt", "word1\tword2\tPOS\tSimLex999\tconc(w1)\n"
                                                "old\tnew\tA\t1.58\t2.72\n"
                                                "smart\tintelligent\tA\t9.2\t1.75\n")
    assert load_word_pairs(simlex).scores.tolist() == [1.58, 9.2]
    spaces = write(tmp_path / "sp.txt", "old new 1.5\nbig large 9\n")
    assert load_word_pairs(spaces).words2 == ["new", "large"]
    bad = write(tmp_path / "bad.tsv", "love\tsex\t6.77\ntiger\tcat\n")
    with pytest.raises(EmbedlabError, match=r"bad.tsv: line 2: expected 'word1<TAB>word2<TAB>"):
        load_word_pairs(bad)


def test_analogies(tmp_path, write) -> None:
    path = write(tmp_path / "q.txt", ": capitals\nAthens Greece Berlin Germany\n\n: plural\n"
                                     "cat cats dog dogs\nbird birds cow cows\n")
    data = load_analogies(path)
    assert list(data.sections) == ["capitals", "plural"]
    assert data.sections["plural"][1] == ("bird", "birds", "cow", "cows")
    assert list(load_analogies(write(tmp_path / "n.txt", "a b c d\n")).sections) == [
        "default"]
    with pytest.raises(EmbedlabError, match=r"r.txt: line 2: expected four words"):
        load_analogies(write(tmp_path / "r.txt", ": s\na b c\n"))
    with pytest.raises(EmbedlabError, match="no analogy questions"):
        load_analogies(write(tmp_path / "e.txt", ": empty\n"))
