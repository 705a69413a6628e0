"""Search test helpers, imported by name (``from search_helpers import HashEmbedder``): a fast
bag-of-words embedder and a small corpus with metadata. (Not in conftest.py: several test
folders have a conftest, and ``from conftest import`` would find whichever was imported first.)
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from embedlab.embedders.base import BaseEmbedder

_WORD = re.compile(r"\w+")


class HashEmbedder(BaseEmbedder):
    """Bag of words: each word a fixed random vector (seeded by its CRC), summed, normalised.

    Texts that share words are close, so searching a document's own words finds it; no weights,
    no torch, microseconds per text. A BaseEmbedder (no vector cache), as search expects.
    """

    def __init__(self, dim: int = 32, salt: str = "") -> None:
        super().__init__(cache_dir=False)
        self.dim = dim
        self.salt = salt
        self.name = f"hash-{dim}{salt}"
        self._words: dict[str, np.ndarray] = {}
        self.calls = 0

    def config_key(self) -> str:
        return f"HashEmbedder|{self.name}|{self.dim}|{self.salt}"

    def _word(self, word: str) -> np.ndarray:
        if word not in self._words:
            rng = np.random.default_rng(zlib.crc32((self.salt + word).encode()))
            self._words[word] = rng.normal(size=self.dim).astype(np.float32)
        return self._words[word]

    def _prepare(self, texts, kind):
        return list(texts)

    def _embed_items(self, items, kind):
        self.calls += 1
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for i, text in enumerate(items):
            for w in _WORD.findall(text.lower()):
                out[i] += self._word(w)
        return out


TOPICS = {
    "cooking": "onion garlic pan oven recipe bake flour butter",
    "music": "guitar piano concert melody rhythm band song",
    "sport": "football match goal referee stadium team score",
    "travel": "train airport hotel passport luggage journey map",
}


def corpus_records(n_per_topic: int = 6) -> list[dict]:
    """Documents with ids, a title, a topic and a year; every text has a unique marker word."""
    records = []
    for t, (topic, words) in enumerate(TOPICS.items()):
        vocab = words.split()
        for j in range(n_per_topic):
            picked = [vocab[(j + s) % len(vocab)] for s in range(5)]
            records.append({"_id": f"{topic}-{j}", "title": f"{topic} note {j}",
                            "text": " ".join(picked) + f" marker{t}x{j}",
                            "topic": topic, "year": 2020 + j % 3})
    return records
