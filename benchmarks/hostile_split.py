"""Where the hostile clients' p99 goes (issue 15): by route, by hostile kind, and a ceiling.

Same server, index, normal load and hostile clients as ``hostile_clients.py``. Each round runs
short segments of normal load: ``none`` (no hostile clients), ``all`` (every kind, as in
``hostile_clients.py``), each kind alone (``slow``: slow-body + half-header connections;
``filters``: the 40,000- and 8,000-value filter loops; ``bursts``: 32 x 17 MB every 2 s), and
``ceiling``: every kind, but aimed at a trivial asyncio server on another port (a process of
its own on the same cores) that refuses at the cheapest point: it answers a canned 413 as soon
as the headers announce 2,000 bytes or more and closes, and holds the rest (slow bodies, half
headers) without reading. The ceiling is what the hostile clients cost the normal requests
through the shared cores alone, with no work in the real server. Its two filter loops send at
the rates they reached against the real server in the latest ``all`` segment (unpaced, they
would loop ~6x faster against the trivial server and load the cores more).

The order of the hostile segments rotates from round to round; ``none`` opens each round, and
every segment's p99 is divided by that round's ``none`` (per route too). CPU seconds of each
party (the server with its workers, the hostile process, the trivial server, this load
process) are taken per segment with psutil.

    flock /tmp/embedlab-bench.lock python benchmarks/hostile_split.py [--rounds 3]
        [--seconds 8] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from statistics import median

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encode import stsb_test_sentences, write_section  # noqa: E402
from hostile_clients import KEY, build_index, normal_requests, round_, uptime  # noqa: E402
from serve import HOST, Outcome, free_port, run, run_load, start_embedlab  # noqa: E402

SEGMENTS = ("all", "slow", "filters", "bursts", "ceiling")
LOOPS = ("filter-40000", "filter-8000")  # the looping kinds the ceiling paces
ROUTES = {"/v1/embeddings": "embeddings", "/v1/search": "search"}
CANNED = (b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")


class Refuser(asyncio.Protocol):
    """Answer 413 and close once the headers announce >= 2,000 bytes; hold anything else."""

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport
        self.buffer: bytes | None = b""

    def data_received(self, data: bytes) -> None:
        if self.buffer is None:
            return  # decided: holding, data dropped
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        length = 0
        for line in self.buffer[:end].split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        self.buffer = None
        if length >= 2000:
            self.transport.write(CANNED)
            self.transport.close()


async def trivial_server(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Refuser, HOST, port, backlog=1024)
    async with server:
        await server.serve_forever()


def cpu_s(processes: list[psutil.Process]) -> float:
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def p99(outcomes: list[Outcome], route: str | None = None) -> float:
    lat = [o.latency for o in outcomes if o.status == 200 and (route is None or o.path == route)]
    return float(np.percentile(lat, 99)) * 1000 if lat else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--slow", type=int, default=32)
    parser.add_argument("--segments", default=",".join(SEGMENTS),
                        help="hostile segments to run (none always runs)")
    parser.add_argument("--section", default="hostile-split", help="results.md section")
    parser.add_argument("--write", action="store_true", help="write into results.md")
    parser.add_argument("--trivial", type=int, help=argparse.SUPPRESS)  # the trivial server
    args = parser.parse_args()
    if args.trivial:
        run(trivial_server(args.trivial))
        return
    load_start = uptime()
    started = time.time()
    texts = stsb_test_sentences()
    # ratios[segment][route] -> per-round ratios; cpu[segment][party] -> cores used
    ratios: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    cpu: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    p99s: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    rates: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[str] = Counter()
    normal: Counter[int] = Counter()
    pace: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "idx"
        build_index(folder, texts)
        server = start_embedlab(["--index", str(folder), "--api-key", KEY, "--cache-size", "0"],
                                Path(tmp) / "server.log")
        port = int(server.url.rsplit(":", 1)[1])
        trivial_port = free_port()
        trivial = subprocess.Popen([sys.executable, __file__, "--trivial", str(trivial_port)])
        main_process = psutil.Process(server.process.pid)
        server_procs = [main_process, *main_process.children(recursive=True)]
        parties = {"server": server_procs, "trivial": [psutil.Process(trivial.pid)],
                   "load": [psutil.Process()]}
        make = normal_requests(texts)
        try:
            time.sleep(1.0)
            run(run_load(server.url, make, args.concurrency, 4.0, 10**6))
            for r in range(args.rounds):
                chosen = tuple(s for s in SEGMENTS if s in args.segments.split(","))
                order = chosen[r % len(chosen):] + chosen[:r % len(chosen)]
                if "ceiling" in order and "all" in order and not pace:
                    order = ("all", *(s for s in order if s != "all"))  # its pace first
                base: dict[str, float] = {}
                for segment in ("none", *order):
                    kinds = {"all": ("slow", "filters", "bursts"),
                             "ceiling": ("slow", "filters", "bursts")}.get(segment, (segment,))
                    target = trivial_port if segment == "ceiling" else port
                    before: dict[str, float] = {}

                    def start(before: dict[str, float] = before) -> None:
                        before.update({k: cpu_s(v) for k, v in parties.items()})
                        before["t"] = time.perf_counter()

                    hostile_cpu: list[float] = []
                    got: Counter[str] = Counter()
                    outcomes = round_(server.url, target, make, args.concurrency, args.seconds,
                                      segment != "none", args.slow, got, kinds, hostile_cpu,
                                      pace if segment == "ceiling" else None, start)
                    took = time.perf_counter() - before["t"]
                    if segment == "all":  # the ceiling's loops send at these rates
                        pace = {kind: sum(n for k, n in got.items() if k.startswith(kind + " "))
                                / (args.seconds + 1.5) for kind in LOOPS}
                    statuses.update({f"{segment}: {k}": n for k, n in got.items()})
                    used = {k: (cpu_s(v) - before[k]) / took for k, v in parties.items()}
                    used["hostile"] = sum(hostile_cpu) / (args.seconds + 1.5)
                    normal.update(o.status for o in outcomes)
                    rates[segment].append(sum(o.status == 200 for o in outcomes) / args.seconds)
                    for route in (None, *ROUTES):
                        name = ROUTES.get(route, "all") if route else "all"
                        value = p99(outcomes, route)
                        p99s[segment][name].append(value)
                        if segment == "none":
                            base[name] = value
                        else:
                            ratios[segment][name].append(value / base[name])
                    for party, cores in used.items():
                        cpu[segment][party].append(cores)
                    print(f"round {r + 1} {segment:8s}: p99 {p99s[segment]['all'][-1]:7.1f} ms "
                          f"(emb {p99s[segment]['embeddings'][-1]:7.1f}, search "
                          f"{p99s[segment]['search'][-1]:7.1f}); cores "
                          + ", ".join(f"{k} {v:.2f}" for k, v in used.items()), flush=True)
            log = server.log.read_text(errors="replace")
        finally:
            trivial.terminate()
            trivial.wait(10)
            server.stop()
    load_end = uptime()
    text = report(args, started, load_start, load_end, ratios, p99s, cpu, rates, normal,
                  statuses, log, pace)
    print(text)
    if args.write:
        write_section(args.section, text)


def spread(values: list[float], unit: str = "x") -> str:
    return f"{median(values):.2f}{unit} ({min(values):.2f}-{max(values):.2f})"


def report(args, started, load_start, load_end, ratios, p99s, cpu, rates, normal, statuses,
           log, pace) -> str:  # type: ignore[no-untyped-def]
    lines = [
        "## Hostile clients: where the p99 goes (issue 15)",
        "",
        f"Command: `flock /tmp/embedlab-bench.lock python benchmarks/hostile_split.py "
        f"--rounds {args.rounds} --seconds {args.seconds:g} --concurrency {args.concurrency} "
        f"--slow {args.slow} --segments {args.segments} --section {args.section} --write`  ",
        f"Machine: {platform.machine()}, {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, no GPU; shared with other agents' "
        "work (noisy). Server, its 2 worker processes, the hostile process, the trivial server "
        "and the load clients share the 2 cores.  ",
        f"Run: {time.strftime('%Y-%m-%d %H:%M', time.gmtime(started))} UTC, "
        f"{time.time() - started:.0f} s. Load at start: `{load_start}`; at end: `{load_end}`.  ",
        "Segments and server as in the module docstring of `benchmarks/hostile_split.py`; "
        "each ratio is a segment's p99 over the same round's `none` p99, median (min-max) "
        f"over {args.rounds} rounds.",
        "",
        "| segment | p99 ratio, all normal | embeddings | search | p99 ms all / emb / search "
        "(median) | req/s | cores: server / hostile / trivial / load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for segment in ("none", *(s for s in SEGMENTS if s in rates)):
        r = ratios.get(segment)
        cells = (["1"] * 3 if r is None else
                 [spread(r["all"]), spread(r["embeddings"]), spread(r["search"])])
        ms = " / ".join(f"{median(p99s[segment][n]):.0f}" for n in ("all", "embeddings",
                                                                       "search"))
        cores = " / ".join(f"{median(cpu[segment][p]):.2f}" for p in ("server", "hostile",
                                                                       "trivial", "load"))
        lines.append(f"| {segment} | {' | '.join(cells)} | {ms} | "
                     f"{median(rates[segment]):.0f} | {cores} |")
    lines += [
        "",
        f"Normal requests' statuses: {dict(sorted(normal.items()))}.  ",
        f"Hostile clients' answers (all segments; the ceiling's come from the trivial server): "
        f"{dict(sorted(statuses.items()))}.  ",
        f"Ceiling pace (filter loops, per second, from the last `all` segment): "
        f"{ {k: round(v) for k, v in pace.items()} }.  ",
        f"Tracebacks in the server log: {log.count('Traceback')}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
