"""Peak memory of ``embedlab encode`` against the size of its input (issue 15).

Each case runs ``embedlab encode`` in a fresh process (vector cache off) that prints its own
peak resident set size (``ru_maxrss``) when it ends; wall time and rows written are recorded.
Inputs are generated into ``--workdir`` (deleted afterwards unless ``--keep``):

- ``baseline``: 1,000 short lines (what loading the model and the libraries costs);
- ``short-1m``: 1,000,000 short lines (the issue measured 1.8 GB before streaming);
- ``long-line``: one line of ``--long-mb`` MB (the issue measured 11.2 GB for 200 MB);
- ``big``: ``--big-gb`` GB of lines of about 2,000 characters, each line unique.

``--compare-src DIR`` also runs ``short-1m`` with another checkout's ``src`` (e.g. main), the
two runs alternating. Prints a markdown table. Run under the benchmark lock (the inputs can
be made first, outside it)::

    python benchmarks/streaming_memory.py --generate-only --workdir /tmp/stream-inputs
    flock /tmp/embedlab-bench.lock python benchmarks/streaming_memory.py \
        --inputs /tmp/stream-inputs --compare-src ../main/src
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("the a of and to in is was for on man woman guitar playing plays onion slicing dog "
         "cat runs park music food cooking car road fast slow red blue river city night "
         "morning people house water light small large green quickly carefully").split()
_CHILD = """
import resource, sys
from embedlab.cli.main import main
try:
    main(sys.argv[1:])
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def make_inputs(workdir: Path, big_gb: float, long_mb: int, short: int) -> dict[str, Path]:
    rng = random.Random(0)
    paths = {}
    paths["baseline"] = workdir / "baseline.txt"
    paths["baseline"].write_text("".join(_sentence(rng, 6) + f" {i}\n" for i in range(1000)))
    paths["short-1m"] = workdir / "short-1m.txt"
    with paths["short-1m"].open("w") as f:
        for start in range(0, short, 10_000):
            f.write("".join(_sentence(rng, 6) + f" {i}\n" for i in range(start, start + 10_000)))
    paths["long-line"] = workdir / "long-line.txt"
    block = _sentence(rng, 200_000) + " "
    with paths["long-line"].open("w") as f:
        written = 0
        while written < long_mb * 1_000_000:
            written += f.write(block)
        f.write("\n")
    if big_gb > 0:
        paths["big"] = workdir / "big.txt"
        bases = [_sentence(rng, 330) for _ in range(1000)]
        target = int(big_gb * 1e9)
        with paths["big"].open("w") as f:
            written, i = 0, 0
            while written < target:
                chunk = "".join(f"line {i + j} {bases[(i + j) % 1000]}\n" for j in range(1000))
                written += f.write(chunk)
                i += 1000
    return paths


def run(src: Path, texts: Path, out: Path, model: str) -> tuple[int, float, int]:
    """Peak RSS (KiB), seconds, output rows of one encode."""
    env = {**os.environ, "EMBEDLAB_CACHE_DIR": "off", "PYTHONPATH": str(src)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, "encode", str(texts), "-o", str(out),
                           "-m", model, "-q"], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{texts.name}: exit {proc.returncode}: {proc.stderr[-500:]}")
    import numpy as np

    rows = int(np.load(out, mmap_mode="r").shape[0])
    out.unlink()
    return int(proc.stdout.split()[-1]), seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="glove-50")
    parser.add_argument("--big-gb", type=float, default=2.0)
    parser.add_argument("--long-mb", type=int, default=200)
    parser.add_argument("--short-lines", type=int, default=1_000_000)
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    parser.add_argument("--compare-src", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--inputs", default=None,
                        help="a folder of inputs made earlier with --generate-only (kept)")
    parser.add_argument("--generate-only", action="store_true",
                        help="write the inputs into --workdir and stop (no lock needed)")
    args = parser.parse_args()
    if not args.generate_only:
        print(f"uptime at start: {os.popen('uptime').read().strip()}", flush=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}")
    if args.generate_only:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        for name, path in make_inputs(workdir, args.big_gb, args.long_mb,
                                      args.short_lines).items():
            print(f"{name}: {path} ({path.stat().st_size / 1e6:,.0f} MB)")
        return
    keep = args.keep or args.inputs is not None
    workdir = Path(args.inputs) if args.inputs else \
        Path(tempfile.mkdtemp(prefix="embedlab-stream-", dir=args.workdir))
    try:
        paths = ({name: workdir / f"{name}.txt" for name in ("baseline", "short-1m",
                                                             "long-line", "big")}
                 if args.inputs else
                 make_inputs(workdir, args.big_gb, args.long_mb, args.short_lines))
        paths = {name: path for name, path in paths.items() if path.exists()}
        rows = []
        for name, path in paths.items():
            peak, seconds, n = run(ROOT / "src", path, workdir / "out.npy", args.model)
            rows.append((name, "this branch", path.stat().st_size, n, peak, seconds))
            print(f"  {name}: {peak / 1024:.0f} MiB peak, {seconds:.1f} s", flush=True)
            if name == "short-1m" and args.compare_src:
                peak, seconds, n = run(Path(args.compare_src), path, workdir / "out.npy",
                                       args.model)
                rows.append((name, args.compare_src, path.stat().st_size, n, peak, seconds))
                print(f"  {name} ({args.compare_src}): {peak / 1024:.0f} MiB, {seconds:.1f} s")
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"uptime at end: {os.popen('uptime').read().strip()}\n")
    print("| input | code | file size | vectors | peak RSS | wall time |")
    print("|---|---|---:|---:|---:|---:|")
    for name, code, size, n, peak, seconds in rows:
        print(f"| {name} | {code} | {size / 1e6:,.0f} MB | {n:,} | {peak / 1024:,.0f} MiB | "
              f"{seconds:,.0f} s |")


if __name__ == "__main__":
    main()
