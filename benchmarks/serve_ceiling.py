"""The server's ceiling at a batch size: its worker processes fed without a gap, no HTTP.

``embedlab serve`` encodes in worker processes (``embedlab.serve.workers``), one batch at a
time each, and a batch holds only the texts of the requests in flight: at concurrency 32 with
one text per request, two workers share 32 texts, ~11-16 per batch. This script feeds the same
worker pool (same model, threads, packing) batches of B texts, keeping two batches queued per
worker so that none ever waits, and compares its texts/s with in-process ``encode`` (batch 32,
the baseline of ``benchmarks/serve.py``) measured just before it (this machine's speed drifts
by 20% within minutes, so each ratio pairs two measurements a few seconds apart). The ratio at
B is the most the server could reach with batches of B texts if HTTP, batching and idle time
cost nothing.

Texts: STS-B test sentences in a fixed random order (as the load generator sends them).
Each round measures every B (in turn, reversed every other round); the per-round ratios and
their median are written
into benchmarks/results.md between the ``serve-ceiling`` markers.

    python benchmarks/serve_ceiling.py [--sizes 4,8,12,16,32] [--seconds 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import deque
from concurrent.futures import Future
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encode import stsb_test_sentences, write_section  # noqa: E402
from serve import EncodeWorker, machine  # noqa: E402

import embedlab  # noqa: E402
from embedlab.serve.server import quiet_openmp  # noqa: E402
from embedlab.serve.workers import (  # noqa: E402
    ProcessEncoder,
    WorkerSpec,
    default_processes,
    threads_per_process,
)

MODEL = "minilm"  # the model of serve.py's in-process baseline (EncodeWorker)


def pool_rate(pool: ProcessEncoder, texts: list[str], costs: list[int], size: int,
              seconds: float) -> float:
    """Texts/s of ``pool`` kept busy with batches of ``size`` texts for ``seconds``."""
    queued: deque[tuple[Future, int]] = deque()
    at = 0

    def submit() -> None:
        nonlocal at
        if at + size > len(texts):
            at = 0
        queued.append((pool.submit(texts[at:at + size], costs[at:at + size], "document"),
                       size))
        at += size

    for _ in range(2 * pool.count):
        submit()
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        future, n = queued.popleft()
        future.result()
        done += n
        submit()
    took = time.perf_counter() - start
    for future, _ in queued:  # let the pool drain before the next measurement
        future.result()
    return done / took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4,8,12,16,32", help="Batch sizes, comma-separated.")
    parser.add_argument("--seconds", type=float, default=4.0, help="Seconds per measurement.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="Print, do not edit results.md.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    texts = stsb_test_sentences()
    random.Random(0).shuffle(texts)
    costs = embedlab.load(MODEL, cache_dir=False).count_tokens(texts)
    baseline = EncodeWorker("default", {})  # the environment as embedlab encode gets it
    quiet_openmp()  # then as embedlab serve: its workers get OMP_WAIT_POLICY=PASSIVE
    count = default_processes()
    pool = None
    rates: dict[int, list[float]] = {size: [] for size in sizes}
    ratios: dict[int, list[float]] = {size: [] for size in sizes}
    inproc: list[float] = []
    try:
        pool = ProcessEncoder(WorkerSpec(MODEL, threads=threads_per_process(count)), count)
        pool_rate(pool, texts, costs, 16, 2.0)  # warm-up
        for r in range(args.rounds):
            print(f"round {r + 1}", flush=True)
            for size in sizes if r % 2 == 0 else sizes[::-1]:
                base = baseline.rate()  # paired with the next measurement: noise hits both
                inproc.append(base)
                rate = pool_rate(pool, texts, costs, size, args.seconds)
                rates[size].append(rate)
                ratios[size].append(rate / base)
                print(f"  batches of {size:3d}: {rate:5.0f} texts/s, in-process {base:5.0f}: "
                      f"{rate / base:.0%}", flush=True)
    finally:
        baseline.stop()
        if pool is not None:
            pool.close()
    lines = [
        f"Command: `python benchmarks/serve_ceiling.py --sizes {args.sizes} --seconds "
        f"{args.seconds:g} --rounds {args.rounds}`, run {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{time.perf_counter() - started:.0f} s. Machine: {machine()}.  ",
        f"Model `{MODEL}`: {count} worker processes with "
        f"{threads_per_process(count)} torch thread(s) each (as `embedlab serve` starts them), "
        "fed batches of B STS-B test sentences with two batches queued per worker, each "
        "measurement paired with in-process `encode` (batch 32) measured just before it "
        f"({min(inproc):.0f}-{max(inproc):.0f} texts/s).",
        "",
        "| texts per batch | texts/s (median) | vs in-process, per round | median |",
        "|---:|---:|---|---:|",
    ]
    for size in sizes:
        per_round = ", ".join(f"{x:.0%}" for x in ratios[size])
        lines.append(f"| {size} | {statistics.median(rates[size]):.0f} | {per_round} | "
                     f"**{statistics.median(ratios[size]):.0%}** |")
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("serve-ceiling", "### The worker pool alone, by batch size\n\n" + body)


if __name__ == "__main__":
    main()
