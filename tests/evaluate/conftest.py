"""Fast stand-ins for real models, and tiny data sets written into tmp_path."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedlab.data.datasets import RetrievalData
from embedlab.embedders.base import BaseEmbedder, EncodeResult, Kind
from embedlab.embedders.static import WordVectorEmbedder

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
_TOKEN = re.compile(r"[\u4e00-\u9fff]|\w+", re.UNICODE)


class HashEmbedder(BaseEmbedder):
    """A bag-of-words Embedder: each lower-cased word (or CJK character) has a fixed random
    vector, seeded by its CRC32; a text is the sum of its words' vectors. ``calls`` records
    ``(number of texts, kind)`` per encode call."""

    def __init__(self, dim: int = 64, name: str = "hash") -> None:
        super().__init__(cache_dir=False)
        self.name = name
        self.dim = dim
        self.calls: list[tuple[int, str]] = []

    def word_vector(self, word: str) -> np.ndarray:
        rng = np.random.default_rng(zlib.crc32(word.encode("utf-8")))
        return rng.standard_normal(self.dim).astype(np.float32)

    def embed(self, items: Sequence[str], **options: Any) -> EncodeResult:
        self.calls.append((len(items), options.get("kind", "document")))
        return super().embed(items, **options)

    def _prepare(self, texts: list[str], kind: Kind) -> list[str]:
        return texts

    def _embed_items(self, items: list[str], kind: Kind) -> np.ndarray:
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for i, text in enumerate(items):
            for token in _TOKEN.findall(text.lower()):
                out[i] += self.word_vector(token)
        return out


@pytest.fixture
def hash_model() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def datasets() -> Path:
    """The shared public data sets next to the repository; the test skips without them."""
    if not DATASETS.is_dir():
        pytest.skip(f"no shared data sets at {DATASETS}")
    return DATASETS


def _word_model(words: list[str], matrix: np.ndarray) -> WordVectorEmbedder:
    return WordVectorEmbedder(words, matrix, name="tiny-words", cache_dir=False)


def _keyed_vectors(words: list[str], matrix: np.ndarray):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(matrix.shape[1])
    kv.add_vectors(words, matrix)
    return kv


@pytest.fixture
def word_model():
    """``word_model(words, matrix)``: a word-vector Embedder (embedlab's static word vectors)
    over a tiny vocabulary, with no files and no cache."""
    return _word_model


@pytest.fixture
def keyed_vectors():
    """``keyed_vectors(words, matrix)``: the same vectors as gensim KeyedVectors (reference)."""
    return _keyed_vectors


QUERIES = {"q1": "why do cats purr", "q2": "dogs bark postman", "q3": "lava from volcanoes",
           "q4": "quantum chromodynamics"}
QRELS = {"q1": {"d1": 2}, "q2": {"d2": 1, "d3": 0}, "q3": {"d4": 1, "d5": 1},
         "q4": {"d3": 0}}


@pytest.fixture
def tiny_retrieval(tiny_corpus: dict[str, str]) -> RetrievalData:
    """Five documents, four queries: graded (q1), a judged 0 (q2), two relevant (q3), and one
    query with no relevant document (q4)."""
    return RetrievalData("tiny", dict(tiny_corpus), dict(QUERIES),
                         {q: dict(j) for q, j in QRELS.items()})
