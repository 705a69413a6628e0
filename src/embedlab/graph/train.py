"""Train node embeddings: walks (:mod:`.walks`) then skip-gram (gensim Word2Vec).

In: a graph (anything :func:`embedlab.data.graphs.load_graph` reads, or a loaded
:class:`~embedlab.data.graphs.Graph`), a :class:`GraphTrainConfig` and an output folder. Out: a
folder (written whole, in one rename) that ``embedlab.load(DIR)`` reads as a node Embedder:
``embedlab.json`` (kind ``node2vec``, the settings, the graph summary), ``vectors.npy`` (float32,
row i for ``nodes.json``'s id i), ``vectors.txt`` (word2vec text format, when no id contains
whitespace), and with ``holdout`` the ``link_split.tsv`` it trained without.

Skip-gram runs on the walks as they are stored (int32 rows, fed to gensim as lists of node
numbers: no string per step), with negative sampling and gensim's defaults otherwise, as
PecanPy and the ``node2vec`` package call it. Repeatable: the walks always are (see
:mod:`.walks`); gensim is, with one training thread, which is the default (``fast=True`` trains
with ``workers`` threads, not repeatable). Isolated nodes (no edge) get the zero vector.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.data.graph_tasks import LINK_SPLIT
from embedlab.data.graphs import Graph, load_graph
from embedlab.embedders.manifest import write_manifest
from embedlab.errors import EmbedlabError
from embedlab.files import staged_folder
from embedlab.graph.split import EdgeSplit, holdout_edges
from embedlab.progress import progress_bar

ALGORITHMS = ("node2vec", "deepwalk")


@dataclass
class GraphTrainConfig:
    algo: str = "node2vec"
    dim: int = 128
    walk_length: int = 80
    walks: int = 10
    window: int = 10
    p: float = 1.0
    q: float = 1.0
    epochs: int = 1
    seed: int = 42
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    fast: bool = False
    directed: bool = False
    holdout_edges: float | None = None


@dataclass
class GraphTrainReport:
    out_dir: str
    graph: dict[str, Any]
    walks: int
    steps: int
    isolated_nodes: int
    walk_seconds: float
    train_seconds: float
    held_out_edges: int = 0
    notes: list[str] = field(default_factory=list)


class _Sentences:
    """The walks as gensim sentences (lists of node rows), with a progress callback."""

    def __init__(self, walks: np.ndarray, advance: Any) -> None:
        self.walks = walks
        self.advance = advance

    def __iter__(self):  # noqa: ANN204
        step = 2000
        for s in range(0, len(self.walks), step):
            block = self.walks[s:s + step]
            for row in block.tolist():
                yield row if row[-1] >= 0 else [x for x in row if x >= 0]
            self.advance(len(block))


def check_config(config: GraphTrainConfig) -> GraphTrainConfig:
    """The config with DeepWalk's p = q = 1; an EmbedlabError for settings out of range."""
    if config.algo not in ALGORITHMS:
        raise EmbedlabError(f"unknown algorithm {config.algo!r}; expected node2vec or deepwalk")
    if min(config.dim, config.walks, config.window, config.epochs, config.workers) < 1:
        raise EmbedlabError("dim, walks, window, epochs and workers must be at least 1")
    if config.walk_length < 2:
        raise EmbedlabError("--walk-length must be at least 2")
    if config.algo == "deepwalk":
        if (config.p, config.q) != (1.0, 1.0):
            raise EmbedlabError("deepwalk walks are first-order: --p and --q apply to node2vec")
    return config


def visits(walks: np.ndarray, n_nodes: int, block: int = 100_000) -> np.ndarray:
    """How often each node occurs in the walks (in blocks of rows: no copy of the walks)."""
    counts = np.zeros(n_nodes + 1, dtype=np.int64)
    for s in range(0, len(walks), block):
        counts += np.bincount(walks[s:s + block].ravel() + 1, minlength=n_nodes + 1)
    return counts[1:]  # the first bin counted the -1 padding


def embed_walks(walks: np.ndarray, n_nodes: int, config: GraphTrainConfig, *,
                progress: bool = False) -> np.ndarray:
    """Skip-gram vectors (float32, row i for node i) from walks of node rows."""
    from gensim.models import Word2Vec

    counts = visits(walks, n_nodes)
    model = Word2Vec(vector_size=config.dim, window=config.window, min_count=0, sg=1,
                     seed=config.seed, workers=config.workers if config.fast else 1)
    model.build_vocab_from_freq({i: int(c) for i, c in enumerate(counts) if c > 0})
    with progress_bar(progress, len(walks) * config.epochs, "skip-gram") as advance:
        model.train(corpus_iterable=_Sentences(walks, advance), total_examples=len(walks),
                    epochs=config.epochs)
    vectors = np.zeros((n_nodes, config.dim), dtype=np.float32)
    rows = np.flatnonzero(counts)
    vectors[rows] = model.wv.vectors[[model.wv.key_to_index[int(i)] for i in rows]]
    return vectors


def _write(tmp: Path, graph: Graph, vectors: np.ndarray, config: GraphTrainConfig,
           summary: dict[str, Any], split: EdgeSplit | None) -> list[str]:
    import json

    notes = []
    np.save(tmp / "vectors.npy", vectors)
    (tmp / "nodes.json").write_text(json.dumps(graph.ids, ensure_ascii=False), encoding="utf-8")
    files = {"file": "vectors.npy", "ids": "nodes.json"}
    if any(any(c.isspace() for c in i) or not i for i in graph.ids):
        notes.append("no vectors.txt: some node ids contain whitespace (word2vec text format "
                     "cannot hold them)")
    else:
        with (tmp / "vectors.txt").open("w", encoding="utf-8") as f:
            f.write(f"{len(graph.ids)} {vectors.shape[1]}\n")
            for node, row in zip(graph.ids, vectors, strict=True):
                f.write(node + " " + " ".join(f"{x:.6g}" for x in row) + "\n")
        files["word2vec"] = "vectors.txt"
    if split is not None:
        with (tmp / LINK_SPLIT).open("w", encoding="utf-8") as f:
            f.write("source\ttarget\tlabel\tsplit\n")
            for a, b, label, part in split.rows():
                f.write(f"{a}\t{b}\t{label}\t{part}\n")
        files["link_split"] = LINK_SPLIT
    write_manifest(tmp, {"kind": "node2vec", **files, "algo": config.algo,
                         "config": asdict(config), "graph": summary})
    return notes


def train_graph(source: str | Path | Graph, out_dir: str | Path,
                config: GraphTrainConfig | None = None, *, fmt: str = "auto",
                progress: bool = False) -> GraphTrainReport:
    """Walk, train and save node vectors (see the module docstring)."""
    config = check_config(config or GraphTrainConfig())
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EmbedlabError(f"{out}: the output folder exists and is not empty")
    graph = source if isinstance(source, Graph) else \
        load_graph(source, directed=config.directed, fmt=fmt)
    summary = graph.summary()
    split = None
    notes: list[str] = []
    if config.holdout_edges:
        split = holdout_edges(graph, config.holdout_edges, seed=config.seed)
        graph = split.train_graph
        if split.hidden < split.asked:
            notes.append(f"held out {split.hidden} edges, not {split.asked}: the rest keep the "
                         "graph connected")
    try:
        from embedlab.graph.walks import random_walks
    except ImportError:
        raise EmbedlabError("train-graph needs numba: pip install 'embedlab[graphs]'") from None
    start = time.perf_counter()
    walks = random_walks(graph, walks_per_node=config.walks, length=config.walk_length,
                         p=config.p, q=config.q, seed=config.seed, workers=config.workers,
                         progress=progress)
    walk_seconds = time.perf_counter() - start
    vectors = embed_walks(walks, graph.n_nodes, config, progress=progress)
    isolated = graph.isolated()
    vectors[isolated] = 0.0
    train_seconds = time.perf_counter() - start - walk_seconds
    steps = int(visits(walks, graph.n_nodes).sum())
    del walks
    summary.update(isolated_nodes=int(len(isolated)),
                   held_out_edges=split.hidden if split else 0)
    with staged_folder(out) as tmp:
        notes += _write(tmp, graph, vectors, config, summary, split)
    if len(isolated):
        notes.append(f"{len(isolated)} isolated nodes (no edge) have the zero vector")
    return GraphTrainReport(str(out), summary, config.walks * graph.n_nodes, steps,
                            int(len(isolated)), round(walk_seconds, 3), round(train_seconds, 3),
                            split.hidden if split else 0, notes)
