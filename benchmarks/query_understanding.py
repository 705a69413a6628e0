"""Query understanding benchmark: spelling correction and query expansion, measured.

SciFact (BEIR test split, 300 queries, 5,183 documents) and Cranfield (225 queries, 1,400
documents), each indexed once with ``minilm`` (documents whole, exact dense search). Queries:
clean, and with typos (``embedlab.data.typos``: one edit in 30% of the words of 4+ letters,
seed 0). For each mode (bm25, dense, hybrid RRF) and option (none, ``correct``,
``expand=neighbours``, ``expand=prf``): nDCG@10 over the top 100 documents. Then the latency
each option adds per query (one query per call, as ``embedlab search`` and the server run),
measured on the typo'd SciFact queries in paired rounds: each query searched without and with
the option, back to back, alternating which goes first (the model without its vector cache, so
that every text is encoded, as a new query's are).

Run:  flock /tmp/embedlab-bench.lock .venv/bin/python benchmarks/query_understanding.py \
          [--work DIR] [--latency-queries N] [--write]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encode import write_section  # noqa: E402  (one writer of results.md sections)
from search import machine  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "datasets"
SETS = {"Cranfield": DATA / "cranfield", "SciFact": DATA / "scifact"}
MODES = ("bm25", "dense", "hybrid")
OPTIONS: dict[str, dict[str, Any]] = {
    "none": {}, "correct": {"correct": True}, "neighbours": {"expand": "neighbours"},
    "prf": {"expand": "prf"}}
RATE, SEED = 0.3, 0


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def open_index(name: str, data: Any, work: Path) -> Any:
    from embedlab.search import Document, Index
    from embedlab.search.documents import DocumentSet

    target = work / f"idx-{name.lower()}"
    if (target / "CURRENT").exists():
        return Index.open(target), 0.0
    docs = DocumentSet([Document(i, t) for i, t in data.corpus.items()], True, data.name)
    start = time.perf_counter()
    index = Index.build(target, docs, "minilm", chunk_tokens=0, kind="exact")
    return index, time.perf_counter() - start


def quality(index: Any, data: Any, queries: dict[str, str]) -> dict[tuple[str, str], float]:
    from embedlab.ranking.metrics import evaluate_run

    qids = list(queries)
    out = {}
    for mode in MODES:
        for option, kwargs in OPTIONS.items():
            if mode == "dense" and option == "neighbours":
                continue  # neighbours expand the BM25 side only
            ranked = index.rank([queries[q] for q in qids], 100, mode=mode, **kwargs)
            run = {q: {str(d): s for d, s, _ in r} for q, r in zip(qids, ranked, strict=True)}
            out[(mode, option)] = evaluate_run(run, data.qrels)["ndcg@10"]
            print(f"  {mode:6s} {option:10s} {out[(mode, option)]:.4f}", flush=True)
    return out


def correction_stats(index: Any, clean: dict[str, str], typo: dict[str, str]) -> dict[str, Any]:
    """How many typo'd queries correction restores exactly, and how many clean ones it changes
    (frequency-only correction, as in BM25 mode)."""
    hit = [q for q in typo if typo[q] != clean[q]]
    restored = sum(index.rank_explained([typo[q]], 1, mode="bm25", correct=True)[1][0]
                   .corrected.lower() == clean[q].lower() for q in hit)
    changed = sum(bool(index.rank_explained([clean[q]], 1, mode="bm25", correct=True)[1][0]
                       .corrections) for q in clean)
    return {"typo_queries": len(hit), "restored": restored, "clean_changed": changed,
            "clean": len(clean)}


def latency(index: Any, queries: list[str], mode: str) -> dict[str, dict[str, float]]:
    """Per option, the time it adds per query: p50, p99 (ms) and the median ratio (min-max)."""
    out = {}
    for q in queries[:3]:  # warm up: model, speller, word space, caches
        for kwargs in OPTIONS.values():
            index.search(q, 10, mode=mode, **kwargs)
    for option, kwargs in OPTIONS.items():
        if option == "none" or (mode == "dense" and option == "neighbours"):
            continue
        added, ratios = [], []
        for i, q in enumerate(queries):
            times = {}
            order = ("base", "opt") if i % 2 == 0 else ("opt", "base")
            for which in order:
                start = time.perf_counter()
                index.search(q, 10, mode=mode, **({} if which == "base" else kwargs))
                times[which] = time.perf_counter() - start
            added.append(1000 * (times["opt"] - times["base"]))
            ratios.append(times["opt"] / times["base"])
        out[option] = {"p50": float(np.percentile(added, 50)),
                       "p99": float(np.percentile(added, 99)),
                       "ratio": float(np.median(ratios)), "ratio_min": float(np.min(ratios)),
                       "ratio_max": float(np.max(ratios))}
        print(f"  latency {mode} {option}: {out[option]}", flush=True)
    return out


def cold_start(path: Path, query: str) -> dict[str, float]:
    """Seconds of the first query with each option on a freshly opened index, minus a plain
    BM25 query's: building the SymSpell dictionary, loading the word space."""
    from embedlab.search import Index

    out = {}
    for option in ("correct", "neighbours"):
        kwargs = OPTIONS[option]
        with Index.open(path) as index:
            start = time.perf_counter()
            index.search(query, 10, mode="bm25")
            plain = time.perf_counter() - start
            start = time.perf_counter()
            index.search(query, 10, mode="bm25", **kwargs)
            out[option] = time.perf_counter() - start - plain
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/embedlab-query-bench",
                    help="where the indexes are built (and reused by a later run)")
    ap.add_argument("--latency-queries", type=int, default=150)
    ap.add_argument("--write", action="store_true", help="update benchmarks/results.md")
    args = ap.parse_args()
    from embedlab.data.retrieval_sets import load_retrieval
    from embedlab.data.typos import add_typos_to_queries
    from embedlab.registry import load
    from embedlab.search import Index

    began, load_start, t0 = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), uptime(), \
        time.perf_counter()
    print(load_start, flush=True)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for name, path in SETS.items():
        data = load_retrieval(path, split="test")
        index, built = open_index(name, data, work)
        clean = dict(data.queries)
        typo = add_typos_to_queries(clean, RATE, SEED)
        print(f"{name}: built in {built:.0f} s; clean", flush=True)
        q_clean = quality(index, data, clean)
        print(f"{name}: typos", flush=True)
        q_typo = quality(index, data, typo)
        results[name] = {"clean": q_clean, "typo": q_typo, "built": built,
                         "stats": correction_stats(index, clean, typo),
                         "queries": len(clean), "docs": len(data.corpus), "path": index.path,
                         "typo_queries": typo}
        index.close()
    if args.write:  # quality first: it stands even if the timing part is cut short
        write_section("query-understanding", report(results, began, time.perf_counter() - t0,
                                                    load_start, uptime()))
    path, typo = results["SciFact"]["path"], results["SciFact"]["typo_queries"]
    results["cold"] = cold_start(path, next(iter(typo.values())))
    queries = list(typo.values())[: args.latency_queries]
    # the model without its vector cache: every query is encoded, as new queries are
    with Index.open(path, model=load("minilm", cache_dir=False)) as uncached:
        results["latency"] = {m: latency(uncached, queries, m) for m in MODES}
    results["latency_n"] = len(queries)
    load_end = uptime()
    print(load_end, flush=True)
    body = report(results, began, time.perf_counter() - t0, load_start, load_end)
    print(body)
    if args.write:
        write_section("query-understanding", body)


def verdict(results: dict[str, Any]) -> list[str]:
    """Per expansion and mode, its nDCG@10 change on clean queries of each set, and whether it
    helps on both (the condition for turning it on by default)."""
    lines = ["### Expansion: on by default only if it helps on both sets (clean queries)", "",
             "| expansion | mode | " + " | ".join(f"{n} change" for n in SETS)
             + " | helps on both |", "|---|---|" + "---:|" * len(SETS) + "---|"]
    for option in ("neighbours", "prf"):
        for mode in MODES:
            if (mode, option) not in results[next(iter(SETS))]["clean"]:
                continue
            deltas = [results[n]["clean"][(mode, option)] - results[n]["clean"][(mode, "none")]
                      for n in SETS]
            lines.append(f"| {option} | {mode} | " + " | ".join(f"{d:+.4f}" for d in deltas)
                         + f" | {'yes' if all(d > 0 for d in deltas) else 'no'} |")
    return lines


def report(results: dict[str, Any], began: str, seconds: float, load_start: str,
           load_end: str) -> str:
    lines = [
        "## Query understanding in search (issue 20): spelling correction and query expansion",
        "",
        f"Command: `flock /tmp/embedlab-bench.lock .venv/bin/python "
        f"benchmarks/query_understanding.py --work /tmp/h20 --latency-queries "
        f"{results.get('latency_n', '...')} --write`, run {began}, {seconds:.0f} s in all. "
        f"Machine: {machine()}; shared with other jobs, so timings are noisy. "
        f"`uptime` at the start: `{load_start}`; at the end: `{load_end}`.",
        "",
        f"Indexes built once with `minilm` (documents whole, exact dense search), searched "
        f"through `Index.rank` (top 100, nDCG@10 by `embedlab.ranking.metrics`). Typo'd "
        f"queries: `embedlab typos` (one edit in {RATE:.0%} of the words of 4+ letters, "
        f"seed {SEED}). Dense + neighbours is not run: neighbours expand the BM25 side only.",
        "",
    ]
    for name in SETS:
        r = results[name]
        s = r["stats"]
        lines += [f"### {name} ({r['queries']} queries, {r['docs']:,} documents)", "",
                  "| mode | queries | none | --correct | --expand neighbours | --expand prf |",
                  "|---|---|---:|---:|---:|---:|"]
        for mode in MODES:
            for qset in ("clean", "typo"):
                q = r[qset]
                cells = [f"{q[(mode, o)]:.4f}" if (mode, o) in q else "=" for o in OPTIONS]
                lines.append(f"| {mode} | {qset} | " + " | ".join(cells) + " |")
        lines += ["", "| mode | lost to typos | recovered by --correct | share recovered "
                  "(target ≥ 80%) | --correct on clean queries (target ≥ -0.003) |",
                  "|---|---:|---:|---:|---:|"]
        for mode in MODES:
            lost = r["clean"][(mode, "none")] - r["typo"][(mode, "none")]
            back = r["typo"][(mode, "correct")] - r["typo"][(mode, "none")]
            cost = r["clean"][(mode, "correct")] - r["clean"][(mode, "none")]
            share = back / lost if lost > 0 else float("nan")
            lines.append(f"| {mode} | {lost:.4f} | {back:.4f} | {share:.0%} "
                         f"({'yes' if share >= 0.8 else 'no'}) | {cost:+.4f} "
                         f"({'yes' if cost >= -0.003 else 'no'}) |")
        lines += ["", f"Typos touched {s['typo_queries']} of {r['queries']} queries; "
                  f"frequency-only correction (BM25 mode) gave back the clean text exactly for "
                  f"{s['restored']} of them, and changed {s['clean_changed']} of the "
                  f"{s['clean']} clean queries (a word not in the index's vocabulary).", ""]
    lines += verdict(results) + [""]
    if "latency" not in results:
        return "\n".join(lines + ["Latency: being measured."]) + "\n"
    lines += [f"### Latency added per query (SciFact, typo'd queries, "
              f"{results['latency_n']} queries, one per call, paired rounds)", "",
              "| mode | option | added p50 ms | added p99 ms | time ratio, median (min-max) |",
              "|---|---|---:|---:|---:|"]
    for mode, per in results["latency"].items():
        for option, v in per.items():
            lines.append(f"| {mode} | {option} | {v['p50']:.2f} | {v['p99']:.2f} | "
                         f"{v['ratio']:.2f} ({v['ratio_min']:.2f}-{v['ratio_max']:.2f}) |")
    cold = results["cold"]
    lines += ["", f"Once per opened index (SciFact, ~30,000 words): the first `--correct` query "
              f"took {cold['correct']:.2f} s more than a plain one (the SymSpell dictionary is "
              f"built from `vocabulary.tsv`), the first `--expand neighbours` query "
              f"{cold['neighbours']:.2f} s more (the index's model is loaded to pick the word "
              f"space, then `glove-50`, 400,000 words, restricted to the index's words)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
