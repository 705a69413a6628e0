"""The ``embedlab.json`` manifest written beside every model folder embedlab saves.

In: a folder. Out: the manifest's dictionary (``kind`` says which loader reads the folder:
``onnx`` for an ONNX export, ``static`` for trained word vectors, ``doc2vec`` for a trained
Doc2Vec model, ``node2vec`` for node vectors from train-graph; the rest are that loader's
settings), or None where there is none. Writers (export, train-static, train-graph) call
:func:`write_manifest`; the registry reads it to pick a loader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from embedlab.errors import EmbedlabError

MANIFEST = "embedlab.json"


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """The manifest of ``folder``, or None when it has none; bad JSON is an EmbedlabError."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        raise EmbedlabError(f"{path} is not valid JSON") from None
    if not isinstance(data, dict):
        raise EmbedlabError(f"{path}: expected a JSON object")
    return data


def write_manifest(folder: str | Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest`` into ``folder`` (a folder being staged: no atomic rename needed)."""
    path = Path(folder) / MANIFEST
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path
