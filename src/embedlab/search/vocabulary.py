"""The words of an index and how often each occurs: the dictionary of spelling correction and
the candidate terms of query expansion, saved in each generation (``vocabulary.tsv``).

In: the texts of the live chunks (:meth:`Vocabulary.build`, at every write, beside BM25). Out:
``word -> count`` of lower-cased alphabetic words of two or more letters (numbers and words
with digits or underscores are not spelling material). The file is one ``word<TAB>count`` line
per word, most frequent first; a generation written before it existed gets its vocabulary
counted from the catalog's texts when first asked (not saved: generations are read-only).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from embedlab.errors import EmbedlabError

FILE = "vocabulary.tsv"
_WORD = re.compile(r"\w+")


def words_of(text: str) -> list[str]:
    """The lower-cased alphabetic words of ``text`` (2+ letters) that the vocabulary counts."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w.isalpha()]


class Vocabulary:
    """``word -> count`` of an index's chunks (see the module docstring)."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.total = sum(counts.values())

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word.lower() in self.counts

    def __len__(self) -> int:
        return len(self.counts)

    def count(self, word: str) -> int:
        return self.counts.get(word.lower(), 0)

    @classmethod
    def build(cls, texts: Iterable[str]) -> Vocabulary:
        counter: Counter[str] = Counter()
        for text in texts:
            counter.update(words_of(text))
        return cls(dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))))

    def save(self, folder: Path) -> None:
        """Write ``vocabulary.tsv`` into a generation folder being written."""
        with open(folder / FILE, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(f"{w}\t{c}\n" for w, c in self.counts.items())

    @classmethod
    def load(cls, folder: Path) -> Vocabulary | None:
        """The saved vocabulary of a generation, or None where it has none."""
        path = folder / FILE
        if not path.is_file():
            return None
        counts: dict[str, int] = {}
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                word, _, count = line.rstrip("\n").partition("\t")
                if not word or not count.isdigit():
                    raise EmbedlabError(f"{path}: line {number} is not 'word<TAB>count'; the "
                                        "index folder was altered by hand")
                counts[word] = int(count)
        return cls(counts)
