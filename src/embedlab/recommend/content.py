"""Item content vectors: each chosen field encoded its own way, the blocks joined into one vector.

In: an :class:`~embedlab.data.interactions.Items` catalogue, field specs (``title``,
``genres:category``, ``description:model:2``: name, method, weight) and an Embedder. Out: one
float32 row per item whose dot product with another is the weighted mean of the per-field
cosines (each block is L2-normalised and scaled by ``sqrt(weight / total weight)``; an empty
field is a zero block). Methods:

- ``model``: the text encoded by the embedding model (descriptions; the default);
- ``words``: the TF-IDF-weighted mean of the model's vectors of each word (short titles, whose
  words carry more than their syntax). Written here rather than with sklearn's
  ``TfidfVectorizer`` because items added later must get vectors for words the vocabulary has
  not seen (they are encoded then, with the largest IDF);
- ``category``: a multi-hot row over the field's categories (split on ``|``, ``,`` or ``;``, else
  on spaces, as RecBole's ``token_seq``); the ridge map of :mod:`.collab` learns a collaborative
  vector per category from it, which is the learned category table. Categories first seen in
  items added later are counted and ignored (the fitted map has no row for them).

The state (vocabularies, IDFs, word vectors) is plain arrays, saved with the model folder.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError

METHODS = ("model", "words", "category")
CATEGORY_FIELDS = ("genres", "genre", "category", "categories", "class", "tags", "type")
WORD_FIELDS = ("title", "name", "movie_title")
WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class FieldSpec:
    """One field: its name in the items file, its method and its weight."""

    name: str
    method: str
    weight: float = 1.0

    def __str__(self) -> str:
        return f"{self.name}:{self.method}:{self.weight:g}"


def parse_fields(spec: str | Sequence[str]) -> list[FieldSpec]:
    """``"title,genres:category,description:model:2"`` as field specs (the method defaults by
    name: genres/category -> ``category``, title/name -> ``words``, others -> ``model``)."""
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[FieldSpec] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        name, *rest = part.split(":")
        low = name.lower()
        method = rest[0].lower() if rest and rest[0] else (
            "category" if low in CATEGORY_FIELDS else "words" if low in WORD_FIELDS else "model")
        if method not in METHODS:
            raise EmbedlabError(f"field {part!r}: unknown method {method!r}; expected one of "
                                f"{', '.join(METHODS)}")
        try:
            weight = float(rest[1]) if len(rest) > 1 else 1.0
        except ValueError:
            raise EmbedlabError(f"field {part!r}: the weight must be a number") from None
        if not weight > 0:
            raise EmbedlabError(f"field {part!r}: the weight must be positive")
        out.append(FieldSpec(name, method, weight))
    if not out:
        raise EmbedlabError("give at least one item field, e.g. --fields title,genres")
    if len({f.name for f in out}) != len(out):
        raise EmbedlabError(f"--fields names a field twice: {spec}")
    return out


def categories_of(text: str) -> list[str]:
    """The categories in one cell: split on ``|``, ``,`` or ``;``, else on white space."""
    parts = re.split(r"[|,;]", text) if re.search(r"[|,;]", text) else text.split()
    return [p.strip() for p in parts if p.strip()]


def words_of(text: str) -> list[str]:
    """Lower-case word tokens."""
    return WORD_RE.findall(text.lower())


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)


@dataclass
class ContentEncoder:
    """Fitted per-field state; :meth:`encode` turns item texts into content vectors."""

    fields: list[FieldSpec]
    model_name: str
    vocab: dict[str, list[str]] = field(default_factory=dict)
    idf: dict[str, np.ndarray] = field(default_factory=dict)
    word_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    unknown_categories: int = 0

    @property
    def total_weight(self) -> float:
        return float(sum(f.weight for f in self.fields))

    def fit(self, texts: dict[str, list[str]], embedder: Any, *, progress: bool = False
            ) -> np.ndarray:
        """Learn vocabularies from the catalogue's ``texts`` (field -> one text per item) and
        return its content vectors."""
        n = len(next(iter(texts.values())))
        for spec in self.fields:
            column = texts[spec.name]
            if spec.method == "category":
                counts = Counter(c for text in column for c in categories_of(text))
                self.vocab[spec.name] = sorted(counts)
            elif spec.method == "words":
                docs = Counter(w for text in column for w in set(words_of(text)))
                words = sorted(docs)
                self.vocab[spec.name] = words
                df = np.array([docs[w] for w in words], dtype=np.float64)
                self.idf[spec.name] = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
                self.word_vectors[spec.name] = self._encode_texts(embedder, words, progress)
        return self.encode(texts, embedder, progress=progress)

    @staticmethod
    def _encode_texts(embedder: Any, texts: list[str], progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, int(embedder.dim)), dtype=np.float32)
        return np.asarray(embedder.encode(texts, progress=progress), dtype=np.float32)

    def _extend_words(self, name: str, column: list[str], embedder: Any, progress: bool
                      ) -> None:
        known = set(self.vocab[name])
        new = sorted({w for text in column for w in words_of(text)} - known)
        if not new:
            return
        idf = self.idf[name]
        top = float(idf.max()) if len(idf) else 1.0
        self.vocab[name] = self.vocab[name] + new
        self.idf[name] = np.concatenate([idf, np.full(len(new), top, dtype=np.float32)])
        self.word_vectors[name] = np.concatenate(
            [self.word_vectors[name], self._encode_texts(embedder, new, progress)])

    def _block(self, spec: FieldSpec, column: list[str], embedder: Any, progress: bool
               ) -> np.ndarray:
        if spec.method == "model":
            vectors = np.zeros((len(column), int(embedder.dim)), dtype=np.float32)
            filled = [i for i, text in enumerate(column) if text.strip()]
            if filled:
                vectors[filled] = self._encode_texts(embedder, [column[i] for i in filled],
                                                     progress)
            return vectors
        vocab = {w: i for i, w in enumerate(self.vocab[spec.name])}
        if spec.method == "category":
            out = np.zeros((len(column), len(vocab)), dtype=np.float32)
            for row, text in enumerate(column):
                for cat in categories_of(text):
                    if cat in vocab:
                        out[row, vocab[cat]] = 1.0
                    else:
                        self.unknown_categories += 1
            return out
        self._extend_words(spec.name, column, embedder, progress)
        vocab = {w: i for i, w in enumerate(self.vocab[spec.name])}
        idf, table = self.idf[spec.name], self.word_vectors[spec.name]
        out = np.zeros((len(column), table.shape[1]), dtype=np.float32)
        for row, text in enumerate(column):
            counts = Counter(vocab[w] for w in words_of(text))
            if counts:
                ids = np.fromiter(counts, dtype=np.int64)
                tf = np.fromiter(counts.values(), dtype=np.float32)
                out[row] = (tf * idf[ids]) @ table[ids]
        return out

    def encode(self, texts: dict[str, list[str]], embedder: Any | None, *,
               progress: bool = False) -> np.ndarray:
        """Content vectors of items given as ``field -> texts`` (the fields fitted)."""
        missing = [f.name for f in self.fields if f.name not in texts]
        if missing:
            raise EmbedlabError(f"the items lack the field(s) {missing} the model was fitted on")
        needs_model = any(f.method != "category" for f in self.fields)
        if needs_model and embedder is None:
            raise EmbedlabError("encoding items needs the embedding model")
        total = self.total_weight
        blocks = [_normalise(self._block(spec, texts[spec.name], embedder, progress))
                  * np.float32(np.sqrt(spec.weight / total)) for spec in self.fields]
        return np.concatenate(blocks, axis=1).astype(np.float32)

    def state(self) -> dict[str, np.ndarray]:
        """The arrays to save (keys ``vocab:F``, ``idf:F``, ``words:F``)."""
        out: dict[str, np.ndarray] = {}
        for name, words in self.vocab.items():
            out[f"vocab:{name}"] = np.array(words, dtype=str)
        for name, idf in self.idf.items():
            out[f"idf:{name}"] = idf
        for name, table in self.word_vectors.items():
            out[f"words:{name}"] = table
        return out

    @classmethod
    def from_state(cls, fields: list[FieldSpec], model_name: str,
                   arrays: dict[str, np.ndarray]) -> ContentEncoder:
        """The encoder :meth:`state` saved."""
        enc = cls(fields, model_name)
        for key, value in arrays.items():
            kind, _, name = key.partition(":")
            if kind == "vocab":
                enc.vocab[name] = [str(w) for w in value.tolist()]
            elif kind == "idf":
                enc.idf[name] = np.asarray(value, dtype=np.float32)
            elif kind == "words":
                enc.word_vectors[name] = np.asarray(value, dtype=np.float32)
        return enc
