"""Shared machinery for backends that feed token ids to a network (torch or ONNX).

Texts are tokenized once, in one parallel call of a `tokenizers.Tokenizer`, without truncation,
so batches are sorted by true token length (less padding than sorting by characters) and texts
over the window are known exactly: they are cut (keeping the special tokens) or split into
window-sized pieces.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from tokenizers import Tokenizer

from embedlab.embedders.base import BaseEmbedder, Kind, LongTextMode
from embedlab.embedders.pooling import Pooling, parse_pooling, pool

# Texts are clipped to this many characters per window token before tokenizing, so a huge
# text costs no more than a long one; a text clipped this way is over the window anyway.
_CHARS_PER_TOKEN_CAP = 64
# Up to this many texts are tokenized one by one: encode_batch hands work to a thread pool,
# which costs more than it saves for a few texts (a server tokenizes each request's texts).
_SERIAL_TOKENIZE = 8
# A text split into chunks (``long="chunk"``) longer than this is tokenized this many characters
# at a time, so the tokenizer never holds the encoding (ids, offsets, masks) of a huge text.
_SEGMENT = 200_000
_SPACE = re.compile(r"\s")


def file_fingerprint(paths: list[Path]) -> str:
    """A cheap identity for weight files: names, sizes and the first megabyte of each."""
    h = hashlib.sha1()
    for p in sorted(paths):
        if p.is_file():
            h.update(p.name.encode())
            h.update(str(p.stat().st_size).encode())
            with open(p, "rb") as f:
                h.update(f.read(1 << 20))
    return h.hexdigest()[:16]


class TokenizedEmbedder(BaseEmbedder):
    """A backend whose model takes ``input_ids``/``attention_mask`` and returns token vectors."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        *,
        name: str,
        dim: int,
        window: int,
        pooling: Pooling | str,
        prompts: Mapping[str, str] | None = None,
        padding_side: Literal["left", "right"] = "right",
        pad_id: int = 0,
        append_id: int | None = None,
        weights_id: str = "",
        long: LongTextMode | str = LongTextMode.TRUNCATE,
        cache_dir: Any = None,
    ) -> None:
        super().__init__(long=long, cache_dir=cache_dir)
        self.tokenizer = tokenizer
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.name = name
        self.dim = dim
        self.window = window
        self.pooling = parse_pooling(pooling)
        self.prompts = dict(prompts or {})
        self.padding_side = padding_side
        self.pad_id = pad_id
        self.append_id = append_id
        self.weights_id = weights_id
        probe = self.tokenizer.encode("a")
        mask = probe.special_tokens_mask
        content = [i for i, m in enumerate(mask) if not m]
        lead = content[0] if content else len(mask)
        trail = len(mask) - 1 - content[-1] if content else 0
        self._head = np.asarray(probe.ids[:lead], dtype=np.int64)
        self._tail = np.asarray(probe.ids[len(mask) - trail :], dtype=np.int64)
        if append_id is not None:
            self._tail = np.concatenate([self._tail, [append_id]]).astype(np.int64)
        self._room = max(window - len(self._head) - len(self._tail), 1)

    def config_key(self) -> str:
        prompts = sorted(self.prompts.items())
        return (
            f"{super().config_key()}|{self.weights_id}|{self.pooling.value}|{self.window}"
            f"|{prompts}|{self.padding_side}|{self.append_id}"
        )

    # -- BaseEmbedder hooks ------------------------------------------------------------------
    def _prepare(self, texts: list[str], kind: Kind) -> list[np.ndarray]:
        prompt = self.prompts.get(kind, "")
        cap = self.window * _CHARS_PER_TOKEN_CAP if self.long is LongTextMode.TRUNCATE else None
        if cap is None and any(len(t) > _SEGMENT for t in texts):
            return [self._segmented(prompt + t) if len(t) > _SEGMENT else
                    self._prepare([t], kind)[0] for t in texts]
        inputs = [prompt + (t[:cap] if cap else t) for t in texts]
        if len(inputs) <= _SERIAL_TOKENIZE:
            encodings = [self.tokenizer.encode(t, add_special_tokens=True) for t in inputs]
        else:
            encodings = self.tokenizer.encode_batch(inputs, add_special_tokens=True)
        items = []
        for enc in encodings:
            ids = np.asarray(enc.ids, dtype=np.int64)
            if self.append_id is not None:
                ids = np.concatenate([ids, [self.append_id]])
            items.append(ids)
        return items

    def _segmented(self, text: str) -> np.ndarray:
        """A long text's ids, tokenized a segment at a time. Segments end where whitespace
        starts, so a byte-level BPE token keeps its leading space and a word is never cut."""
        parts, start = [], 0
        while start < len(text):
            cut = _SPACE.search(text, min(start + _SEGMENT, len(text)))
            end = cut.start() if cut and cut.start() > start else len(text)
            ids = self.tokenizer.encode(text[start:end], add_special_tokens=False).ids
            parts.append(np.asarray(ids, dtype=np.int64))
            start = end
        return self._wrap(np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64))

    def _content(self, ids: np.ndarray) -> np.ndarray:
        return ids[len(self._head) : len(ids) - len(self._tail)]

    def _wrap(self, content: np.ndarray) -> np.ndarray:
        return np.concatenate([self._head, content, self._tail])

    def _truncates(self, item: np.ndarray) -> bool:
        return len(item) > self.window

    def _split_item(self, item: np.ndarray) -> list[np.ndarray]:
        content = self._content(item)
        return [self._wrap(content[s : s + self._room]) for s in range(0, len(content), self._room)]

    def _fit(self, items: list[np.ndarray]) -> list[np.ndarray]:
        """Items over the window cut to it, keeping the special tokens."""
        return [i if len(i) <= self.window else self._wrap(self._content(i)[: self._room])
                for i in items]

    def _embed_items(self, items: list[np.ndarray], kind: Kind) -> np.ndarray:
        input_ids, mask = self._collate(self._fit(items))
        with torch.inference_mode():
            hidden = self._forward(input_ids, mask)
            pooled = self._after_pooling(pool(hidden, torch.from_numpy(mask), self.pooling))
        return pooled.float().numpy()

    def _after_pooling(self, pooled: torch.Tensor) -> torch.Tensor:
        """Modules that follow pooling (a Dense projection head); none by default."""
        return pooled

    def _collate(self, items: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        longest = max(len(i) for i in items)
        ids = np.full((len(items), longest), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(items), longest), dtype=np.int64)
        for row, item in enumerate(items):
            if self.padding_side == "left":
                ids[row, longest - len(item) :] = item
                mask[row, longest - len(item) :] = 1
            else:
                ids[row, : len(item)] = item
                mask[row, : len(item)] = 1
        return ids, mask

    def _forward(self, input_ids: np.ndarray, mask: np.ndarray) -> torch.Tensor:
        """Token vectors ``(batch, seq, dim)`` for a padded batch."""
        raise NotImplementedError

    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]:
        """Token counts as the model would see them before truncation (for usage reports)."""
        return [len(i) for i in self._prepare(list(texts), kind)]

    def reserved_tokens(self, kind: Kind = "document") -> int:
        """Special tokens, the prompt of ``kind`` and an appended EOS: window not for text."""
        prompt = self.prompts.get(kind, "")
        used = len(self.tokenizer.encode(prompt, add_special_tokens=True).ids)
        return used + (1 if self.append_id is not None else 0)
