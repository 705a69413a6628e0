"""Query understanding around one generation's search: spelling correction, then expansion.

In: queries, the search options, ``correct`` (bool) and ``expand`` (None, ``neighbours`` or
``prf``), and the generation's :class:`QueryTools` (its vocabulary, speller and word space,
each made on first use). Out: the ranking of :meth:`GenerationSearch.rank` for the corrected,
expanded queries, and a :class:`QueryInfo` per query (what was corrected and added, for
``--json`` and the server).

Order: the query is corrected first (:mod:`embedlab.search.spelling`; with the index's model
as the judge of context in dense and hybrid modes, frequency alone in BM25 mode, so BM25
search never loads the model; a stop word, a common English word
(:mod:`embedlab.search.lexicon`) or another form of an indexed word is not corrected); the
corrected text is then expanded (:mod:`embedlab.search.expansion`): neighbours on the BM25
side; ``prf`` runs a first search on each side (BM25: its top chunks' terms, RM3; dense: its
top chunks' vectors, Rocchio) and then the final one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.search import expansion
from embedlab.search.lexicon import common_words
from embedlab.search.querying import GenerationSearch, Ranked, check_options, check_queries
from embedlab.search.spelling import Speller
from embedlab.search.vocabulary import Vocabulary
from embedlab.search.wordspace import WordSpace, space_for

Encode = Callable[[list[str]], np.ndarray]


@dataclass
class QueryInfo:
    """One query as searched: the text given, the text after correction, what changed, and
    what expansion added to the BM25 side."""

    query: str
    corrected: str
    corrections: list[tuple[str, str]] = field(default_factory=list)
    expanded: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "corrected": self.corrected,
                "corrections": [{"from": a, "to": b} for a, b in self.corrections],
                "expanded": list(self.expanded)}


def check_expand(expand: str | None) -> None:
    if expand is not None and expand not in expansion.EXPANSIONS:
        raise EmbedlabError(f"unknown query expansion {expand!r}; expected one of: "
                            f"{', '.join(expansion.EXPANSIONS)}")


class QueryTools:
    """A generation's vocabulary, speller and word space, made when first needed."""

    def __init__(self, gen_dir: Path, search: GenerationSearch,
                 embedder: Callable[[], Any]) -> None:
        self.gen_dir = gen_dir
        self.search = search
        self._embedder = embedder
        self._vocabulary: Vocabulary | None = None
        self._speller: Speller | None = None
        self._space: WordSpace | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.load(self.gen_dir) or \
                Vocabulary.build(self.search.catalog.texts()[1])
        return self._vocabulary

    @property
    def speller(self) -> Speller:
        if self._speller is None:
            self._speller = Speller(self.vocabulary, self._known)
        return self._speller

    def _known(self, word: str) -> bool:
        """A stop word, a common English word, or a word whose BM25 tokens are all in the index
        (another form of an indexed word): not a misspelling worth correcting."""
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        if word in ENGLISH_STOP_WORDS or word in common_words():
            return True
        index = self.search.bm25.index
        tokens = index.analyse([word])[0]
        return not tokens or (index.model is not None
                              and all(t in index.model.vocab_dict for t in tokens))

    @property
    def space(self) -> WordSpace:
        if self._space is None:
            space = space_for(self._embedder())
            space.restrict(self.vocabulary.counts)
            self._space = space
        return self._space


def rank_understood(tools: QueryTools, queries: Sequence[str], k: int, *, mode: str,
                    filters: Any, fusion: str, alpha: float, exact: bool, per_document: bool,
                    correct: bool, expand: str | None, encode: Encode,
                    encode_documents: Encode) -> tuple[Ranked, list[QueryInfo]]:
    """Correct, expand, search (see the module docstring)."""
    check_options(mode, k, fusion)
    check_expand(expand)
    queries = check_queries(queries)
    search = tools.search
    infos = [QueryInfo(q, q) for q in queries]
    if correct:
        judge = None if mode == "bm25" else encode
        for info in infos:
            fixed = tools.speller.correct(info.query, judge)
            info.corrected, info.corrections = fixed.text, fixed.changes
    texts = [i.corrected for i in infos]
    vectors = weights = None
    if expand == "neighbours" and mode != "dense":
        analyse = search.bm25.index.analyse
        weights = []
        for info in infos:
            terms, info.expanded = expansion.neighbour_terms(info.corrected, tools.space,
                                                             analyse)
            weights.append(terms if info.expanded else None)
    elif expand == "prf":
        where = search.where(filters)
        if mode != "bm25":
            vectors = np.array(encode(texts), dtype=np.float32)
            first = search.dense(vectors, expansion.ROCCHIO_DOCS, where, exact, False)
            for i, hits in enumerate(first):
                vectors[i] = expansion.rocchio(vectors[i],
                                               _vectors(search, [r for _, _, r in hits],
                                                        encode_documents))
        if mode != "dense":
            first = search.lexical(texts, expansion.FEEDBACK_DOCS, where, False)
            chunks = search.catalog.chunks_at(sorted({r for h in first for _, _, r in h}))
            weights = []
            for info, hits in zip(infos, first, strict=True):
                terms, info.expanded = expansion.rm3_terms(
                    info.corrected, [chunks[r][2] for _, _, r in hits], [s for _, s, _ in hits],
                    search.bm25.index.analyse)
                weights.append(terms if info.expanded else None)
    ranked = search.rank(texts, k, mode=mode, filters=filters, fusion=fusion, alpha=alpha,
                         exact=exact, per_document=per_document, encode=encode,
                         vectors=vectors, weights=weights)
    return ranked, infos


def _vectors(search: GenerationSearch, rows: list[int], encode_documents: Encode) -> np.ndarray:
    """The stored vectors of ``rows``, or their texts encoded again where the store keeps none."""
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    stored = search.store.vectors_of(np.asarray(rows, dtype=np.int64))
    if stored is not None:
        return stored
    chunks = search.catalog.chunks_at(rows)
    return encode_documents([chunks[r][2] for r in rows])
