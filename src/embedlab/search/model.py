"""The index's model: loaded by name or taken as an object, the key it is recorded under, and
encoding.

In: a model name or path (loaded with :func:`embedlab.registry.load`; a path is recorded
absolute) or a model object (taken through :func:`~embedlab.embedders.adapter.as_embedder`).
Out: a :class:`~embedlab.embedders.base.BaseEmbedder` and the name to record. The recorded key is
the embedder's ``fingerprint`` (its ``config_key()``: everything that changes the vectors), so an
index is only searched with the model that built it. Encoding goes through ``embed`` so that
write reports carry the encode statistics. Images: an image model indexes image files; a joint
text-image model (``embedlab align``) indexes them through its ``images`` side when given a
folder or glob, and its queries are texts or image files (:func:`encode_queries`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.adapter import as_embedder
from embedlab.embedders.base import BaseEmbedder, Kind


def load_model(model: Any) -> tuple[BaseEmbedder, str]:
    """An embedder and the name to record for it (see the module docstring)."""
    if not isinstance(model, (str, Path)):
        embedder = as_embedder(model)
        return embedder, embedder.name
    from embedlab.registry import load

    name = str(model)
    if Path(name).exists():
        name = str(Path(name).resolve())
    return load(name), name


def image_encoder(embedder: BaseEmbedder, source: Any) -> BaseEmbedder | None:
    """What encodes ``source`` as images: an image model itself; a joint model's ``images``
    side when ``source`` is a folder or glob; None when the documents are texts."""
    if embedder.modality == "image":
        return embedder
    images = getattr(embedder, "images", None)
    if images is not None and isinstance(source, (str, Path)):
        text = str(source)
        if Path(text).is_dir() or any(c in text for c in "*?["):
            return images
    return None


def encode_queries(embedder: BaseEmbedder, queries: list[str], batch_size: int, *,
                   image_index: bool = False) -> np.ndarray:
    """Query vectors; for a joint model's image index, queries naming an image file are
    encoded as images, the others as texts."""
    images = getattr(embedder, "images", None) if image_index else None
    is_image = [images is not None and Path(q).is_file() for q in queries]
    if not any(is_image):
        return encode_texts(embedder, queries, "query", batch_size, False)[0]
    assert images is not None
    out = np.zeros((len(queries), embedder.dim), dtype=np.float32)
    rows = [i for i, flag in enumerate(is_image) if flag]
    out[rows] = encode_texts(images, [queries[i] for i in rows], "query", batch_size, False)[0]
    rest = [i for i, flag in enumerate(is_image) if not flag]
    if rest:
        out[rest] = encode_texts(embedder, [queries[i] for i in rest], "query", batch_size,
                                 False)[0]
    return out


def short_key(key: str) -> str:
    """A model key short enough for messages and ``index info``."""
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def encode_texts(embedder: BaseEmbedder, texts: list[str], kind: Kind, batch_size: int,
                 progress: bool) -> tuple[np.ndarray, dict[str, Any]]:
    """L2-normalised float32 vectors of ``texts`` and the encode statistics (none for none)."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32), {}
    result = embedder.embed(texts, batch_size=batch_size, normalize=True, kind=kind,
                            progress=progress)
    return np.asarray(result.vectors, dtype=np.float32), result.stats.as_dict()
