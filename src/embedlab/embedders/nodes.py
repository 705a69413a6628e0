"""Node embeddings (``modality = "node"``): the vectors of a trained graph model, by node id.

In: a folder written by ``embedlab train-graph`` (``embedlab.json`` of kind ``node2vec``, naming
``vectors.npy`` and ``nodes.json``). Out: a :class:`NodeEmbedder` whose items are node ids
(strings; an int is taken as its text); an id the model has no vector for is an EmbedlabError
naming it. ``lookup(ids)`` gives the raw rows for evaluators that check ids first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.embedders.manifest import MANIFEST, read_manifest
from embedlab.embedders.tokenized import file_fingerprint
from embedlab.errors import EmbedlabError


class NodeEmbedder(BaseEmbedder):
    """Stored node vectors looked up by node id (see the module docstring)."""

    modality = "node"

    def __init__(self, ids: Sequence[str], matrix: np.ndarray, *, name: str,
                 weights_id: str = "", cache_dir: Any = None) -> None:
        super().__init__(cache_dir=cache_dir)
        if matrix.ndim != 2 or len(ids) != matrix.shape[0] or not len(ids):
            raise EmbedlabError(f"{name}: the node list and the vector matrix do not match")
        self.name = name
        self.dim = int(matrix.shape[1])
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self.ids = list(ids)
        self.node_index = {node: i for i, node in enumerate(self.ids)}
        self.weights_id = weights_id

    def config_key(self) -> str:
        return f"{super().config_key()}|{self.weights_id}"

    def _check_item(self, item: Any) -> str | None:
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            return f"is {type(item).__name__}, expected a node id (str)"
        if str(item) not in self.node_index:
            return f"{str(item)!r} is not a node of {self.name}"
        return None

    def _item_bytes(self, item: Any) -> bytes:
        return str(item).encode("utf-8", "surrogatepass")

    def _prepare(self, texts: list[Any], kind: Kind) -> list[list[int]]:
        return [[self.node_index[str(t)]] for t in texts]  # len 1: every node costs the same

    def _embed_items(self, items: list[list[int]], kind: Kind) -> np.ndarray:
        return self.matrix[[i[0] for i in items]]

    def lookup(self, ids: Sequence[str]) -> np.ndarray:
        """Raw (not normalised) vectors of ``ids``; an EmbedlabError names unknown ids."""
        missing = [i for i in ids if i not in self.node_index]
        if missing:
            raise EmbedlabError(f"{len(missing)} node ids are not nodes of {self.name} "
                                f"(e.g. {missing[0]!r})")
        return self.matrix[[self.node_index[i] for i in ids]]


def load_node_folder(folder: str | Path, *, name: str | None = None,
                     cache_dir: Any = None) -> NodeEmbedder:
    """A :class:`NodeEmbedder` for a folder written by ``embedlab train-graph``."""
    folder = Path(folder)
    manifest = read_manifest(folder) or {}
    matrix_path = folder / str(manifest.get("file", "vectors.npy"))
    ids_path = folder / str(manifest.get("ids", "nodes.json"))
    if not matrix_path.is_file() or not ids_path.is_file():
        raise EmbedlabError(f"{folder}: {MANIFEST} names {matrix_path.name} and {ids_path.name}, "
                            "which are not both there")
    try:
        ids = json.loads(ids_path.read_text(encoding="utf-8"))
        matrix = np.load(matrix_path)
    except (ValueError, OSError) as exc:
        raise EmbedlabError(f"{folder}: cannot read the node vectors: {exc}") from None
    if not isinstance(ids, list):
        raise EmbedlabError(f"{ids_path}: expected a JSON list of node ids")
    return NodeEmbedder([str(i) for i in ids], matrix, name=name or folder.name,
                        weights_id=file_fingerprint([matrix_path, ids_path]),
                        cache_dir=cache_dir)


def from_files(files: Mapping[str, Path], **options: Any) -> NodeEmbedder:
    """The registry's loader for a folder written by ``embedlab train-graph``."""
    return load_node_folder(files["folder"], **options)
