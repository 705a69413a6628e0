"""Word-level evaluation sets: word pairs with a similarity score, and analogy questions.

In: a file in gensim's layouts: ``wordsim353.tsv`` / ``simlex999.txt`` (``word1<TAB>word2<TAB>
score``, ``#`` comments, an optional header) and ``questions-words.txt`` (``: section`` lines and
``a b c d`` lines). Out: :class:`WordPairs` or :class:`Analogies`. A bad line raises
:class:`EmbedlabError` naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from embedlab.data.columns import SCORE_NAMES
from embedlab.data.datasets import Analogies, WordPairs
from embedlab.data.records import read_text, split_lines
from embedlab.data.splits import data_name
from embedlab.data.tables import is_number
from embedlab.errors import EmbedlabError


def load_word_pairs(path: str | Path) -> WordPairs:
    """Word pairs with a score: gensim's ``wordsim353.tsv``/``simlex999.txt`` layout.

    ``#`` lines are comments; cells are tab-separated (or space-separated if a line has no tab);
    a header row is allowed (the score column is then the one named like a score, else the
    first numeric one after the two words).
    """
    path = Path(path)
    words1, words2, scores = [], [], []
    score_index: int | None = None
    for number, line in enumerate(split_lines(read_text(path)), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t") if "\t" in line else line.split()
        cells = [c.strip() for c in cells]
        if score_index is None:
            lowered = [c.lower() for c in cells]
            named = [i for i, c in enumerate(lowered) if i >= 2 and
                     (c in SCORE_NAMES or "simlex" in c or "mean" in c)]
            numeric = [i for i, c in enumerate(cells) if i >= 2 and is_number(c)]
            if not numeric and len(cells) >= 3:
                score_index = named[0] if named else 2
                continue  # a header row
            if not numeric:
                raise EmbedlabError(f"{path}: line {number}: expected 'word1<TAB>word2<TAB>"
                                    f"score', found {line.strip()[:60]!r}")
            score_index = numeric[0]
        if len(cells) <= score_index or not is_number(cells[score_index]):
            raise EmbedlabError(f"{path}: line {number}: expected 'word1<TAB>word2<TAB>score', "
                                f"found {line.strip()[:60]!r}")
        words1.append(cells[0])
        words2.append(cells[1])
        scores.append(float(cells[score_index]))
    if len(scores) < 2:
        raise EmbedlabError(f"{path}: expected word pairs with scores ('word1<TAB>word2<TAB>"
                            "score' lines), found fewer than two")
    return WordPairs(data_name(path), words1, words2, np.array(scores))


def load_analogies(path: str | Path) -> Analogies:
    """Analogy questions in gensim's ``questions-words.txt`` layout.

    ``: section`` lines start a section; every other line is ``a b c d`` (a is to b as c is to
    d). Questions before any section line go to section ``default``.
    """
    path = Path(path)
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = "default"
    for number, line in enumerate(split_lines(read_text(path)), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith(":"):
            current = text[1:].strip() or f"section {len(sections) + 1}"
            sections.setdefault(current, [])
            continue
        words = text.split()
        if len(words) != 4:
            raise EmbedlabError(f"{path}: line {number}: expected four words 'a b c d' or a "
                                f"': section' line, found {text[:60]!r}")
        sections.setdefault(current, []).append((words[0], words[1], words[2], words[3]))
    sections = {k: v for k, v in sections.items() if v}
    if not sections:
        raise EmbedlabError(f"{path}: no analogy questions; expected ': section' lines and "
                            "'a b c d' lines (gensim questions-words.txt layout)")
    return Analogies(data_name(path), sections)
