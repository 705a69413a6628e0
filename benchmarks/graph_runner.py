"""One node-embedding run in its own process, for ``benchmarks/graphs.py``.

    python graph_runner.py TOOL EDGES OUT --p P --q Q --dim D --walks R --length L --window W
                           --workers N --seed S

TOOL: ``embedlab`` (run with embedlab's venv), ``pecanpy`` (SparseOTF) or ``node2vec`` (the
eliorc package), both run from a venv of their own, since they pin numpy below 2. EDGES: an
undirected, unweighted tab-separated edge list. Writes ``OUT/vectors.npy`` and ``OUT/ids.json``
and prints one JSON line: seconds for the walks and for skip-gram (graph loading excluded), and
the process's peak resident memory (``ru_maxrss``: loading, walks and training together).
Skip-gram is gensim's Word2Vec for all three with the same settings (sg=1, negative sampling,
min_count=0, one epoch, ``workers`` threads).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np


def _save(out: Path, ids: list[str], vectors: np.ndarray) -> None:
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "vectors.npy", np.asarray(vectors, dtype=np.float32))
    (out / "ids.json").write_text(json.dumps([str(i) for i in ids]))


def run_embedlab(args: argparse.Namespace) -> tuple[float, float]:
    from gensim.models import Word2Vec  # noqa: F401  (imported before the clock, as the others)

    from embedlab.data.graphs import load_graph
    from embedlab.graph.train import GraphTrainConfig, embed_walks
    from embedlab.graph.walks import random_walks

    graph = load_graph(args.edges)
    config = GraphTrainConfig(dim=args.dim, walk_length=args.length, walks=args.walks,
                              window=args.window, p=args.p, q=args.q, seed=args.seed,
                              workers=args.workers, fast=True)
    start = time.perf_counter()
    walks = random_walks(graph, walks_per_node=args.walks, length=args.length, p=args.p,
                         q=args.q, seed=args.seed, workers=args.workers)
    mid = time.perf_counter()
    vectors = embed_walks(walks, graph.n_nodes, config)
    end = time.perf_counter()
    _save(Path(args.out), graph.ids, vectors)
    return mid - start, end - mid


def run_pecanpy(args: argparse.Namespace) -> tuple[float, float]:
    from gensim.models import Word2Vec
    from pecanpy.pecanpy import SparseOTF

    graph = SparseOTF(p=args.p, q=args.q, workers=args.workers, verbose=False,
                      random_state=args.seed)
    graph.read_edg(args.edges, weighted=False, directed=False, delimiter="\t")
    start = time.perf_counter()
    walks = graph.simulate_walks(num_walks=args.walks, walk_length=args.length)
    mid = time.perf_counter()
    model = Word2Vec(walks, vector_size=args.dim, window=args.window, sg=1, min_count=0,
                     workers=args.workers, epochs=1, seed=args.seed)
    end = time.perf_counter()
    _save(Path(args.out), list(graph.nodes), model.wv[graph.nodes])
    return mid - start, end - mid


def run_node2vec(args: argparse.Namespace) -> tuple[float, float]:
    import networkx as nx
    from node2vec import Node2Vec

    graph = nx.read_edgelist(args.edges, delimiter="\t", nodetype=str)
    start = time.perf_counter()
    n2v = Node2Vec(graph, dimensions=args.dim, walk_length=args.length, num_walks=args.walks,
                   p=args.p, q=args.q, workers=1, seed=args.seed, quiet=True)
    mid = time.perf_counter()
    model = n2v.fit(window=args.window, min_count=0, sg=1, epochs=1, workers=args.workers,
                    seed=args.seed)
    end = time.perf_counter()
    ids = [str(n) for n in graph.nodes]
    _save(Path(args.out), ids, model.wv[ids])
    return mid - start, end - mid


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tool", choices=["embedlab", "pecanpy", "node2vec"])
    ap.add_argument("edges")
    ap.add_argument("out")
    for name, kind, default in [("p", float, 1.0), ("q", float, 1.0), ("dim", int, 128),
                                ("walks", int, 10), ("length", int, 80), ("window", int, 10),
                                ("workers", int, 2), ("seed", int, 42)]:
        ap.add_argument(f"--{name}", type=kind, default=default)
    args = ap.parse_args()
    run = {"embedlab": run_embedlab, "pecanpy": run_pecanpy, "node2vec": run_node2vec}
    walk_s, train_s = run[args.tool](args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"tool": args.tool, "walk_s": walk_s, "train_s": train_s,
                      "total_s": walk_s + train_s, "peak_bytes": peak}), flush=True)


if __name__ == "__main__":
    main()
