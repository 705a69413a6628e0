"""One space for texts and images: a text and an image embedder, each with a linear head.

In: a text embedder, an image embedder (both frozen) and their heads (weights ``(dim, in)``
and biases, as ``embedlab align`` trains them). Out: a :class:`JointEmbedder` that encodes texts
(``modality = "text"``) and, through :attr:`JointEmbedder.images` (``modality = "image"``),
image files into the same ``dim``-d space; each side L2-normalises its base vectors, applies its
head, and goes through the shared encode path. The folder ``align`` writes (``embedlab.json``
of kind ``joint`` and ``heads.npz``) is read by :func:`read_heads`; the registry loads the two
base models it names.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.embedders.manifest import read_manifest
from embedlab.errors import EmbedlabError

HEADS = "heads.npz"


class _Side(BaseEmbedder):
    """One side of a joint model: a base embedder then a linear head."""

    def __init__(self, base: BaseEmbedder, weight: np.ndarray, bias: np.ndarray, *, name: str,
                 modality: str, key: str, cache_dir: Any = None) -> None:
        self.modality = modality
        super().__init__(cache_dir=cache_dir)
        if weight.shape[1] != base.dim:
            raise EmbedlabError(f"{name}: the head takes {weight.shape[1]}-d vectors, the "
                                f"{base.name} model makes {base.dim}-d ones")
        self.base = base
        self.weight = np.ascontiguousarray(weight, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.name = name
        self.dim = int(weight.shape[0])
        self.window = base.window
        self._key = key

    def _check_item(self, item: Any) -> str | None:
        return self.base._check_item(item)

    def _item_bytes(self, item: Any) -> bytes:
        return self.base._item_bytes(item)

    def config_key(self) -> str:
        return f"Joint|{self.name}|{self.modality}|{self._key}|{self.base.fingerprint}"

    def count_tokens(self, texts: Any, kind: Kind = "document") -> list[int]:
        return self.base.count_tokens(texts, kind)

    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        return [_One(t) for t in texts]

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        base = self.base.encode([i.item for i in items], batch_size=max(len(items), 1),
                                normalize=True, kind=kind)
        return base @ self.weight.T + self.bias


class _One:
    __slots__ = ("item",)

    def __init__(self, item: Any) -> None:
        self.item = item

    def __len__(self) -> int:
        return 1


class JointEmbedder(_Side):
    """Texts (this object) and images (:attr:`images`) in one space (module docstring)."""

    def __init__(self, text: BaseEmbedder, image: BaseEmbedder, heads: dict[str, np.ndarray],
                 *, name: str, cache_dir: Any = None) -> None:
        digest = hashlib.sha1(b"".join(np.ascontiguousarray(heads[k]).tobytes()
                                       for k in sorted(heads))).hexdigest()[:16]
        super().__init__(text, heads["text_weight"], heads["text_bias"], name=name,
                         modality="text", key=digest, cache_dir=cache_dir)
        self.images = _Side(image, heads["image_weight"], heads["image_bias"], name=name,
                            modality="image", key=digest, cache_dir=cache_dir)
        if self.images.dim != self.dim:
            raise EmbedlabError(f"{name}: the text and image heads differ in size")
        self.tokenizer = text.tokenizer

    def encode_images(self, paths: list[Any], *, batch_size: int = 32,
                      normalize: bool = True, progress: bool = False) -> np.ndarray:
        """Vectors of image files in the texts' space."""
        return self.images.encode(paths, batch_size=batch_size, normalize=normalize,
                                  progress=progress)


def read_heads(folder: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The manifest and the heads of a folder ``align`` wrote."""
    manifest = read_manifest(folder) or {}
    path = folder / HEADS
    if not path.is_file():
        raise EmbedlabError(f"{folder}: no {HEADS}; not a joint model folder")
    with np.load(path) as data:
        heads = {k: data[k] for k in data.files}
    for key in ("text_weight", "text_bias", "image_weight", "image_bias"):
        if key not in heads:
            raise EmbedlabError(f"{path}: missing {key}")
    for key in ("text_model", "image_model"):
        if not manifest.get(key):
            raise EmbedlabError(f"{folder}: the manifest does not name its {key}")
    return manifest, heads


def joint_from_parts(text: BaseEmbedder, image: BaseEmbedder, heads: dict[str, np.ndarray],
                     *, name: str, cache_dir: Any = None) -> JointEmbedder:
    """A joint model from its loaded parts (the registry loads the base models by name)."""
    if text.modality != "text" or image.modality != "image":
        raise EmbedlabError(f"{name}: expected a text and an image model, got "
                            f"{text.modality} and {image.modality}")
    return JointEmbedder(text, image, heads, name=name, cache_dir=cache_dir)
