"""Spelling correction of queries from the index's own words (SymSpell, ``symspellpy``).

In: a query, the index's :class:`~embedlab.search.vocabulary.Vocabulary`, and optionally an
``encode`` function (texts -> L2-normalised vectors, the index's model). Out: a
:class:`Correction`: the corrected text and the ``(word, replacement)`` changes.

- A word is a candidate for correction only if it is made of letters alone (a hyphenated word:
  each part), longer than three letters, lower-case or capitalised (``ACRONYMS`` and
  ``miXed`` case are names and ids), not in the vocabulary, and not ``known`` otherwise (the
  index passes: a stop word, or a word whose BM25 tokens, stemmed, are all in the index, such as
  ``obeyed`` where only ``obey`` occurs: BM25 matches it already). A word that is in the
  vocabulary, a number, an id (digits, underscores, other signs) and a short word are never
  changed.
- Candidates are the vocabulary words within edit distance 1 (words of up to 5 letters) or 2
  (longer words), Damerau-Levenshtein (a transposition is one edit), found by SymSpell.
- The closest candidates (smallest distance) win; among them, the one most similar to the rest
  of the query under the index's model (cosine of the word and the query without it), plus a
  small bonus for frequency (log count over log of the largest count). Without a model
  (``--mode bm25``, or a one-word query) frequency alone decides.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.search.vocabulary import Vocabulary

SHORT = 3  # words of this many letters or fewer are never changed
#: the most frequent words that can be suggested: SymSpell keeps ~2 KB per word (its deletes),
#: so memory stays under ~200 MB however large the corpus; rarer words are still never changed
MAX_WORDS = 100_000
FREQUENCY_WEIGHT = 0.25
_TOKEN = re.compile(r"\S+")
_EDGE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.DOTALL)

Encode = Callable[[list[str]], np.ndarray]


@dataclass
class Correction:
    """A query after correction: its text and what was changed, in order."""

    text: str
    changes: list[tuple[str, str]] = field(default_factory=list)


def correctable(word: str) -> bool:
    """Whether a word may be changed (see the module docstring)."""
    if len(word) <= SHORT or not word.isalpha():
        return False
    return word.islower() or (word[0].isupper() and word[1:].islower())


def _with_case(replacement: str, like: str) -> str:
    return replacement.capitalize() if like[0].isupper() else replacement


class Speller:
    """SymSpell over an index's vocabulary; :meth:`correct` one query at a time."""

    def __init__(self, vocabulary: Vocabulary,
                 known: Callable[[str], bool] | None = None) -> None:
        try:
            from symspellpy import SymSpell
        except ImportError:
            raise EmbedlabError("spelling correction needs symspellpy: "
                                "pip install 'embedlab[query]'") from None
        self.vocabulary = vocabulary
        self.known = known
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in itertools.islice(vocabulary.counts.items(), MAX_WORDS):
            self._symspell.create_dictionary_entry(word, count)
        top = max(vocabulary.counts.values(), default=1)
        self._log_top = math.log1p(top) or 1.0

    def candidates(self, word: str) -> list[tuple[str, int, int]]:
        """``(word, distance, count)`` of the closest vocabulary words, for a misspelt word."""
        from symspellpy import Verbosity

        lower = word.lower()
        limit = 1 if len(lower) <= 5 else 2
        found = self._symspell.lookup(lower, Verbosity.CLOSEST, max_edit_distance=limit)
        return [(s.term, int(s.distance), int(s.count)) for s in found if s.term != lower]

    def correct(self, query: str, encode: Encode | None = None) -> Correction:
        """The query with its misspelt words replaced (see the module docstring)."""
        spans: list[tuple[int, int, str]] = []  # (start, end, word) of words to correct
        for token in _TOKEN.finditer(query):
            lead, core, _ = _EDGE.match(token.group()).groups()  # type: ignore[union-attr]
            start = token.start() + len(lead)
            for part in core.split("-") if core else []:
                if correctable(part) and part not in self.vocabulary and \
                        not (self.known is not None and self.known(part.lower())):
                    spans.append((start, start + len(part), part))
                start += len(part) + 1
        if not spans:
            return Correction(query)
        options = [self.candidates(word) for _, _, word in spans]
        scores = self._scores(query, spans, options, encode)
        text, changes, shift = query, [], 0
        for (start, end, word), cands, score in zip(spans, options, scores, strict=True):
            if not cands:
                continue
            best = _with_case(cands[int(np.argmax(score))][0], word)
            text = text[:start + shift] + best + text[end + shift:]
            shift += len(best) - len(word)
            changes.append((word, best))
        return Correction(text, changes)

    def _scores(self, query: str, spans: list[tuple[int, int, str]],
                options: list[list[tuple[str, int, int]]], encode: Encode | None
                ) -> list[np.ndarray]:
        """Per misspelt word, a score per candidate: frequency, plus similarity if a model."""
        scores = [FREQUENCY_WEIGHT * np.array([math.log1p(c) / self._log_top for _, _, c in o])
                  for o in options]
        ambiguous = [i for i, o in enumerate(options) if len(o) > 1]
        if encode is None or not ambiguous:
            return scores
        contexts = [(query[:spans[i][0]] + query[spans[i][1]:]).strip() for i in ambiguous]
        if not all(contexts):
            return scores
        words = [w for i in ambiguous for w, _, _ in options[i]]
        vectors = np.asarray(encode(contexts + words), dtype=np.float32)
        at = len(contexts)
        for j, i in enumerate(ambiguous):
            n = len(options[i])
            scores[i] = scores[i] + vectors[at:at + n] @ vectors[j]
            at += n
        return scores
