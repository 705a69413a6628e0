"""Static embeddings: word vectors (GloVe, word2vec, fastText) and model2vec models.

Word vectors: a text is tokenized into words, looked up, and pooled by mean or by SIF weights
(Arora et al. 2017: ``a / (a + p(w))``; ``p(w)`` from Zipf's law on the vocabulary rank, since
these files are sorted by frequency and carry no counts). Unknown words are counted, never an
error; a text with no known word gets the zero vector. Loading uses gensim's readers.
model2vec folders are run by model2vec itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.embedders.tokenized import file_fingerprint
from embedlab.errors import EmbedlabError

_WORD = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)
SIF_A = 1e-3


def tokenize_words(text: str, *, lowercase: bool = True) -> list[str]:
    """Words (with inner hyphens and apostrophes) and punctuation marks, as the word-vector
    models split texts."""
    return _WORD.findall(text.lower() if lowercase else text)


class StaticPooling(StrEnum):
    MEAN = "mean"
    SIF = "sif"


_SEGMENT = 1 << 20  # characters tokenized at once in a long text
_SPACE = re.compile(r"\s")


class WordRows:
    """The vocabulary rows of one text's known words, and how many words were unknown.

    A long text keeps each distinct row once with its ``counts`` (how often it occurs), so its
    memory is bounded by the vocabulary, not by the text's length."""

    __slots__ = ("rows", "oov", "counts")

    def __init__(self, rows: np.ndarray, oov: int, counts: np.ndarray | None = None) -> None:
        self.rows = rows
        self.oov = oov
        self.counts = counts

    def __len__(self) -> int:
        known = len(self.rows) if self.counts is None else int(self.counts.sum())
        return known + self.oov


def segments(text: str, size: int = _SEGMENT) -> list[tuple[int, int]]:
    """``(start, end)`` spans of about ``size`` characters that end at whitespace (a word never
    spans whitespace, so tokenizing the spans one by one finds the words of the whole)."""
    spans, start = [], 0
    while start < len(text):
        cut = _SPACE.search(text, min(start + size, len(text)))
        end = cut.end() if cut else len(text)
        spans.append((start, end))
        start = end
    return spans


class WordVectorEmbedder(BaseEmbedder):
    """Mean or SIF pooling of word vectors; see the module docstring."""

    def __init__(
        self,
        words: list[str],
        matrix: np.ndarray,
        *,
        name: str,
        pooling: StaticPooling | str = StaticPooling.MEAN,
        lowercase: bool | None = None,
        weights_id: str = "",
        cache_dir: Any = None,
    ) -> None:
        super().__init__(cache_dir=cache_dir)
        if matrix.ndim != 2 or len(words) != matrix.shape[0] or not words:
            raise EmbedlabError(f"{name}: the word list and the vector matrix do not match")
        try:
            self.pooling = StaticPooling(pooling)
        except ValueError:
            raise EmbedlabError(
                f"unknown pooling {pooling!r} for static vectors; expected mean or sif"
            ) from None
        self.name = name
        self.dim = int(matrix.shape[1])
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self.vocab = {w: i for i, w in reversed(list(enumerate(words)))}
        sample = words[:2000]
        self.lowercase = (not any(w != w.lower() for w in sample)) if lowercase is None \
            else lowercase
        ranks = np.arange(1, len(words) + 1, dtype=np.float64)
        zipf = 1.0 / ranks
        self.sif_weights = (SIF_A / (SIF_A + zipf / zipf.sum())).astype(np.float32)
        self.weights_id = weights_id

    def config_key(self) -> str:
        return f"{super().config_key()}|{self.weights_id}|{self.pooling.value}|{self.lowercase}"

    def tokenize(self, text: str) -> list[str]:
        return tokenize_words(text, lowercase=self.lowercase)

    def _prepare(self, texts: list[str], kind: Kind) -> list[WordRows]:
        items = []
        for text in texts:
            if len(text) > _SEGMENT:
                items.append(self._long_rows(text))
                continue
            rows = [self.vocab.get(w, -1) for w in self.tokenize(text)]
            known = np.array([r for r in rows if r >= 0], dtype=np.int64)
            items.append(WordRows(known, len(rows) - len(known)))
        return items

    def _long_rows(self, text: str) -> WordRows:
        """A long text's words counted per vocabulary row, a segment at a time."""
        counts = np.zeros(len(self.matrix), dtype=np.int64)
        oov = 0
        for start, end in segments(text):
            rows = np.fromiter((self.vocab.get(w, -1) for w in self.tokenize(text[start:end])),
                               dtype=np.int64)
            known = rows[rows >= 0]
            oov += len(rows) - len(known)
            counts += np.bincount(known, minlength=len(counts))
        present = np.flatnonzero(counts)
        return WordRows(present, oov, counts[present])

    def _embed_items(self, items: list[WordRows], kind: Kind) -> np.ndarray:
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for i, item in enumerate(items):
            if len(item.rows) == 0:
                continue
            vecs = self.matrix[item.rows]
            if self.pooling is StaticPooling.SIF:
                w = self.sif_weights[item.rows]
                if item.counts is not None:
                    w = w * item.counts
                out[i] = (vecs * w[:, None]).sum(0) / w.sum()
            elif item.counts is not None:
                out[i] = (vecs * item.counts[:, None]).sum(0) / item.counts.sum()
            else:
                out[i] = vecs.mean(0)
        return out


def _has_header(path: Path) -> bool:
    from gensim import utils

    with utils.open(str(path), "rb") as f:
        first = f.readline().split()
    return len(first) == 2 and all(p.isdigit() for p in first)


def load_word_vectors(
    path: str | Path, *, name: str | None = None, pooling: str = "mean", cache_dir: Any = None
) -> WordVectorEmbedder:
    """Word vectors from a word2vec/GloVe/fastText file (text, ``.bin``, ``.gz``) or a
    gensim ``.kv``."""
    from gensim.models import KeyedVectors

    path = Path(path)
    if not path.is_file():
        raise EmbedlabError(f"word-vector file not found: {path}")
    try:
        if path.suffix in {".kv", ".model"}:
            kv = KeyedVectors.load(str(path))
            kv = getattr(kv, "wv", kv)
        elif path.suffix == ".bin" or path.name.endswith(".bin.gz"):
            kv = KeyedVectors.load_word2vec_format(str(path), binary=True)
        else:
            kv = KeyedVectors.load_word2vec_format(
                str(path), binary=False, no_header=not _has_header(path)
            )
    except (ValueError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise EmbedlabError(f"cannot read word vectors from {path}: {exc}") from None
    return WordVectorEmbedder(
        list(kv.index_to_key), kv.vectors, name=name or path.stem, pooling=pooling,
        weights_id=file_fingerprint([path]), cache_dir=cache_dir,
    )


def load_npy_word_vectors(
    matrix_path: Path, words_path: Path, *, name: str, pooling: str = "mean",
    cache_dir: Any = None,
) -> WordVectorEmbedder:
    """Word vectors as a ``.npy`` matrix plus a parquet file whose first column lists the words."""
    import pyarrow.parquet as pq

    words = [str(w) for w in pq.read_table(words_path).column(0).to_pylist()]
    matrix = np.load(matrix_path, mmap_mode="r")
    return WordVectorEmbedder(
        words, np.asarray(matrix), name=name, pooling=pooling,
        weights_id=file_fingerprint([matrix_path, words_path]), cache_dir=cache_dir,
    )


class Model2VecEmbedder(BaseEmbedder):
    """A model2vec static model (subword vectors, mean-pooled by model2vec)."""

    def __init__(self, model: Any, *, name: str, weights_id: str = "", cache_dir: Any = None):
        super().__init__(cache_dir=cache_dir)
        self.model = model
        self.name = name
        self.dim = int(model.dim)
        self.weights_id = weights_id

    def config_key(self) -> str:
        return f"{super().config_key()}|{self.weights_id}"

    def _prepare(self, texts: list[str], kind: Kind) -> list[str]:
        return texts

    def _embed_items(self, items: list[str], kind: Kind) -> np.ndarray:
        vecs = self.model.encode(
            list(items), max_length=None, normalize=False, use_multiprocessing=False,
            batch_size=max(len(items), 1),
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(items), self.dim)


def load_model2vec(path: str | Path, *, name: str | None = None, cache_dir: Any = None):
    """A model2vec folder (``config.json``, ``model.safetensors``, ``tokenizer.json``)."""
    from model2vec import StaticModel

    path = Path(path)
    try:
        model = StaticModel.from_pretrained(path, normalize=False)
    except Exception as exc:  # model2vec raises many types for a bad folder
        raise EmbedlabError(f"cannot load a model2vec model from {path}: {exc}") from None
    weights = [p for p in path.iterdir() if p.suffix == ".safetensors"]
    return Model2VecEmbedder(model, name=name or path.name,
                             weights_id=file_fingerprint(weights), cache_dir=cache_dir)


def from_files(files: Mapping[str, Path], **options: Any) -> WordVectorEmbedder:
    """The registry's loader for word vectors: a ``.npy`` matrix and its word list, or a file
    gensim reads."""
    if "matrix" in files:
        return load_npy_word_vectors(files["matrix"], files["words"], **options)
    return load_word_vectors(files["file"], **options)


def model2vec_from_files(files: Mapping[str, Path], **options: Any) -> Model2VecEmbedder:
    """The registry's loader for a model2vec folder."""
    return load_model2vec(files["folder"], **options)
