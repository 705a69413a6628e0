"""Search benchmark: SciFact quality through the index, and ANN recall and speed at 100,000 vectors.

(a) SciFact (BEIR, test split) with ``minilm``: nDCG@10 of dense search through an HNSW index
    (documents whole, as exact evaluation embeds them) against the exact evaluator of
    ``embedlab.evaluate``, plus BM25 and hybrid (RRF) through the same index.
(b) 100,000 structured random vectors of dim 384 (a Gaussian mixture of 100 clusters, each
    spread along its own 16-dimensional subspace, plus a little isotropic noise, normalised;
    queries are new draws from the same mixture): recall@10 of the store's HNSW, int8 and
    binary kinds against exact search, queries per second on one thread (one query per call,
    as ``embedlab search`` runs, and in batches of 1,000), build time, bytes per vector.

Run:  .venv/bin/python benchmarks/search.py [--part scifact|ann|all] [--n 100000] [--write]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encode import write_section  # noqa: E402  (one writer of results.md sections)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results.md"
SCIFACT = REPO.parent / "shared" / "datasets" / "scifact"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores (load average {load:.1f} at the end of the run), "
            f"Python {platform.python_version()}")


# -- (a) SciFact ---------------------------------------------------------------------------------
def scifact(rows: list[str]) -> dict[str, Any]:
    from embedlab.cli.search import search as search_command
    from embedlab.data.retrieval_sets import load_beir
    from embedlab.evaluate import RetrievalEvaluator
    from embedlab.registry import load
    from embedlab.search import Document, Index, evaluate_index

    data = load_beir(SCIFACT, split="test")
    model = load("minilm")
    start = time.perf_counter()
    exact = RetrievalEvaluator(data, progress=True)(model)
    exact_seconds = time.perf_counter() - start
    print(f"exact evaluator: nDCG@10 {exact['ndcg@10']:.4f} ({exact_seconds:.0f} s)",
          file=sys.stderr)
    out: dict[str, Any] = {"exact": exact, "exact_seconds": exact_seconds}
    with tempfile.TemporaryDirectory(prefix="embedlab-bench-") as tmp:
        folder = Path(tmp) / "scifact"
        start = time.perf_counter()
        docs = [Document(i, t) for i, t in data.corpus.items()]
        index = Index.build(folder, docs, model, kind="hnsw", chunk_tokens=0, progress=True)
        out["build_seconds"] = time.perf_counter() - start
        out["info"] = index.info()
        for mode in ("dense", "bm25", "hybrid"):
            out[mode] = evaluate_index(model, data, index=folder, mode=mode)
            print(f"{mode}: nDCG@10 {out[mode]['ndcg@10']:.4f}", file=sys.stderr)
        # the command line gives the same rankings as the library it wraps
        import io
        from contextlib import redirect_stdout

        queries = list(data.queries.values())[:3]
        same = 0
        for query in queries:
            buffer = io.StringIO()
            with redirect_stdout(buffer):
                search_command(str(folder), query, k=10, mode="dense", filters=None, model=None,
                               fusion="rrf", alpha=0.5, exact=False, chunks=False, as_json=True)
            import json

            cli = [h["doc_id"] for h in json.loads(buffer.getvalue())["hits"]]
            lib = [h.doc_id for h in index.search(query, k=10, mode="dense")]
            same += cli == lib
        out["cli_agrees"] = f"{same}/{len(queries)}"
        index.close()

    d, ex = out["dense"], exact
    rows += [
        "### SciFact (BEIR test split, 300 queries, 5,183 documents) with `minilm`",
        "",
        f"Index: {out['info']['structure']}, documents whole (`--chunk-tokens 0`, the model "
        f"truncates at 256 tokens, as the exact evaluator does); built in "
        f"{out['build_seconds']:.0f} s (encoding included; the vector cache was warm from the "
        f"exact evaluation, which took {out['exact_seconds']:.0f} s). Top 100 documents per "
        "query; metrics by `embedlab.ranking.metrics` (trec_eval semantics).",
        "",
        "| search | nDCG@10 | MRR@10 | Recall@100 | queries/s (query vectors from the cache) |",
        "|---|---:|---:|---:|---:|",
        f"| exact evaluator (`RetrievalEvaluator`, brute force) | {ex['ndcg@10']:.4f} | "
        f"{ex['mrr@10']:.4f} | {ex['recall@100']:.4f} | |",
    ]
    for mode, label in (("dense", "index, dense (HNSW)"), ("bm25", "index, BM25 (bm25s)"),
                        ("hybrid", "index, hybrid (RRF, k=60)")):
        m = out[mode]
        rows.append(f"| {label} | {m['ndcg@10']:.4f} | {m['mrr@10']:.4f} | "
                    f"{m['recall@100']:.4f} | {m['queries_per_second']:.0f} |")
    rows += [
        f"| index, dense, searched exactly (`exact=True`) | {d['exact:ndcg@10']:.4f} | "
        f"{d['exact:mrr@10']:.4f} | {d['exact:recall@100']:.4f} | |",
        "",
        f"Dense through the index minus the exact evaluator: nDCG@10 "
        f"{d['ndcg@10'] - ex['ndcg@10']:+.4f} (must be within ±0.005: "
        f"{'yes' if abs(d['ndcg@10'] - ex['ndcg@10']) <= 0.005 else 'NO'}). "
        f"`embedlab search --mode dense --json` gave the library's top 10 for "
        f"{out['cli_agrees']} queries checked.",
        "",
    ]
    return out


# -- (b) ANN at 100,000 vectors ------------------------------------------------------------------
def structured(n: int, seed: int, dim: int = 384, clusters: int = 100,
               latent: int = 16) -> np.ndarray:
    """Draws from one fixed Gaussian mixture (see the module docstring), normalised."""
    mixture = np.random.default_rng(1234)
    centres = mixture.normal(size=(clusters, dim)).astype(np.float32)
    bases = (mixture.normal(size=(clusters, latent, dim)) * 0.25).astype(np.float32)
    rng = np.random.default_rng(seed)
    which = rng.integers(clusters, size=n)
    out = np.empty((n, dim), dtype=np.float32)
    for c in range(clusters):
        at = np.flatnonzero(which == c)
        z = rng.normal(size=(len(at), latent)).astype(np.float32)
        out[at] = centres[c] + z @ bases[c] + 0.2 * rng.normal(size=(len(at), dim))
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _qps(store: Any, q: np.ndarray, k: int, exact: bool, one_at_a_time: int) -> tuple[float,
                                                                                        float]:
    start = time.perf_counter()
    for i in range(one_at_a_time):
        store.search(q[i:i + 1], k, exact=exact)
    single = one_at_a_time / (time.perf_counter() - start)
    start = time.perf_counter()
    store.search(q, k, exact=exact)
    batch = len(q) / (time.perf_counter() - start)
    return single, batch


def ann(rows: list[str], n: int, n_queries: int = 1000) -> dict[str, Any]:
    import faiss

    from embedlab.search.backends.faiss_store import describe
    from embedlab.search.stores import create_store

    faiss.omp_set_num_threads(1)
    x, q = structured(n, seed=0), structured(n_queries, seed=1)
    k = 10
    out: dict[str, Any] = {}
    exact_store = create_store("faiss", x.shape[1], kind="exact", index_dir=Path("."))
    exact_store.add(np.arange(n), x, [[]] * n)
    truth, _ = exact_store.search(q, k, exact=True)
    e_single, e_batch = _qps(exact_store, q, k, True, one_at_a_time=200)
    print(f"exact: {e_single:.0f} q/s single, {e_batch:.0f} q/s batched", file=sys.stderr)
    rows += [
        f"### ANN: {n:,} vectors of dim 384, {n_queries:,} queries, one thread",
        "",
        "Data: a fixed Gaussian mixture of 100 clusters, each spread along its own "
        "16-dimensional subspace plus isotropic noise (σ 0.2 per dimension), normalised; "
        "queries are new draws from the same mixture. Exact top 10 by brute force is the "
        "reference. Searches go through `FaissStore.search` (the store `embedlab search` "
        "uses); `faiss.omp_set_num_threads(1)` for build and search.",
        "",
        "| index | recall@10 | queries/s, one per call | speed-up | queries/s, batch of "
        "1,000 | build s | index bytes/vector |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| exact (IndexFlatIP / faiss knn) | 1.000 | {e_single:,.0f} | 1.0x | {e_batch:,.0f} "
        f"| 0 | {4 * 384} |",
    ]
    for kind in ("hnsw", "int8", "binary"):
        store = create_store("faiss", x.shape[1], kind=kind, index_dir=Path("."), threshold=0)
        start = time.perf_counter()
        store.add(np.arange(n), x, [[]] * n)
        store._ann()  # build now, to time it
        build = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as tmp:
            store.save(Path(tmp))
        found, _ = store.search(q, k)
        recall = float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found, truth,
                                                                          strict=True)]))
        single, batch = _qps(store, q, k, False, one_at_a_time=n_queries)
        out[kind] = {"recall": recall, "single": single, "batch": batch, "build": build,
                     "bytes": store.bytes_per_vector()}
        print(f"{kind}: recall {recall:.4f}, {single:.0f} q/s single ({single / e_single:.1f}x),"
              f" {batch:.0f} batched, build {build:.0f} s", file=sys.stderr)
        name = describe({"structure": store.structure, "settings": store.settings})
        rows.append(f"| {kind}: {name} | {recall:.3f} | {single:,.0f} | "
                    f"{single / e_single:.1f}x | {batch:,.0f} | {build:.1f} | "
                    f"{store.bytes_per_vector():.0f} |")
    h = out["hnsw"]
    rows += [
        "",
        f"HNSW: recall@10 {h['recall']:.3f} (target ≥ 0.95: "
        f"{'yes' if h['recall'] >= 0.95 else 'NO'}) at {h['single'] / e_single:.1f}x the "
        f"exact queries per second one query per call (target ≥ 10x: "
        f"{'yes' if h['single'] / e_single >= 10 else 'NO'}); {h['batch'] / e_batch:.1f}x "
        "when both take batches of 1,000 (brute force then runs as one BLAS matrix product). "
        "Every kind also keeps the float32 matrix (1,536 bytes/vector, memory-mapped) for "
        "rescoring, compaction and exact search. int8 and binary rescore their top 40 "
        "candidates with those floats.",
        "",
    ]
    out["exact"] = {"single": e_single, "batch": e_batch}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["scifact", "ann", "all"], default="all")
    ap.add_argument("--n", type=int, default=100_000, help="vectors for the ANN part")
    ap.add_argument("--write", action="store_true", help="write the figures into results.md")
    args = ap.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M")
    start = time.perf_counter()
    rows: list[str] = []
    if args.part in ("scifact", "all"):
        scifact(rows)
    if args.part in ("ann", "all"):
        ann(rows, args.n)
    body = "\n".join([
        "## Search (`embedlab.search`)",
        "",
        f"Command: `.venv/bin/python benchmarks/search.py --part {args.part} --n {args.n} "
        f"--write`, run {started}, {time.perf_counter() - start:.0f} s in all. "
        f"Machine: {machine()}.",
        "",
        *rows,
    ])
    print(body)
    if args.write:
        write_section("search", body)


if __name__ == "__main__":
    main()
