"""Vectors of node ids from any model that has them, for the node tasks.

A node model (``lookup``) and a word-vector file keyed by node id (its ``vocab`` and ``matrix``,
e.g. a word2vec text file another tool wrote) are read row by row, exactly; any other Embedder
encodes the ids as its items. An id the model has no vector for is an EmbedlabError that says
how many there are and names one, rather than a silent zero vector.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from embedlab.embedders.base import l2_normalize
from embedlab.errors import EmbedlabError


def node_vectors(embedder: Any, ids: Sequence[str], *, what: str = "nodes",
                 batch_size: int = 256) -> np.ndarray:
    """L2-normalised float32 vectors of ``ids`` (see the module docstring)."""
    ids = list(ids)
    known = getattr(embedder, "node_index", None)
    if known is None and hasattr(embedder, "vocab") and hasattr(embedder, "matrix"):
        known = embedder.vocab
    if isinstance(known, dict):
        missing = [i for i in dict.fromkeys(ids) if i not in known]
        if missing:
            raise EmbedlabError(f"{len(missing)} {what} are not nodes of {embedder.name} (e.g. "
                                f"{missing[0]!r}); the labels or pairs name unknown nodes")
        matrix = np.asarray(embedder.matrix, dtype=np.float32)
        return l2_normalize(matrix[[known[i] for i in ids]]).astype(np.float32)
    return np.asarray(embedder.encode(ids, batch_size=batch_size, normalize=True),
                      dtype=np.float32)
