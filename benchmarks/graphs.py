"""Graph figures for issue 18, written into benchmarks/results.md (``graphs`` section).

1. Cora (../shared/datasets/cora): node-classification micro/macro-F1 at 10/50/90% train and
   link-prediction ROC-AUC (half the edges held out, graph kept connected, as many non-edges;
   Hadamard features + logistic regression) for embedlab, PecanPy (SparseOTF) and the
   ``node2vec`` package, all at the same p, q, walk length, walks, window and dimension, all
   scored by embedlab's evaluators on the same splits.
2. Time (walks + skip-gram) and peak memory on Cora and on a synthetic heavy-tailed graph of at
   least 2 million edges (a configuration model with Pareto degrees, numpy, seeded): embedlab and
   PecanPy in paired alternating rounds (ratios per round, median and range); the ``node2vec``
   package once, capped in memory (RLIMIT_AS) and time, so it cannot take the machine down.

Each run is a fresh process (``graph_runner.py``); PecanPy and the ``node2vec`` package pin
numpy < 2, so they run from their own venv (``--other-python``).

    flock /tmp/embedlab-bench.lock python benchmarks/graphs.py --other-python VENV/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encode import ROOT, write_section  # noqa: E402

from embedlab.data.graph_tasks import load_link_pairs, load_node_labels  # noqa: E402
from embedlab.data.graphs import load_graph  # noqa: E402
from embedlab.embedders.nodes import NodeEmbedder  # noqa: E402
from embedlab.evaluate.link_prediction import LinkPredictionEvaluator  # noqa: E402
from embedlab.evaluate.node_classification import NodeClassificationEvaluator  # noqa: E402
from embedlab.graph.split import holdout_edges  # noqa: E402

CORA = ROOT.parent / "shared" / "datasets" / "cora"
RUNNER = Path(__file__).resolve().parent / "graph_runner.py"
TOOLS = ("embedlab", "pecanpy", "node2vec")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def write_edges(path: Path, src: np.ndarray, dst: np.ndarray, ids: list[str]) -> Path:
    with path.open("w") as f:
        for a, b in zip(src.tolist(), dst.tolist(), strict=True):
            f.write(f"{ids[a]}\t{ids[b]}\n")
    return path


def synthetic_graph(path: Path, nodes: int, seed: int = 0) -> int:
    """A configuration model with Pareto(1.5) degrees (min 3); returns the edge count."""
    rng = np.random.default_rng(seed)
    degrees = np.minimum(np.floor(3 * (1 + rng.pareto(1.5, nodes))).astype(np.int64),
                         nodes // 10)
    stubs = np.repeat(np.arange(nodes), degrees)
    stubs = stubs[: len(stubs) // 2 * 2]
    rng.shuffle(stubs)
    a, b = stubs[0::2], stubs[1::2]
    keep = a != b
    key = np.unique(np.minimum(a, b)[keep] * nodes + np.maximum(a, b)[keep])
    np.savetxt(path, np.stack([key // nodes, key % nodes], axis=1), fmt="%d", delimiter="\t")
    return len(key)


def run_tool(tool: str, edges: Path, out: Path, settings: dict, python: dict[str, str],
             timeout: float, cap_bytes: int | None = None) -> dict:
    """One run in a fresh process; {"error": ...} when it fails, runs out of memory or time."""
    cmd = [python[tool], str(RUNNER), tool, str(edges), str(out)]
    cmd += [f"--{k}={v}" for k, v in settings.items()]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")} if tool == "embedlab" else None

    def limit() -> None:
        if cap_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                              preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {"tool": tool, "error": f"stopped after the {timeout:.0f} s time cap"}
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        memory = any(sign in proc.stderr for sign in (
            "MemoryError", "Cannot allocate", "failed to map segment", "bad_alloc"))
        return {"tool": tool, "error": ("ran out of memory under the "
                                        f"{(cap_bytes or 0) / 2**30:.0f} GiB cap" if memory
                                        else tail[0][:160]),
                "seconds": time.perf_counter() - start}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_vectors(folder: Path, name: str) -> NodeEmbedder:
    ids = json.loads((folder / "ids.json").read_text())
    return NodeEmbedder(ids, np.load(folder / "vectors.npy"), name=name, cache_dir=False)


def paired(rounds: int, edges: Path, tmp: Path, settings: dict, python: dict[str, str],
           timeout: float) -> tuple[list[dict], list[dict]]:
    """embedlab and PecanPy alternately (A, B, A, B, ...); the runs of each."""
    runs: dict[str, list[dict]] = {"embedlab": [], "pecanpy": []}
    for r in range(rounds):
        for tool in ("embedlab", "pecanpy"):
            result = run_tool(tool, edges, tmp / f"{edges.stem}-{tool}-{r}", settings, python,
                              timeout)
            print(json.dumps(result), flush=True)
            runs[tool].append(result)
    return runs["embedlab"], runs["pecanpy"]


def ratio_text(a: list[dict], b: list[dict], key: str) -> str:
    ratios = [x[key] / y[key] for x, y in zip(a, b, strict=True)]
    return f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def timing_rows(name: str, ours: list[dict], theirs: list[dict], other: dict) -> list[str]:
    rows = []
    for label, runs in (("embedlab", ours), ("PecanPy SparseOTF", theirs)):
        ok = [r for r in runs if "error" not in r]
        if not ok:
            rows.append(f"| {name} | {label} | {runs[0]['error']} | | | |")
            continue
        rows.append(f"| {name} | {label} | {statistics.median(r['walk_s'] for r in ok):.1f} | "
                    f"{statistics.median(r['train_s'] for r in ok):.1f} | "
                    f"{statistics.median(r['total_s'] for r in ok):.1f} | "
                    f"{gib(max(r['peak_bytes'] for r in ok))} |")
    if "error" in other:
        rows.append(f"| {name} | node2vec package | {other['error']} | | | |")
    else:
        rows.append(f"| {name} | node2vec package | {other['walk_s']:.1f} | "
                    f"{other['train_s']:.1f} | {other['total_s']:.1f} | "
                    f"{gib(other['peak_bytes'])} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--other-python", required=True, help="python of the PecanPy/node2vec venv")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--big-nodes", type=int, default=500_000)
    ap.add_argument("--cap-gib", type=float, default=4.0, help="node2vec package memory cap")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    python = {"embedlab": sys.executable, "pecanpy": args.other_python,
              "node2vec": args.other_python}
    cap = int(args.cap_gib * 2**30)
    load_start = uptime()
    cora = dict(p=1.0, q=0.5, dim=128, walks=10, length=80, window=10, workers=args.workers,
                seed=42)
    big = dict(p=1.0, q=0.5, dim=32, walks=1, length=20, window=5, workers=args.workers,
               seed=42)
    with tempfile.TemporaryDirectory(prefix="graphs-bench-") as name:
        tmp = Path(name)
        graph = load_graph(CORA)
        coo = graph.adj.tocoo()
        upper = coo.row < coo.col
        full = write_edges(tmp / "cora.tsv", coo.row[upper], coo.col[upper], graph.ids)
        split = holdout_edges(graph, 0.5, seed=42)
        tcoo = split.train_graph.adj.tocoo()
        tup = tcoo.row < tcoo.col
        train_edges = write_edges(tmp / "cora-train.tsv", tcoo.row[tup], tcoo.col[tup],
                                  graph.ids)
        (tmp / "lp").mkdir()
        with (tmp / "lp" / "link_split.tsv").open("w") as f:
            for a, b, label, part in split.rows():
                f.write(f"{a}\t{b}\t{label}\t{part}\n")
        labels = load_node_labels(CORA)
        pairs = load_link_pairs(tmp / "lp")

        ours, theirs = paired(args.rounds, full, tmp, cora, python, 900)
        other = run_tool("node2vec", full, tmp / "cora-node2vec", cora, python, 900, cap)
        print(json.dumps(other), flush=True)
        quality = {}
        for tool, folder in (("embedlab", tmp / "cora-embedlab-0"),
                             ("pecanpy", tmp / "cora-pecanpy-0"),
                             ("node2vec", tmp / "cora-node2vec")):
            if not (folder / "vectors.npy").is_file():
                continue
            scores = NodeClassificationEvaluator(labels, repeats=3)(load_vectors(folder, tool))
            lp_run = run_tool(tool, train_edges, tmp / f"lp-{tool}", cora, python, 900, cap)
            if "error" not in lp_run:
                lp = LinkPredictionEvaluator(pairs)(load_vectors(tmp / f"lp-{tool}", tool))
                scores.update(lp)
            quality[tool] = scores
            print(tool, json.dumps({k: round(v, 4) for k, v in scores.items()}), flush=True)

        edges_count = synthetic_graph(tmp / "big.tsv", args.big_nodes)
        big_ours, big_theirs = paired(args.rounds, tmp / "big.tsv", tmp, big, python, 1200)
        big_other = run_tool("node2vec", tmp / "big.tsv", tmp / "big-node2vec", big, python,
                             300, cap)
        print(json.dumps(big_other), flush=True)
    load_end = uptime()

    def cell(tool: str, key: str) -> str:
        return f"{quality[tool][key]:.3f}" if tool in quality and key in quality[tool] else "—"

    names = {"embedlab": "embedlab", "pecanpy": "PecanPy SparseOTF",
             "node2vec": "node2vec package"}
    keys = ["micro_f1@10", "macro_f1@10", "micro_f1@50", "macro_f1@50", "micro_f1@90",
            "macro_f1@90", "roc_auc_hadamard", "roc_auc_cosine"]
    lines = [
        "## Graphs (issue 18): node2vec on Cora and on a 2-million-edge graph",
        "",
        f"Command: `flock /tmp/embedlab-bench.lock python benchmarks/graphs.py --other-python "
        f"VENV/bin/python --rounds {args.rounds}` (PecanPy 2.0.9 and node2vec 0.5.0 in a venv of "
        "their own: both pin numpy < 2; gensim 4.4.0 everywhere). Machine: 2 cores, 24 GiB, no "
        "GPU, shared with other agents and noisy; load at start: "
        f"`{load_start}`, at end: `{load_end}`.",
        "",
        f"Cora settings for all three: p={cora['p']}, q={cora['q']}, {cora['walks']} walks of "
        f"{cora['length']} per node, window {cora['window']}, dim {cora['dim']}, one epoch, "
        f"gensim with {args.workers} threads (embedlab `--fast`; its default is one repeatable "
        "thread). Node classification: one-vs-rest logistic regression, 3 seeded splits per "
        "train share, the same for every tool. Link prediction: each tool trained on the same "
        f"training graph ({split.hidden} of {graph.n_edges} edges held out, every component "
        "kept connected), scored on the held-out edges and as many non-edges.",
        "",
        "| tool | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for tool in TOOLS:
        lines.append(f"| {names[tool]} | " + " | ".join(cell(tool, k) for k in keys) + " |")
    lines += [
        "",
        f"Time (seconds; walks, skip-gram, both; median of {args.rounds} runs) and peak "
        "resident memory of the whole process (loading, walks and training; largest run). "
        f"The synthetic graph: {args.big_nodes:,} nodes, {edges_count:,} undirected edges, "
        "Pareto(1.5) degrees (min 3, max degree in the thousands); to keep the benchmark "
        f"short it uses {big['walks']} walk of {big['length']} per node, window "
        f"{big['window']}, dim {big['dim']} (same p, q for all tools). PecanPy's walk time "
        "includes the numba compile of its per-graph walk functions, which it repeats on every "
        f"run; embedlab's compiled kernel is cached on disk. The node2vec package ran once per "
        f"graph, capped at {args.cap_gib:g} GiB of address space and a time limit.",
        "",
        "| graph | tool | walks s | skip-gram s | total s | peak memory |",
        "|---|---|---|---|---|---|",
        *timing_rows("Cora", ours, theirs, other),
        *timing_rows(f"synthetic, {edges_count / 1e6:.1f} M edges", big_ours, big_theirs,
                     big_other),
        "",
        "Paired ratios embedlab / PecanPy, per round (A, B alternating), median (min-max):",
        "",
    ]
    for name, a, b in (("Cora", ours, theirs), ("synthetic", big_ours, big_theirs)):
        if all("error" not in r for r in a + b):
            lines.append(f"- {name}: total time {ratio_text(a, b, 'total_s')}, walks "
                         f"{ratio_text(a, b, 'walk_s')}, skip-gram "
                         f"{ratio_text(a, b, 'train_s')}, peak memory "
                         f"{ratio_text(a, b, 'peak_bytes')}")
    body = "\n".join(lines) + "\n"
    print(body)
    if not args.no_write:
        write_section("graphs", body)


if __name__ == "__main__":
    main()
