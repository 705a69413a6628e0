"""The main job on a fresh machine: encode a real corpus that gensim ships, search it.

The Lee corpus (``gensim/test/test_data/lee_background.cor``, 300 news articles) is encoded with
the default model and a few queries get their nearest articles by cosine similarity; then the
model is evaluated on the word and document similarity data gensim ships (``DEMO_TASKS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.named_models import DEFAULT_MODEL, package_dir
from embedlab.registry import load

#: evaluation data that gensim ships (see ``embedlab.data.builtin.BUILTIN_DATASETS``)
DEMO_TASKS = (
    "word-similarity:wordsim353",
    "word-similarity:simlex999",
    "analogy:google-analogies",
    "doc-similarity:lee",
)

DEMO_QUERIES = (
    "bushfires threaten homes near Sydney",
    "peace talks in the Middle East",
    "cricket match result",
)


def lee_corpus() -> list[str]:
    """The 300 Lee background articles, one a line."""
    root = package_dir("gensim")
    path = root / "test" / "test_data" / "lee_background.cor" if root else None
    if path is None or not path.is_file():
        raise EmbedlabError("the demo corpus ships with gensim: pip install gensim")
    return [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]


@dataclass
class Hit:
    rank: int
    score: float
    doc: int
    text: str


def nearest(query_vecs: np.ndarray, doc_vecs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and cosine scores of the k nearest documents per query (normalised vectors)."""
    scores = query_vecs @ doc_vecs.T
    top = np.argsort(-scores, axis=1)[:, :k]
    return top, np.take_along_axis(scores, top, axis=1)


def run_demo(model: str = DEFAULT_MODEL, queries: tuple[str, ...] = DEMO_QUERIES, k: int = 3,
             progress: bool = True) -> list[tuple[str, list[Hit]]]:
    """Encode the Lee corpus with ``model`` and return the top-k articles per query."""
    docs = lee_corpus()
    embedder = load(model)
    doc_vecs = embedder.encode(docs, kind="document", progress=progress)
    query_vecs = embedder.encode(list(queries), kind="query")
    top, scores = nearest(query_vecs, doc_vecs, k)
    return [
        (q, [Hit(r + 1, float(scores[i, r]), int(top[i, r]), docs[top[i, r]]) for r in range(k)])
        for i, q in enumerate(queries)
    ]
