"""Pooling token vectors into one text vector, for every token-level backend.

Input: hidden states ``(batch, seq, dim)`` and the attention mask ``(batch, seq)``; output
``(batch, dim)``. Works with left or right padding.
"""

from __future__ import annotations

from enum import StrEnum

import torch

from embedlab.errors import EmbedlabError


class Pooling(StrEnum):
    MEAN = "mean"
    CLS = "cls"
    MAX = "max"
    WEIGHTED_MEAN = "weighted-mean"
    LAST = "last"


def parse_pooling(value: str | Pooling) -> Pooling:
    try:
        return Pooling(value)
    except ValueError:
        names = ", ".join(p.value for p in Pooling)
        raise EmbedlabError(f"unknown pooling {value!r}; expected one of: {names}") from None


def pool(hidden: torch.Tensor, mask: torch.Tensor, mode: Pooling) -> torch.Tensor:
    """Pool ``hidden`` over the tokens where ``mask`` is 1."""
    mask_f = mask.to(hidden.dtype).unsqueeze(-1)
    if mode is Pooling.MEAN:
        return (hidden * mask_f).sum(1) / mask_f.sum(1).clamp(min=1e-9)
    if mode is Pooling.CLS:
        first = mask.int().argmax(dim=1)  # first real token, also under left padding
        return hidden[torch.arange(hidden.shape[0]), first]
    if mode is Pooling.MAX:
        masked = hidden.masked_fill(mask_f == 0, torch.finfo(hidden.dtype).min)
        return masked.max(dim=1).values
    if mode is Pooling.WEIGHTED_MEAN:
        # Position-weighted mean (SGPT): later tokens weigh more, as in sentence-transformers.
        positions = mask.cumsum(dim=1).to(hidden.dtype).unsqueeze(-1) * mask_f
        return (hidden * positions).sum(1) / positions.sum(1).clamp(min=1e-9)
    if mode is Pooling.LAST:
        positions = torch.arange(mask.shape[1], device=mask.device).expand_as(mask)
        last = (positions * mask.long()).argmax(dim=1)
        return hidden[torch.arange(hidden.shape[0]), last]
    raise EmbedlabError(f"unsupported pooling {mode}")
