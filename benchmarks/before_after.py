"""Did a change cost speed? The same measurement on two commits, in paired alternating rounds.

Both sides run this checkout's Python environment, each with its own ``src/`` first on the path:
``--before REF`` is checked out into a temporary git worktree, ``after`` is this checkout. Each
round measures A then B, or B then A (the order alternates, so a drift of the machine's speed
within a round hits both sides alike), and the headline is the median of the per-round ratios
after/before with their spread. Two measurements:

- ``encode``: a fresh process loads minilm (vector cache off), encodes the STS-B test
  sentences once to warm up, then once timed, batch 32, torch threads = cores;
- ``serve``: ``embedlab serve -m minilm --cache-size 0`` (every text encoded; defaults
  otherwise: worker processes, packing) is started from the side's tree and loaded by
  ``--concurrency`` closed-loop clients for ``--seconds`` each with 1 and with 16 texts per
  request (the load generator of ``serve.py``).

    python benchmarks/before_after.py --before REF [--what encode,serve] [--rounds 6]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encode import stsb_test_sentences, write_section  # noqa: E402  (shared with encode.py)
from serve import Server, embed_requests, free_port, measure, wait_ready  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"

ENCODE_CHILD = """
import json, sys, time
import torch
import embedlab
texts = json.load(open(sys.argv[1], encoding="utf-8"))
torch.set_num_threads(int(sys.argv[2]))
model = embedlab.load("minilm", cache_dir=False)
model.encode(texts, batch_size=32)
start = time.perf_counter()
model.encode(texts, batch_size=32)
print(json.dumps({"rate": len(texts) / (time.perf_counter() - start),
                  "module": embedlab.__file__}))
"""


def side_env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src)
    env["EMBEDLAB_CACHE_DIR"] = "0"
    return env


def encode_rate(src: Path, texts_file: Path, threads: int) -> float:
    out = subprocess.run([sys.executable, "-c", ENCODE_CHILD, str(texts_file), str(threads)],
                         env=side_env(src), capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"encode with {src} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["module"].startswith(str(src)), result["module"]  # the side's own code
    return float(result["rate"])


def serve_rates(src: Path, texts: list[str], concurrency: int, seconds: float,
                log: Path) -> dict[int, float]:
    """Texts per second at 1 and at 16 texts per request, one server started from ``src``."""
    port = free_port()
    cmd = [sys.executable, "-m", "embedlab.serve", "-m", "minilm", "--port", str(port),
           "--log-level", "warning", "--cache-size", "0"]  # every text encoded
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                   env=side_env(src))
    url = f"http://{HOST}:{port}"
    server = Server(src.parent.name, url, "/v1/embeddings", "minilm", process, log)
    try:
        wait_ready(url, process, "/ready", log)
        rates = {}
        for per_request in (1, 16):
            make = embed_requests(server, texts, per_request)
            measure(server, make, concurrency, 3, 10**9)  # warm-up: caches, sockets
            rates[per_request] = measure(server, make, concurrency, seconds, 10**9).texts_per_s
        return rates
    finally:
        server.stop()


def spread(ratios: list[float]) -> str:
    return (f"**{median(ratios):.3f}** (rounds: {', '.join(f'{r:.3f}' for r in ratios)}; "
            f"min {min(ratios):.3f}, max {max(ratios):.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="the commit to compare against")
    ap.add_argument("--what", default="encode,serve")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--no-write", action="store_true", help="print, do not update results.md")
    args = ap.parse_args()
    what = [w.strip() for w in args.what.split(",") if w.strip()]
    texts = stsb_test_sentences()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    lines = ["## Before and after a change (paired rounds)", "",
             f"Command: `python benchmarks/before_after.py --before {args.before} --what "
             f"{','.join(what)} --rounds {args.rounds} --seconds {args.seconds:g}`  ",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; before = `{args.before}`, after = the checkout "
             f"(`{head}` plus any uncommitted changes); order alternates per round.", ""]
    with tempfile.TemporaryDirectory(prefix="embedlab-before-") as tmp:
        tree = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree),
                        args.before], check=True, capture_output=True)
        sides = {"before": tree / "src", "after": ROOT / "src"}
        try:
            if "encode" in what:
                texts_file = Path(tmp) / "texts.json"
                texts_file.write_text(json.dumps(texts), encoding="utf-8")
                got: dict[str, list[float]] = {"before": [], "after": []}
                for r in range(args.rounds):
                    for side in (("before", "after") if r % 2 == 0 else ("after", "before")):
                        got[side].append(encode_rate(sides[side], texts_file, args.threads))
                    print(f"encode round {r + 1}: before {got['before'][-1]:.1f}, after "
                          f"{got['after'][-1]:.1f} sentences/s", flush=True)
                ratios = [a / b for a, b in zip(got["after"], got["before"], strict=True)]
                lines += [f"`encode` ({len(texts)} STS-B test sentences, batch 32, "
                          f"{args.threads} torch threads, cache off): after/before "
                          f"{spread(ratios)}; median sentences/s before "
                          f"{median(got['before']):.0f}, after {median(got['after']):.0f}.", ""]
            if "serve" in what:
                served: dict[str, list[dict[int, float]]] = {"before": [], "after": []}
                for r in range(args.rounds):
                    for side in (("before", "after") if r % 2 == 0 else ("after", "before")):
                        log = Path(tmp) / f"serve-{side}-{r}.log"
                        served[side].append(serve_rates(sides[side], texts, args.concurrency,
                                                        args.seconds, log))
                for per_request in (1, 16):
                    ratios = [a[per_request] / b[per_request]
                              for a, b in zip(served["after"], served["before"], strict=True)]
                    before = median(x[per_request] for x in served["before"])
                    after = median(x[per_request] for x in served["after"])
                    lines += [f"`serve` at concurrency {args.concurrency}, {per_request} "
                              f"text(s) per request, {args.seconds:g} s per side: after/before "
                              f"{spread(ratios)}; median texts/s before {before:.0f}, after "
                              f"{after:.0f}.", ""]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(tree)], capture_output=True)
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("before-after", body)


if __name__ == "__main__":
    main()
