"""Padding-free forward passes for transformer models: several texts packed into one row.

In: the token ids of a batch of texts. Out: one forward pass over their concatenation (position
ids restart at 0 for each text), whose linear layers, which hold nearly all the work of a short
text, see only real tokens; attention, the only layer that mixes tokens, runs per text through
a function registered with transformers' ``AttentionInterface``: one small
``scaled_dot_product_attention`` per text for up to 64 texts, and above that the packed
queries, keys and values scattered into a padded ``(texts, heads, longest, head_dim)`` block,
attended under a key mask and gathered back (causal too for decoders).

Why: a padded batch costs ``texts x longest`` tokens in every layer. Offline, sorting a corpus
by length makes that ~1.02x the real tokens; a server only holds the texts in flight, and 32
random STS-B sentences padded together cost ~1.7x. Splitting such a batch into several padded
passes helps less than it should on a CPU, because every pass reads all the weights again (a
6-layer MiniLM pass over 8 tokens takes ~8 ms; 512 tokens ~85 ms). Packing makes a mixed batch
cost its real tokens in few passes. transformers packs sequences this way only for
flash-attention kernels (GPU); torch's nested-tensor fast path needs the layers rebuilt.

Whether a model packs correctly is not assumed: :func:`enable_packing` switches the model's
attention implementation and compares packed against padded outputs on probe texts; a model
whose outputs differ (relative position biases, custom attention code) is switched back.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

log = logging.getLogger("embedlab")

_PREFIX = "embedlab_packed_"
# Up to this many texts in a pack, attention runs text by text; above, on a padded grid.
_LOOP_TEXTS = 64
_ACTIVE: contextvars.ContextVar[PackLayout | None] = contextvars.ContextVar(
    "embedlab_pack_layout", default=None)


@dataclass(frozen=True)
class PackLayout:
    """Where each packed token sits in a padded ``(texts, longest)`` grid (right padding)."""

    lengths: torch.Tensor  # (texts,) tokens per text
    longest: int
    flat: torch.Tensor  # (tokens,) index of each packed token in the flattened grid
    mask: torch.Tensor  # (texts, longest) bool: True on real tokens
    bounds: tuple[tuple[int, int], ...]  # (start, end) of each text in the packed row

    @classmethod
    def of(cls, lengths: Sequence[int]) -> PackLayout:
        lens = torch.as_tensor(list(lengths), dtype=torch.long)
        longest = int(lens.max())
        starts = torch.cumsum(lens, 0) - lens
        text = torch.repeat_interleave(torch.arange(len(lens)), lens)
        position = torch.arange(int(lens.sum())) - starts[text]
        ends = torch.cumsum(lens, 0).tolist()
        bounds = tuple(zip([0, *ends[:-1]], ends, strict=True))
        return cls(lens, longest, text * longest + position,
                   torch.arange(longest)[None, :] < lens[:, None], bounds)

    @property
    def texts(self) -> int:
        return int(self.lengths.shape[0])

    def position_ids(self) -> torch.Tensor:
        """``(1, tokens)`` positions, restarting at 0 for each text."""
        return (self.flat % self.longest)[None, :]

    def pad(self, packed: torch.Tensor) -> torch.Tensor:
        """``(tokens, ...)`` rows into a zero-padded ``(texts, longest, ...)`` grid."""
        grid = packed.new_zeros((self.texts * self.longest, *packed.shape[1:]))
        grid.index_copy_(0, self.flat, packed)
        return grid.view(self.texts, self.longest, *packed.shape[1:])

    def attention_mask(self, causal: bool) -> torch.Tensor:
        """``(texts, 1, longest, longest)`` bool mask for SDPA (True: may attend)."""
        keys = self.mask[:, None, None, :]
        if not causal:
            return keys
        lower = torch.ones(self.longest, self.longest, dtype=torch.bool).tril()
        return keys & lower


@contextlib.contextmanager
def packed(layout: PackLayout) -> Iterator[None]:
    """Within the block, packing-enabled models attend per text of ``layout``."""
    token = _ACTIVE.set(layout)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _attend_per_text(module: torch.nn.Module, query: torch.Tensor, key: torch.Tensor,
                     value: torch.Tensor, layout: PackLayout, scaling: float | None,
                     kwargs: dict[str, Any]) -> torch.Tensor:
    """Attention of packed ``(1, heads, tokens, dim)`` tensors, text by text."""
    for unsupported in ("sliding_window", "softcap", "s_aux", "position_bias"):
        if kwargs.get(unsupported) is not None:
            raise NotImplementedError(f"packed attention does not support {unsupported}")
    heads, dim = query.shape[1], query.shape[3]
    if key.shape[1] != heads:  # grouped-query attention: repeat the key/value heads
        groups = heads // key.shape[1]
        key = key.repeat_interleave(groups, dim=1)
        value = value.repeat_interleave(groups, dim=1)
    causal = bool(getattr(module, "is_causal", False))
    sdpa = torch.nn.functional.scaled_dot_product_attention
    if layout.texts <= _LOOP_TEXTS:
        # one small attention per text: no padding, no mask (faster than the padded grid for
        # a dozen short sentences); Python overhead grows with the texts
        parts = [sdpa(query[:, :, s:e], key[:, :, s:e], value[:, :, s:e], is_causal=causal,
                      scale=scaling) for s, e in layout.bounds]
        return torch.cat(parts, dim=2).transpose(1, 2)  # (1, tokens, H, d)

    def grid(x: torch.Tensor) -> torch.Tensor:  # (1, H, T, d) -> (texts, H, longest, d)
        return layout.pad(x[0].transpose(0, 1)).transpose(1, 2)

    out = sdpa(grid(query), grid(key), grid(value), attn_mask=layout.attention_mask(causal),
               scale=scaling)
    # (texts, H, longest, d) -> (tokens, H, d) -> (1, tokens, H, d), as transformers expects
    rows = out.transpose(1, 2).reshape(layout.texts * layout.longest, heads, dim)
    return rows.index_select(0, layout.flat).unsqueeze(0)


def _packing_attention(original: Callable[..., Any]) -> Callable[..., Any]:
    """An attention function: per text while a layout is active, else ``original``."""

    def attention(module: torch.nn.Module, query: torch.Tensor, key: torch.Tensor,
                  value: torch.Tensor, attention_mask: torch.Tensor | None, dropout: float = 0.0,
                  scaling: float | None = None, **kwargs: Any) -> tuple[torch.Tensor, None]:
        layout = _ACTIVE.get()
        if layout is None:
            return original(module, query, key, value, attention_mask, dropout=dropout,
                            scaling=scaling, **kwargs)
        return _attend_per_text(module, query, key, value, layout, scaling, kwargs), None

    return attention


def _register(original: str) -> str | None:
    """The registered name of the packing variant of ``original`` (None: not possible)."""
    from transformers import AttentionInterface
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, AttentionMaskInterface
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    if original.startswith(_PREFIX):
        return original
    if original not in ALL_ATTENTION_FUNCTIONS or original not in ALL_MASK_ATTENTION_FUNCTIONS:
        return None  # e.g. "eager": each model has its own function, not in the registry
    name = _PREFIX + original
    if name not in ALL_ATTENTION_FUNCTIONS:
        AttentionInterface.register(name, _packing_attention(ALL_ATTENTION_FUNCTIONS[original]))
        AttentionMaskInterface.register(name, ALL_MASK_ATTENTION_FUNCTIONS[original])
    return name


def enable_packing(model: Any, check: Callable[[], float]) -> bool:
    """Switch ``model`` to packing attention if ``check()`` then shows packing is exact.

    ``check`` runs packed and padded passes and returns their largest difference (cosine
    distance of pooled vectors); above 1e-4, or on any error, the model is switched back.
    """
    config = getattr(model, "config", None)
    original = getattr(config, "_attn_implementation", None)
    if not isinstance(original, str) or not hasattr(model, "set_attn_implementation"):
        return False
    try:
        name = _register(original)
        if name is None:
            return False
        model.set_attn_implementation(name)
        if model.config._attn_implementation != name:
            return False
        gap = check()
        if gap <= 1e-4:
            return True
        log.info("packing changes %s's outputs (cosine distance %.2g): not used",
                 type(model).__name__, gap)
    except Exception as exc:  # any model code may refuse position ids or the layout
        log.info("packing is not possible for %s: %s", type(model).__name__, exc)
    with contextlib.suppress(Exception):
        model.set_attn_implementation(original)
    return False


def pack_groups(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Positions grouped into packs of at most ``budget`` tokens (one text may exceed it)."""
    groups: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for i, n in enumerate(lengths):
        if current and tokens + n > budget:
            groups.append(current)
            current, tokens = [], 0
        current.append(i)
        tokens += int(n)
    if current:
        groups.append(current)
    return groups


def concat_ids(items: Sequence[np.ndarray]) -> torch.Tensor:
    """``(1, tokens)`` input ids of the packed texts."""
    return torch.from_numpy(np.concatenate(items).astype(np.int64, copy=False))[None, :]
