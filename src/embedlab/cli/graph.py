"""``embedlab train-graph``: node2vec / DeepWalk node vectors for a graph file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from typing import Annotated

import typer

from embedlab.cli.common import err


def train_graph(
    graph: Annotated[str, typer.Option("--graph", help="Edge list (tsv/csv/space, optional "
                                       "header and weight column), adjacency list, GraphML, "
                                       "GML, .mat, .npz, a folder holding one, or 'karate'.")],
    out_dir: Annotated[str, typer.Option("--out", help="The folder to create.")],
    algo: Annotated[str, typer.Option(help="node2vec or deepwalk (p = q = 1).")] = "node2vec",
    dim: Annotated[int, typer.Option(min=1)] = 128,
    walk_length: Annotated[int, typer.Option(min=2, help="Nodes per walk.")] = 80,
    walks: Annotated[int, typer.Option(min=1, help="Walks from each node.")] = 10,
    window: Annotated[int, typer.Option(min=1, help="Skip-gram context window.")] = 10,
    p: Annotated[float, typer.Option("--p", help="Return parameter (node2vec).")] = 1.0,
    q: Annotated[float, typer.Option("--q", help="In-out parameter (node2vec).")] = 1.0,
    epochs: Annotated[int, typer.Option(min=1)] = 1,
    seed: Annotated[int, typer.Option()] = 42,
    workers: Annotated[int, typer.Option(min=1, help="Threads for the walks (and for "
                                         "training with --fast).")] = os.cpu_count() or 1,
    fast: Annotated[bool, typer.Option("--fast", help="Train with --workers threads; not "
                                       "repeatable (walks stay repeatable).")] = False,
    directed: Annotated[bool, typer.Option("--directed", help="Edges go one way.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="auto, edgelist, adjlist, graphml, gml, "
                                     "mat, npz.")] = "auto",
    holdout_edges: Annotated[float | None, typer.Option(
        help="Hide this share of edges (graph kept connected) and write link_split.tsv for "
             "`eval -t link-prediction:DIR`.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Train node vectors (node2vec / DeepWalk); DIR loads with `-m DIR` as a node model."""
    from embedlab.graph.train import GraphTrainConfig
    from embedlab.graph.train import train_graph as run

    config = GraphTrainConfig(algo=algo, dim=dim, walk_length=walk_length, walks=walks,
                              window=window, p=p, q=q, epochs=epochs, seed=seed,
                              workers=workers, fast=fast, directed=directed,
                              holdout_edges=holdout_edges)
    report = run(graph, out_dir, config, fmt=fmt, progress=not quiet)
    if as_json:
        print(json.dumps(asdict(report)))
        return
    g = report.graph
    err.print(f"wrote {report.out_dir}: {g['nodes']} nodes, {g['edges']} edges "
              f"({g['isolated_nodes']} isolated, {g['self_loops_dropped']} self-loops dropped, "
              f"{g['duplicate_edges_merged']} duplicate edges merged, "
              f"{report.held_out_edges} held out); {report.walks} walks in "
              f"{report.walk_seconds:.1f} s, skip-gram in {report.train_seconds:.1f} s")
    for note in report.notes:
        err.print(f"note: {note}")
