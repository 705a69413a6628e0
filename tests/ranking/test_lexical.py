"""The one BM25: lexical ranking, tokens, and the same code path for evaluation and indexes."""

from __future__ import annotations

import numpy as np

from embedlab.evaluate.bm25 import BM25Model
from embedlab.ranking import lexical
from embedlab.ranking.lexical import BM25Index, BM25Retriever
from embedlab.search.bm25 import ChunkBM25


def test_bm25_ranks_by_words_and_drops_non_matches(tiny_corpus: dict[str, str]) -> None:
    corpus = tiny_corpus
    retriever = BM25Retriever()
    retriever.index(list(corpus), list(corpus.values()))
    hits = retriever.search(["the cats purring", "zebra", "", "stock markets"], k=3)
    assert [d for d, _ in hits[0]] == ["d1"]  # stemming: purring -> purr, cats -> cat
    assert hits[1] == [] and hits[2] == []
    assert hits[3][0][0] == "d3" and hits[3][0][1] > 0


def test_bm25_tokenizes_chinese_by_character() -> None:
    retriever = BM25Retriever()
    retriever.index(["a", "b"], ["花呗怎么还款", "借呗的借款日期"])
    assert retriever.search(["还款"], k=2)[0][0][0] == "a"


def test_bm25_on_an_empty_corpus_returns_nothing() -> None:
    retriever = BM25Retriever()
    retriever.index([], [])
    assert retriever.search(["anything"], k=10) == [[]]


SAMPLE = "The cats were purring; 猫 runs, Running and RUNS — e-mail x 42nd"


def test_evaluation_and_index_bm25_tokenise_through_one_path(monkeypatch, tmp_path) -> None:
    """``eval -m bm25`` and an index generation's BM25 cut a text into the same tokens, by the
    same function, and so score it the same."""
    real = lexical.tokenize
    seen: list[tuple[list[str], bool, object]] = []

    def recording(texts, *, as_ids, progress=False):
        out = real(texts, as_ids=as_ids, progress=progress)
        seen.append((list(texts), as_ids, out))
        return out

    monkeypatch.setattr(lexical, "tokenize", recording)
    retriever = BM25Model().make_retriever()
    retriever.index(["doc"], [SAMPLE])
    evaluated = retriever.search([SAMPLE], k=1)
    built = ChunkBM25.build(np.array([7]), [SAMPLE])
    built.save(tmp_path)
    indexed = ChunkBM25.load(tmp_path).search([SAMPLE], k=1)

    assert isinstance(built.index, BM25Index)
    assert [(texts, as_ids) for texts, as_ids, _ in seen] == [([SAMPLE], True),
                                                             ([SAMPLE], False)] * 2
    (_, _, eval_doc), (_, _, eval_query), (_, _, index_doc), (_, _, index_query) = seen
    assert eval_doc.vocab == index_doc.vocab and eval_doc.ids == index_doc.ids
    assert eval_query == index_query
    words = eval_query[0]
    assert "the" not in words and "x" not in words and "猫" in words  # stop words, 1 letter
    assert lexical.stemmer() is not None  # PyStemmer is a core dependency
    assert {"cat", "run"} <= set(words) and words.count("run") == 3
    assert "purring" not in words
    assert evaluated[0][0][0] == "doc" and indexed[0][0][0] == 7
    assert evaluated[0][0][1] == indexed[0][0][1] > 0
