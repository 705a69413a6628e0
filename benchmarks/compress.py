"""Compression figures for issue 5, written into benchmarks/results.md (``compress`` section).

1. SciFact test (BEIR) with ``minilm``: every vector compression method against float32 —
   bytes per vector, search time per query, nDCG@10 and its retention. Corpus vectors come from
   the encode cache after the first run.
2. STS-B test: ``minilm`` exported to fused int8 ONNX against the torch model — Spearman
   retention, and sentences per second against sentence-transformers' torch ``encode`` with the
   same threads and batch size, alternating runs in one process, best of each.

    python benchmarks/compress.py [--methods ...] [--threads 2] [--batch-size 32] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encode import ROOT, stsb_test_sentences, write_section  # noqa: E402

import embedlab  # noqa: E402
from embedlab.compress.evaluate import evaluate_compression  # noqa: E402
from embedlab.compress.export import export_onnx  # noqa: E402
from embedlab.compress.report import compression_markdown  # noqa: E402
from embedlab.evaluate import parse_task  # noqa: E402
from embedlab.named_models import MODELS  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"
METHODS = "fp16,int8,uint8,binary:rescore=4,binary:rescore=10,pca:128,pca:64,whiten,whiten:256"


def scifact_section(methods: str, batch_size: int) -> str:
    start = time.perf_counter()
    task = parse_task(f"retrieval:{DATA / 'scifact'}", split="test")
    results = evaluate_compression(embedlab.load("minilm"), task, methods,
                                   batch_size=batch_size, progress=True)
    took = time.perf_counter() - start
    return "\n".join([
        "### Vector compression on SciFact (minilm)",
        "",
        f"Command: `python benchmarks/compress.py --methods {methods}` — {took:.0f} s "
        "(corpus vectors from the encode cache; search is exact numpy over the decoded codes, "
        "binary is Hamming candidates then float rescoring).",
        "",
        compression_markdown(results),
        "",
    ])


def onnx_section(threads: int, batch_size: int, repeats: int) -> str:
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    texts = stsb_test_sentences()
    folder = str(MODELS["minilm"].locate()["folder"])
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = export_onnx("minilm", Path(tmp) / "minilm-int8", int8=True, threads=threads)
        export_s = time.perf_counter() - t0
        onnx_model = embedlab.load(report.out_dir, threads=threads, cache_dir=False)
        task = parse_task(f"sts:{DATA / 'stsb-en' / 'stsbenchmark.tsv.gz'}", split="test")
        torch_model = embedlab.load("minilm", cache_dir=False)
        sp_torch = task.evaluator(batch_size=batch_size)(torch_model)["spearman"]
        sp_onnx = task.evaluator(batch_size=batch_size)(onnx_model)["spearman"]
        st = SentenceTransformer(folder, device="cpu")
        st.encode(texts[:64], batch_size=batch_size)
        onnx_model.encode(texts[:64], batch_size=batch_size)
        best = {"st": 0.0, "onnx": 0.0}
        for _ in range(repeats):
            t = time.perf_counter()
            st.encode(texts, batch_size=batch_size, normalize_embeddings=True)
            best["st"] = max(best["st"], len(texts) / (time.perf_counter() - t))
            t = time.perf_counter()
            onnx_model.encode(texts, batch_size=batch_size)
            best["onnx"] = max(best["onnx"], len(texts) / (time.perf_counter() - t))
        size_mb = report.bytes / 1e6
    return "\n".join([
        "### minilm exported to int8 ONNX, STS-B test",
        "",
        f"Command: `python benchmarks/compress.py --threads {threads} --batch-size "
        f"{batch_size} --repeats {repeats}` (the `embedlab export -m minilm --out DIR` path; "
        f"export took {export_s:.0f} s, graph {size_mb:.1f} MB, fused={report.fused}).  ",
        f"Threads: torch {threads}, onnxruntime intra-op {onnx_model.threads}; batch size "
        f"{batch_size}; {len(texts)} unique sentences; best of {repeats} alternating runs.",
        "",
        "| model | STS-B test Spearman | sentences/s | ratio to sentence-transformers torch |",
        "|---|---:|---:|---:|",
        f"| sentence-transformers minilm (torch) | {sp_torch:.4f} (same weights) | "
        f"{best['st']:,.0f} | 1.00 |",
        f"| embedlab minilm int8 ONNX (fused) | {sp_onnx:.4f} "
        f"({100 * sp_onnx / sp_torch:.1f}% of torch) | {best['onnx']:,.0f} | "
        f"{best['onnx'] / best['st']:.2f} |",
        "",
        f"Min cosine of the export to the torch model on its check sentences: "
        f"{report.min_cosine_to_source:.4f}.",
        "",
    ])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", default=METHODS)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-scifact", action="store_true")
    ap.add_argument("--skip-onnx", action="store_true")
    args = ap.parse_args()
    parts = ["## Compression and fast inference (issue 5)", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, torch {torch.__version__}.", ""]
    if not args.skip_scifact:
        parts.append(scifact_section(args.methods, args.batch_size))
    if not args.skip_onnx:
        parts.append(onnx_section(args.threads, args.batch_size, args.repeats))
    body = "\n".join(parts)
    print(body)
    write_section("compress", body)


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
