"""Hostile clients (issue 15): normal requests' latency with and without them, and memory.

Everything runs on 127.0.0.1, bounded in count and time. One ``embedlab serve -m minilm``
(its defaults: 2 worker processes, header deadline 10 s, body deadline 30 s, 64 MiB of bodies
in flight; ``--cache-size 0`` so every normal text is encoded, an API key, and an index of the
STS-B test sentences with a ``topic`` field) takes:

- normal load: ``--concurrency`` closed-loop keep-alive clients, 4 in 5 requests
  ``POST /v1/embeddings`` with one sentence, 1 in 5 ``POST /v1/search`` with a 3-value filter;
- hostile clients, in the "with" rounds only: ``--slow`` connections that announce a
  1,000-byte body and trickle one byte a second; as many that send half a header and wait;
  2 clients looping ``POST /v1/search``, one with a 40,000-value filter (the issue's case, over
  the search body limit) and one with 8,000 values (under the byte limit, over the count of
  1,024, so it is parsed before it is refused); and every 2 s a burst of
  32 connections each announcing a 17 MB body (over the 16 MiB limit) and sending it.

Paired rounds alternate without / with (``--rounds`` of each, ``--seconds`` each); the ratio
of the normal requests' p99 with to without is taken per round and its median (and min-max)
reported. Then a memory check: the server's RSS (the main process, where bodies land) before a
burst of ``--burst`` concurrent 15 MB bodies that are valid JSON with one text over
``--max-chars`` (answered 413 after reading, or 503 at once past the bytes-in-flight cap), the
peak during it, and the RSS ``--settle`` seconds after.

    flock /tmp/embedlab-bench.lock python benchmarks/hostile_clients.py [--rounds 4]
        [--seconds 15] [--concurrency 8] [--burst 64] [--settle 60]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from statistics import median

import numpy as np
import orjson
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encode import stsb_test_sentences, write_section  # noqa: E402
from serve import (  # noqa: E402
    HOST,
    Outcome,
    Request,
    json_request,
    run,
    run_load,
    start_embedlab,
)

KEY = "hostile-bench-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TOPICS = 20


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def build_index(folder: Path, texts: list[str]) -> None:
    import embedlab
    from embedlab.search import Document, Index

    docs = [Document(f"s{i}", t, {"topic": str(i % TOPICS)}) for i, t in enumerate(texts)]
    Index.build(folder, docs, model=embedlab.load("minilm")).close()


def normal_requests(texts: list[str]):
    def make(i: int) -> Request:
        text = texts[i % len(texts)]
        if i % 5 == 4:
            topics = [str((i + j) % TOPICS) for j in range(3)]
            return json_request("/v1/search", {"query": text, "k": 5,
                                               "filter": {"topic": topics}}, AUTH)
        return json_request("/v1/embeddings", {"input": text}, AUTH)
    return make


# -- hostile clients -------------------------------------------------------------------------
def head(port: int, path: str, length: int, extra: str = "") -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}:{port}", "Content-Type: application/json",
             f"Authorization: Bearer {KEY}", f"Content-Length: {length}"]
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def exchange(port: int, data: bytes, body: bytes = b"", trickle: float = 0.0,
                   wait: float = 60.0) -> int:
    """Send ``data`` (then ``body``, byte by byte every ``trickle`` s); the status, 0 if none."""
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        return -1
    try:
        writer.write(data)
        if body and not trickle:
            writer.write(body)  # not drained: the answer may come before the body is taken
        else:
            await writer.drain()

        async def dribble() -> None:
            for i in range(len(body) if trickle else 0):
                await asyncio.sleep(trickle)
                writer.write(body[i:i + 1])
                await writer.drain()

        task = asyncio.create_task(dribble())
        try:
            line = await asyncio.wait_for(reader.readline(), wait)
        finally:
            task.cancel()
        return int(line.split()[1]) if line.startswith(b"HTTP/1.1 ") else 0
    except (TimeoutError, OSError, ValueError, IndexError):
        return 0
    finally:
        writer.close()


KINDS = ("slow", "filters", "bursts")  # the hostile kinds, each can run alone


async def hostile(port: int, stop: asyncio.Event, statuses: Counter[str], slow: int,
                  kinds: tuple[str, ...] = KINDS, pace: dict[str, float] | None = None) -> None:
    """The hostile clients of ``kinds`` against ``port`` until ``stop``; answers counted by
    kind and status. A looping kind named in ``pace`` sends at most that many a second."""
    pace = pace or {}
    huge = orjson.dumps({"query": "a dog", "filter": {"topic": [f"v{i}" for i in range(40_000)]}})
    many = orjson.dumps({"query": "a dog", "filter": {"topic": [f"{i}" for i in range(8_000)]}})
    oversized = b"x" * (17 << 20)

    async def loop(kind: str, once) -> None:
        interval = 1 / pace[kind] if pace.get(kind) else 0.0
        due = time.perf_counter()
        while not stop.is_set():
            if interval:  # at most pace[kind] a second (the ceiling: the same load)
                due += interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            statuses[f"{kind} {await once()}"] += 1

    async def slow_body() -> int:
        return await exchange(port, head(port, "/v1/embeddings", 1000), b'{"input": "' + b"a" * 900,
                              trickle=1.0, wait=60)

    async def half_header() -> int:
        return await exchange(port, f"POST /v1/embeddings HTTP/1.1\r\nHost: {HOST}\r\nCont"
                              .encode(), wait=60)

    async def huge_filter() -> int:
        return await exchange(port, head(port, "/v1/search", len(huge)), huge, wait=60)

    async def many_filter() -> int:
        return await exchange(port, head(port, "/v1/search", len(many)), many, wait=60)

    async def bursts() -> None:
        while not stop.is_set():
            got = await asyncio.gather(*(exchange(port, head(port, "/v1/embeddings",
                                                              len(oversized)), oversized, wait=30)
                                         for _ in range(32)))
            for status in got:
                statuses[f"burst-17MB {status}"] += 1
            try:
                await asyncio.wait_for(stop.wait(), 2.0)
            except TimeoutError:
                pass

    tasks = []
    if "slow" in kinds:
        tasks += [asyncio.create_task(loop("slow-body", slow_body)) for _ in range(slow)]
        tasks += [asyncio.create_task(loop("half-header", half_header)) for _ in range(slow)]
    if "filters" in kinds:
        tasks.append(asyncio.create_task(loop("filter-40000", huge_filter)))
        tasks.append(asyncio.create_task(loop("filter-8000", many_filter)))
    if "bursts" in kinds:
        tasks.append(asyncio.create_task(bursts()))
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def attack(port: int, seconds: float, slow: int, kinds: tuple[str, ...] = KINDS,
                 pace: dict[str, float] | None = None) -> None:
    """The hostile clients for ``seconds`` (in a process of their own); on stdout, one JSON
    line: their answers' counts and this process's CPU seconds (user + system) while attacking.
    """
    start = psutil.Process().cpu_times()
    stop = asyncio.Event()
    statuses: Counter[str] = Counter()
    task = asyncio.create_task(hostile(port, stop, statuses, slow, kinds, pace))
    await asyncio.sleep(seconds)
    stop.set()
    await task
    cpu = psutil.Process().cpu_times()
    used = cpu.user + cpu.system - start.user - start.system
    print(orjson.dumps({"statuses": dict(statuses), "cpu_s": used}).decode())


def round_(url: str, port: int, make, concurrency: int, seconds: float, with_hostile: bool,
           slow: int, statuses: Counter[str], kinds: tuple[str, ...] = KINDS,
           cpu: list[float] | None = None, pace: dict[str, float] | None = None,
           on_start=None) -> list[Outcome]:
    """One round of normal load; with the hostile clients (``kinds`` of them, against
    ``port``) in another process if asked (so their work does not delay this process's
    clients and count as the server's latency). Their CPU seconds are appended to ``cpu``.
    """
    child = None
    if with_hostile:
        child = subprocess.Popen([sys.executable, __file__, "--attack", str(port), "--seconds",
                                  str(seconds + 1.5), "--slow", str(slow),
                                  "--kinds", ",".join(kinds),
                                  "--pace", orjson.dumps(pace or {}).decode()],
                                 stdout=subprocess.PIPE, text=True)
        # its imports (torch, via encode.py: ~1.5 s of CPU) must not fall in the measured time
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # let them connect and start holding
    if on_start is not None:
        on_start()  # the normal load starts now
    outcomes, _ = run(run_load(url, make, concurrency, seconds, 10**6))
    if child is not None:
        out, _ = child.communicate(timeout=seconds + 120)
        got = orjson.loads(out.strip().splitlines()[-1])
        statuses.update(got["statuses"])
        if cpu is not None:
            cpu.append(got["cpu_s"])
    return outcomes


def p99(outcomes: list[Outcome]) -> float:
    return float(np.percentile([o.latency for o in outcomes], 99)) * 1000


# -- memory ----------------------------------------------------------------------------------
async def memory_burst(port: int, pid: int, burst: int, settle: float) -> dict[str, object]:
    process = psutil.Process(pid)
    text = b"a" * (15_000_000 - 20)
    body = b'{"input": "' + text + b'"}'
    before = process.memory_info().rss
    peak = before
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    start = time.perf_counter()
    got = await asyncio.gather(*(exchange(port, head(port, "/v1/embeddings", len(body)), body,
                                          wait=120) for _ in range(burst)))
    answered_s = time.perf_counter() - start
    done.set()
    await sampler
    await asyncio.sleep(settle)
    after = process.memory_info().rss
    return {"before": before / 2**20, "peak": peak / 2**20, "after": after / 2**20,
            "statuses": Counter(got), "answered_s": answered_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--slow", type=int, default=32)
    parser.add_argument("--burst", type=int, default=64)
    parser.add_argument("--settle", type=float, default=60.0)
    parser.add_argument("--write", action="store_true", help="write into results.md")
    parser.add_argument("--attack", type=int, help=argparse.SUPPRESS)  # the hostile process
    parser.add_argument("--kinds", default=",".join(KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--pace", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attack:
        print("ready", flush=True)
        run(attack(args.attack, args.seconds, args.slow, tuple(args.kinds.split(",")),
                   orjson.loads(args.pace)))
        return
    load_start = uptime()
    started = time.time()
    texts = stsb_test_sentences()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "idx"
        build_index(folder, texts)
        server = start_embedlab(["--index", str(folder), "--api-key", KEY, "--cache-size", "0"],
                                Path(tmp) / "server.log")
        port = int(server.url.rsplit(":", 1)[1])
        make = normal_requests(texts)
        statuses: Counter[str] = Counter()
        normal: Counter[int] = Counter()
        rows = []
        try:
            run(run_load(server.url, make, args.concurrency, 5.0, 10**6))  # warm-up
            for r in range(args.rounds):
                pair = {}
                for with_hostile in (False, True):
                    outcomes = round_(server.url, port, make, args.concurrency, args.seconds,
                                      with_hostile, args.slow, statuses)
                    normal.update(o.status for o in outcomes)
                    ok = [o for o in outcomes if o.status == 200]
                    pair[with_hostile] = (p99(ok), float(np.median([o.latency for o in ok])) *
                                          1000, len(ok) / args.seconds)
                rows.append(pair)
                print(f"round {r + 1}: without p99 {pair[False][0]:.1f} ms, with "
                      f"{pair[True][0]:.1f} ms", flush=True)
            time.sleep(35)  # the slow clients' connections are gone (body deadline 30 s)
            memory = run(memory_burst(port, server.process.pid, args.burst, args.settle))
            log = server.log.read_text(errors="replace")
        finally:
            server.stop()
    ratios = [p[True][0] / p[False][0] for p in rows]
    load_end = uptime()
    lines = [
        "## Hostile clients (issue 15)",
        "",
        f"Command: `flock /tmp/embedlab-bench.lock python benchmarks/hostile_clients.py "
        f"--rounds {args.rounds} --seconds {args.seconds:g} --concurrency {args.concurrency} "
        f"--slow {args.slow} --burst {args.burst} --settle {args.settle:g} --write`  ",
        f"Machine: {platform.machine()}, {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, no GPU; shared with other agents' "
        "work (noisy: compare within this section only). Server, its 2 worker processes and "
        "every client share the cores.  ",
        f"Run: {time.strftime('%Y-%m-%d %H:%M', time.gmtime(started))} UTC, "
        f"{time.time() - started:.0f} s. Load at start: `{load_start}`; at end: `{load_end}`.  ",
        "Server: `embedlab serve -m minilm --index IDX --api-key K --cache-size 0` (defaults "
        "otherwise), index of the 2552 STS-B test sentences with a `topic` field.  ",
        f"Normal load: {args.concurrency} closed-loop clients, 4/5 embeddings of one sentence, "
        "1/5 searches with a 3-value topic filter. Hostile (the \"with\" rounds): "
        f"{args.slow} slow-body + {args.slow} half-header connections, 2 clients looping "
        "searches with a 40,000-value and an 8,000-value filter, a burst of 32 x 17 MB bodies "
        "every 2 s.",
        "",
        "| round | p99 without (ms) | p99 with (ms) | with / without | p50 without | p50 with "
        "| req/s without | req/s with |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, (pair, ratio) in enumerate(zip(rows, ratios, strict=True)):
        lines.append(f"| {i + 1} | {pair[False][0]:.1f} | {pair[True][0]:.1f} | {ratio:.2f}x | "
                     f"{pair[False][1]:.1f} | {pair[True][1]:.1f} | {pair[False][2]:.0f} | "
                     f"{pair[True][2]:.0f} |")
    server_errors = sum(n for s, n in normal.items() if s >= 500 or s == 0)
    hostile_5xx = sum(n for k, n in statuses.items() if k.split()[1].startswith("5"))
    hostile_500 = sum(n for k, n in statuses.items() if k.split()[1] == "500")
    rss_change = memory["after"] / memory["before"] - 1  # type: ignore[operator]
    lines += [
        "",
        f"**p99 with / without, median over {len(ratios)} paired rounds: "
        f"{median(ratios):.2f}x** (min {min(ratios):.2f}x, max {max(ratios):.2f}x; target "
        "under 2x).  ",
        f"Normal requests' statuses: {dict(sorted(normal.items()))}; 5xx or no answer: "
        f"**{server_errors}**.  ",
        f"Hostile clients' answers (0: closed without one, -1: could not connect): "
        f"{dict(sorted(statuses.items()))}; 500s: **{hostile_500}**, 503 (busy, by design): "
        f"{hostile_5xx - hostile_500}.  ",
        f"Memory: a burst of {args.burst} concurrent 15 MB JSON bodies (one text over "
        f"--max-chars) answered {dict(memory['statuses'])} in {memory['answered_s']:.1f} s; "  # type: ignore[index]
        f"server RSS {memory['before']:.0f} MiB before, peak {memory['peak']:.0f} MiB, "
        f"{memory['after']:.0f} MiB {args.settle:g} s after: **{rss_change:+.1%}** (target "
        "within 10%).  ",
        f"Tracebacks in the server log: {log.count('Traceback')}.",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("hostile", text)


if __name__ == "__main__":
    main()
