"""A recommender's folder: written whole (a staged folder), read back, and grown by new items.

In: a :class:`~embedlab.recommend.model.Recommender` and a folder. Out: the folder
(``embedlab.json``, ``model.npz``, ``items.npz``; see :mod:`.model`), or the recommender read
from it. :func:`add_items` encodes new items with the folder's embedding model, gives them
collaborative factors through the content map, and replaces ``items.npz`` in one atomic write
(a reader sees the old catalogue or the new one, never half of it).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.data.interactions import Items
from embedlab.embedders.manifest import read_manifest, write_manifest
from embedlab.errors import EmbedlabError
from embedlab.files import atomic_file, staged_folder
from embedlab.recommend.collab import map_content
from embedlab.recommend.content import ContentEncoder, FieldSpec
from embedlab.recommend.model import Recommender

KIND = "recommender"
FORMAT = 1
LABEL_CHARS = 200


def check_out(out: str | Path) -> Path:
    """``out`` when it can become a model folder (absent or empty), else an error (checked
    before the work, so a long fit does not end in a refusal)."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EmbedlabError(f"{out} already exists and is not empty; choose another --out or "
                            "remove it")
    return out


def _item_arrays(rec: Recommender) -> dict[str, np.ndarray]:
    arrays = {"ids": np.array(rec.item_ids, dtype=str),
              "labels": np.array(rec.labels, dtype=str), "content": rec.content,
              "factors": rec.factors, "warm": rec.warm, "popularity": rec.popularity}
    arrays.update({f"enc/{k}": v for k, v in rec.encoder.state().items()})
    return arrays


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with atomic_file(path, "wb") as f:
        np.savez(f, **arrays)


def save(rec: Recommender, out: str | Path) -> Path:
    """Write the model folder ``out`` (absent or empty) in one rename."""
    out = check_out(out)
    with staged_folder(out) as tmp:
        _write_npz(tmp / "items.npz", _item_arrays(rec))
        _write_npz(tmp / "model.npz", {
            "coef": rec.coef, "intercept": rec.intercept,
            "user_ids": np.array(rec.user_ids, dtype=str), "user_factors": rec.user_factors,
            "indptr": rec.indptr, "indices": rec.indices})
        manifest = {"kind": KIND, "format": FORMAT, **rec.manifest,
                    "model": rec.encoder.model_name,
                    "fields": [vars(f) for f in rec.encoder.fields],
                    "alpha_warm": rec.alpha_warm, "alpha_cold": rec.alpha_cold,
                    "profile": rec.profile, "confidence": rec.confidence,
                    "regularization": rec.regularization}
        write_manifest(tmp, manifest)
    return out


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise EmbedlabError(f"{path}: missing; is this a recommender folder?") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise EmbedlabError(f"{path}: not readable ({exc})") from None


def load(folder: str | Path) -> Recommender:
    """The recommender in ``folder`` (an error when it is not one)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EmbedlabError(f"{folder}: no such recommender folder")
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("kind") != KIND:
        raise EmbedlabError(f"{folder}: not a recommender folder (no embedlab.json of kind "
                            f"{KIND!r}); build one with 'embedlab recommend fit'")
    if manifest.get("format") != FORMAT:
        raise EmbedlabError(f"{folder}: recommender format {manifest.get('format')} is not "
                            f"{FORMAT}; fit it again with this version")
    items, model = _load_npz(folder / "items.npz"), _load_npz(folder / "model.npz")
    fields = [FieldSpec(**f) for f in manifest["fields"]]
    encoder = ContentEncoder.from_state(
        fields, str(manifest["model"]),
        {k.removeprefix("enc/"): v for k, v in items.items() if k.startswith("enc/")})
    settings = {k: manifest[k] for k in ("alpha_warm", "alpha_cold", "profile", "confidence",
                                         "regularization")}
    extra = {k: v for k, v in manifest.items()
             if k not in settings and k not in ("kind", "format", "model", "fields")}
    return Recommender(
        encoder=encoder, item_ids=items["ids"].tolist(), labels=items["labels"].tolist(),
        content=items["content"], factors=items["factors"], warm=items["warm"],
        popularity=items["popularity"], coef=model["coef"], intercept=model["intercept"],
        user_ids=model["user_ids"].tolist(), user_factors=model["user_factors"],
        indptr=model["indptr"], indices=model["indices"], manifest=extra, **settings)


def labels_of(items: Items) -> list[str]:
    """The display label of each item: its first field's text, shortened."""
    first = next(iter(items.fields.values()))
    return [text[:LABEL_CHARS] for text in first]


def add_items(folder: str | Path, items: Items, embedder: Any | None = None, *,
              progress: bool = False) -> dict[str, int]:
    """Add the catalogue ``items`` to the model in ``folder`` (the embedding model loaded from
    the manifest when ``embedder`` is None); returns counts (added, categories ignored)."""
    folder = Path(folder)
    rec = load(folder)
    known = set(rec.item_ids)
    clash = [i for i in items.ids if i in known]
    if clash:
        raise EmbedlabError(f"{items.source}: {len(clash)} item(s) already in the model (e.g. "
                            f"{clash[0]!r}); add-items only adds new items")
    if embedder is None and any(f.method != "category" for f in rec.encoder.fields):
        from embedlab.registry import load as load_model

        embedder = load_model(rec.encoder.model_name)
    content = rec.encoder.encode(items.fields, embedder, progress=progress)
    rec.item_ids = rec.item_ids + list(items.ids)
    rec.labels = rec.labels + labels_of(items)
    rec.content = np.concatenate([rec.content, content])
    rec.factors = np.concatenate([rec.factors, map_content(content, rec.coef, rec.intercept)])
    rec.warm = np.concatenate([rec.warm, np.zeros(len(items), dtype=bool)])
    rec.popularity = np.concatenate([rec.popularity, np.zeros(len(items), dtype=np.int64)])
    _write_npz(folder / "items.npz", _item_arrays(rec))
    return {"added": len(items), "items": len(rec.item_ids),
            "unknown_categories": rec.encoder.unknown_categories}
