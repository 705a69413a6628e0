"""Split documents into chunks that fit the model: token-aware, with overlap.

In: texts and a :class:`ChunkSpec` (unit, size, overlap). Out: character spans, so a chunk's text
is a slice of its document and a hit can show exactly where it came from. With a model that has
a ``tokenizers.Tokenizer`` (``embedder.tokenizer``: transformers, ONNX, decoders) sizes count
that tokenizer's tokens, and a chunk boundary never cuts a word in two (it moves back to the
start of the word). Models without one (word vectors, model2vec, engines that tokenize
internally) count words (runs of non-space characters). Size 0 means one chunk per document
(the model then truncates or splits it as ``--long`` says).

The default size is the model window minus ``embedder.reserved_tokens("document")`` (special
tokens, document prompt, appended EOS), so no chunk is truncated; the default overlap is an
eighth of the size.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from embedlab.embedders.base import BaseEmbedder
from embedlab.errors import EmbedlabError

_WORDS = re.compile(r"\S+")
DEFAULT_WORDS = 200


@dataclass(frozen=True)
class ChunkSpec:
    """How documents are cut: ``unit`` is ``tokens``, ``words`` or ``none`` (whole documents)."""

    unit: str
    size: int
    overlap: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    """Chunk ``number`` of document ``doc_id``: ``text == document[start:end]``."""

    doc_id: str
    number: int
    text: str
    start: int
    end: int


def _room(embedder: BaseEmbedder) -> int | None:
    """Content tokens that fit the window after special tokens and the document prompt."""
    if embedder.tokenizer is None or not embedder.window:
        return None
    return max(int(embedder.window) - embedder.reserved_tokens("document"), 8)


def chunk_spec(embedder: BaseEmbedder, size: int | None = None,
               overlap: int | None = None) -> ChunkSpec:
    """The spec for this model: tokens where it has a tokenizer, else words (see docstring)."""
    if size is not None and size < 0:
        raise EmbedlabError(f"chunk size must be 0 (no chunking) or more, got {size}")
    if size == 0:
        return ChunkSpec("none", 0, 0)
    room = _room(embedder)
    if size is None:
        window = embedder.window
        size = room if room is not None else (int(window * 3 // 4) if window else DEFAULT_WORDS)
    if overlap is None:
        overlap = size // 8
    if overlap < 0 or overlap >= size:
        raise EmbedlabError(f"overlap must be at least 0 and less than the chunk size ({size}), "
                            f"got {overlap}")
    unit = "tokens" if embedder.tokenizer is not None else "words"
    return ChunkSpec(unit, int(size), int(overlap))


def _windows(n: int, size: int, overlap: int, word_of: list[int | None]) -> list[tuple[int, int]]:
    """Token ranges ``[start, end)`` covering ``n`` tokens; cuts fall between words."""

    def word_start(i: int, low: int) -> int:
        while i > low and word_of[i] is not None and word_of[i] == word_of[i - 1]:
            i -= 1
        return i

    out: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(start + size, n)
        if end < n:
            snapped = word_start(end, start + 1)
            end = snapped if snapped > start else end  # a word longer than a chunk is cut
        out.append((start, end))
        if end >= n:
            return out
        # The next chunk starts at the word where the overlap begins, or right after this
        # chunk when that word is the one this chunk started with.
        nxt = word_start(max(end - overlap, start + 1), 0)
        start = nxt if nxt > start else end


class Chunker:
    """Cuts texts by a :class:`ChunkSpec`, with the model's tokenizer for ``tokens``."""

    def __init__(self, spec: ChunkSpec, tokenizer: Any = None) -> None:
        if spec.unit == "tokens" and tokenizer is None:
            raise EmbedlabError("this index chunks by model tokens, but the model has no "
                                "tokenizer")
        self.spec = spec
        self.tokenizer = tokenizer

    def spans(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """Per text, the character spans of its chunks (at least one, even for "")."""
        size, overlap = self.spec.size, self.spec.overlap
        if self.spec.unit == "none":
            return [[(0, len(t))] for t in texts]
        out: list[list[tuple[int, int]]] = []
        if self.spec.unit == "words":
            for text in texts:
                words = [m.span() for m in _WORDS.finditer(text)]
                word_of: list[int | None] = list(range(len(words)))
                out.append(_to_chars(words, _windows(len(words), size, overlap, word_of), text))
            return out
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        for text, enc in zip(texts, encodings, strict=True):
            offsets = [tuple(o) for o in enc.offsets]
            ranges = _windows(len(offsets), size, overlap, list(enc.word_ids))
            out.append(_to_chars(offsets, ranges, text))
        return out

    def chunks(self, doc_ids: list[str], texts: list[str]) -> list[Chunk]:
        """All chunks of all documents, in document order."""
        out: list[Chunk] = []
        for doc_id, text, spans in zip(doc_ids, texts, self.spans(texts), strict=True):
            for number, (start, end) in enumerate(spans):
                out.append(Chunk(doc_id, number, text[start:end], start, end))
        return out


def _to_chars(offsets: list[tuple[int, int]], ranges: list[tuple[int, int]],
              text: str) -> list[tuple[int, int]]:
    if not offsets:
        return [(0, len(text))]
    if len(ranges) == 1:
        return [(0, len(text))]  # one chunk: the whole text, leading/trailing spaces included
    return [(offsets[s][0], offsets[e - 1][1]) for s, e in ranges]
