"""Spelling correction: the rules on which words may change, SymSpell's candidates, the choice
by frequency and by the model, and the dictionary kept in each index generation."""

from __future__ import annotations

import numpy as np
import pytest
from search_helpers import HashEmbedder, corpus_records

from embedlab.errors import EmbedlabError
from embedlab.search import Document, Index
from embedlab.search.spelling import Speller, correctable
from embedlab.search.vocabulary import FILE, Vocabulary, words_of

VOCAB = Vocabulary({"guitar": 9, "concert": 5, "insulin": 4, "resistance": 3, "diabetes": 3,
                    "cart": 2, "card": 2, "horse": 2, "poker": 2, "inflammatory": 2})


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(VOCAB)


def test_vocabulary_counts_lower_cased_alphabetic_words_and_round_trips(tmp_path):
    assert words_of("The 2 Guitars, guitar_x COVID19 a-b Naïve") == ["the", "guitars", "naïve"]
    vocab = Vocabulary.build(["guitar Guitar concert", "guitar"])
    assert vocab.counts == {"guitar": 3, "concert": 1} and list(vocab.counts)[0] == "guitar"
    vocab.save(tmp_path)
    assert Vocabulary.load(tmp_path).counts == vocab.counts
    assert Vocabulary.load(tmp_path / "none") is None
    (tmp_path / FILE).write_text("broken line\n", encoding="utf-8")
    with pytest.raises(EmbedlabError, match="altered by hand"):
        Vocabulary.load(tmp_path)


def test_misspelt_words_get_their_correction_with_case_kept(speller):
    fixed = speller.correct("Diabetis and insulin resistence")
    assert fixed.text == "Diabetes and insulin resistance"
    assert fixed.changes == [("Diabetis", "Diabetes"), ("resistence", "resistance")]
    assert speller.correct("gutiar concrt!").text == "guitar concert!"  # transposition, deletion
    assert speller.correct("anti-inflamatory").text == "anti-inflammatory"


@pytest.mark.parametrize("query", [
    "guitar concert",          # in the vocabulary
    "cart",                    # in the vocabulary, though 'card' is as close
    "guitar 2021 1987",        # numbers
    "guitr_id x-guitr7 SKU123 guitr@example.org",  # ids: underscores, digits, other signs
    "GUITR iGuitr",            # acronyms and mixed case
    "gutr teh",                # short words
    "zzzzzzzz qwertyuiop",     # nothing close in the vocabulary
])
def test_words_that_must_not_change_are_left_alone(speller, query):
    fixed = speller.correct(query)
    assert fixed.text == query and fixed.changes == []


def test_correctable_rules():
    assert correctable("guitr") and correctable("Guitr")
    assert not any(correctable(w) for w in ["gui", "GUITR", "gUitr", "guit4r", "gui_tr", "ab-c"])


def test_ties_are_broken_by_similarity_to_the_rest_of_the_query(speller):
    # 'carx' is one edit from both 'cart' and 'card' (same count): the model decides
    axes = {"cart": 0, "horse": 0, "card": 1, "poker": 1}

    def encode(texts):
        out = np.zeros((len(texts), 2), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.split():
                if w in axes:
                    out[i, axes[w]] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    assert speller.correct("horse carx", encode).text == "horse cart"
    assert speller.correct("poker carx", encode).text == "poker card"
    # without a model, frequency (equal here) and SymSpell's order decide, and the answer is one
    # of the closest
    assert speller.correct("poker carx").text in {"poker cart", "poker card"}


@pytest.fixture
def index(tmp_path, corpus_file):
    return Index.build(tmp_path / "idx", corpus_file, HashEmbedder())


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_index_search_corrects_in_every_mode(index, mode):
    plain_hits, plain = index.search_explained("gutiar concrt", 3, mode=mode)
    hits, seen = index.search_explained("gutiar concrt", 3, mode=mode, correct=True)
    assert plain.corrected == "gutiar concrt" and plain.corrections == []
    assert seen.corrected == "guitar concert"
    assert seen.corrections == [("gutiar", "guitar"), ("concrt", "concert")]
    assert hits[0].meta["topic"] == "music"
    assert [h.doc_id for h in hits] == [h.doc_id for h in index.search("guitar concert", 3,
                                                                        mode=mode)]
    if mode == "bm25":
        assert plain_hits == []  # BM25 finds nothing for the misspelt words


def test_the_dictionary_is_saved_in_each_generation_and_survives_add_and_reopen(index):
    assert (index.path / index.generation / FILE).is_file()
    index.add([Document("new", "a xylophone recital")])
    reopened = Index.open(index.path)
    assert (reopened.path / reopened.generation / FILE).is_file()
    _, seen = reopened.search_explained("xylopohne", 3, mode="bm25", correct=True)
    assert seen.corrected == "xylophone"
    assert reopened.search("xylopohne", 1, mode="bm25", correct=True)[0].doc_id == "new"
    reopened.delete(["new"])
    _, seen = Index.open(index.path).search_explained("xylopohne", 1, mode="bm25", correct=True)
    assert seen.corrected == "xylopohne"  # gone from the corpus, gone from the dictionary


def test_a_generation_without_a_dictionary_counts_one_from_its_texts(index):
    (index.path / index.generation / FILE).unlink()
    _, seen = Index.open(index.path).search_explained("gutiar", 3, mode="bm25", correct=True)
    assert seen.corrected == "guitar"
    assert (corpus_records()[0]["text"].split()[0]) in Vocabulary.build(
        [r["text"] for r in corpus_records()])


@pytest.mark.parametrize(("query", "message"), [
    ("", "the query is empty"),
    ("   ", "the query is empty"),
    ("guitar \ud800", "lone surrogate"),
])
def test_bad_queries_are_one_line_errors(index, query, message):
    with pytest.raises(EmbedlabError, match=message) as info:
        index.search(query, 3, correct=True)
    assert "\n" not in str(info.value)


def test_unknown_expansion_is_refused(index):
    with pytest.raises(EmbedlabError, match="unknown query expansion 'synonyms'"):
        index.search("guitar", 3, expand="synonyms")


def test_other_forms_stop_words_and_common_words_are_not_corrected(index):
    from embedlab.search.lexicon import common_words

    for query in ["guitars", "anyone", "gutiar anyone"]:
        _, seen = index.search_explained(query, 3, mode="bm25", correct=True)
        assert seen.corrected == query.replace("gutiar", "guitar"), query
    if not common_words():
        pytest.skip("glove-50 (the common-word list) is not installed")
    assert "coal" in common_words() and "coal" not in Vocabulary.build(
        [r["text"] for r in corpus_records()])
    _, seen = index.search_explained("coal", 3, mode="bm25", correct=True)
    assert seen.corrected == "coal"  # 'goal' is one edit away, but 'coal' is a word


def test_only_the_most_frequent_words_are_suggested(monkeypatch):
    from embedlab.search import spelling

    monkeypatch.setattr(spelling, "MAX_WORDS", 2)
    small = Speller(VOCAB)  # guitar (9) and concert (5) only
    assert small.correct("gutiar concrt insulni").text == "guitar concert insulni"
    assert small.correct("insulin").text == "insulin"  # still in the vocabulary
