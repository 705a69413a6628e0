"""Hostile clients against a real ``embedlab serve`` process on 127.0.0.1 (issue 15).

One server for the module, started with small limits and short deadlines so each case is
quick: bodies from the corpus in ``data/hostile_requests.jsonl`` (lone surrogates, non-JSON
media types, lists and strings over their bounds), huge filters while embeddings are asked
for, slow headers and bodies on raw sockets, requests and bytes in flight, a burst of large
bodies refused before they are read, the Host check and the key on every protected path.
Every socket and request has a timeout, so no case can hang the suite.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from serve_helpers import wait_until_ready

from embedlab.serve.server import bind

KEY = "hostile-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
CORPUS = Path(__file__).parent / "data" / "hostile_requests.jsonl"
HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.5
MAX_BODY = 1 << 20
MAX_REQUESTS = 24
MAX_INFLIGHT = 4 << 20


@contextlib.contextmanager
def running_server(tiny_st_model: Path, index_dir: Path, log: Path,
                   body_timeout: float = BODY_TIMEOUT) -> Iterator[tuple[str, int, int]]:
    """``(base_url, port, pid)`` of a real server process, stopped with SIGINT at the end."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    args = [sys.executable, "-m", "embedlab.serve", "-m", str(tiny_st_model), "--index",
            str(index_dir), "--port", str(port), "--threads", "--workers", "1",
            "--api-key", KEY, "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout",
            str(body_timeout), "--max-body-bytes", str(MAX_BODY), "--max-requests",
            str(MAX_REQUESTS), "--max-inflight-bytes", str(MAX_INFLIGHT), "--log-level",
            "warning"]
    with open(log, "w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(proc, url, log)
        yield url, port, proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    text = log.read_text()
    assert "Traceback" not in text, text


@pytest.fixture(scope="module")
def server(tiny_st_model: Path, index_dir: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, int, int]]:
    """The server most tests share (short header and body deadlines)."""
    log = tmp_path_factory.mktemp("hostile") / "server.log"
    with running_server(tiny_st_model, index_dir, log) as running:
        yield running


def raw(port: int, data: bytes, *, timeout: float = 10.0, then: bytes = b"") -> tuple[int, bool]:
    """Send ``data`` (then ``then``), read the answer: ``(status or 0, closed by the server)``.

    Status 0: the server closed the connection without an answer.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        if data:
            s.sendall(data)
        if then:
            s.sendall(then)
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
        else:
            return _status(received), False
    return _status(received), True


def _status(received: bytes) -> int:
    if not received.startswith(b"HTTP/1.1 "):
        return 0
    return int(received[9:12])


def head(path: str, length: int | str | None, port: int, *, extra: str = "",
         auth: bool = True) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
             "Content-Type: application/json"]
    if auth:
        lines.append(f"Authorization: Bearer {KEY}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def corpus() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("case", corpus(), ids=lambda c: f"{c['path']}-{c['code']}-{c['param']}")
def test_the_corpus_gets_4xx_naming_the_field(server: tuple[str, int, int],
                                              case: dict[str, Any]) -> None:
    url, _, _ = server
    r = httpx.post(url + case["path"], content=case["body"].encode("utf-8"), timeout=30,
                   headers={**AUTH, "Content-Type": case["content_type"]})
    assert r.status_code == case["status"], r.text
    error = r.json()["error"]
    if case["code"]:
        assert error["code"] == case["code"], error
    if case["param"]:
        assert error["param"] == case["param"] and case["param"] in error["message"], error


def test_a_huge_filter_is_refused_and_embeddings_go_on(server: tuple[str, int, int]) -> None:
    url, _, _ = server
    huge = {"query": "park", "filter": {"topic": [f"v{i}" for i in range(40_000)]}}
    answers: list[httpx.Response] = []

    def search() -> None:
        answers.append(httpx.post(url + "/v1/search", json=huge, headers=AUTH, timeout=30))

    threads = [threading.Thread(target=search) for _ in range(2)]
    for t in threads:
        t.start()
    ok = httpx.post(url + "/v1/embeddings", json={"input": "a dog"}, headers=AUTH, timeout=30)
    for t in threads:
        t.join(60)
    assert ok.status_code == 200
    # 40,000 values do not fit the search body limit: refused before the body is read
    assert [r.status_code for r in answers] == [413, 413]
    assert "--max-search-bytes" in answers[0].json()["error"]["message"]
    # under the byte limit, over the count: refused before the values are validated
    many = {"query": "park", "filter": {"topic": [f"{i}" for i in range(5000)]}}
    r = httpx.post(url + "/v1/search", json=many, headers=AUTH, timeout=30)
    error = r.json()["error"]
    assert r.status_code == 422 and error["param"] == "filter"
    assert "at most 1024" in error["message"] and "5000 for 'topic'" in error["message"]
    # at the bound it is searched, and filters still work
    near = {"query": "park", "filter": {"topic": ["animal"] + [f"v{i}" for i in range(1023)]}}
    r = httpx.post(url + "/v1/search", json=near, headers=AUTH, timeout=30)
    assert r.status_code == 200 and {h["id"] for h in r.json()["data"]} <= {"d1", "d2"}


def test_silent_and_half_sent_headers_are_closed(server: tuple[str, int, int]) -> None:
    _, port, _ = server
    assert raw(port, b"") == (0, True)
    assert raw(port, b"POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le") == \
        (0, True)


def test_a_keep_alive_connection_with_half_a_second_request_is_closed(
        server: tuple[str, int, int]) -> None:
    _, port, _ = server
    first = (f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").encode()
    status, closed = raw(port, first, then=b"GET /health HTTP/1.1\r\nHo")
    assert status == 200 and closed


def test_short_and_unfinished_bodies_are_408_and_closed(server: tuple[str, int, int]) -> None:
    _, port, _ = server
    assert raw(port, head("/v1/embeddings", 100, port) + b'{"input": ') == (408, True)
    chunked = head("/v1/search", None, port, extra="Transfer-Encoding: chunked")
    assert raw(port, chunked + b'5\r\n{"que\r\n') == (408, True)


def test_the_key_is_checked_before_the_body_is_read(server: tuple[str, int, int]) -> None:
    _, port, _ = server
    # the body never comes: without the key, the answer is 401 (not the body deadline's 408)
    assert raw(port, head("/v1/embeddings", 1000, port, auth=False)) == (401, True)
    assert raw(port, head("/v1/embeddings", 1000, port) + b"{") == (408, True)


def test_requests_in_flight_are_bounded(server: tuple[str, int, int]) -> None:
    _, port, _ = server
    held = []
    try:
        for _ in range(MAX_REQUESTS):  # each announces a small body and sends none of it
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(head("/v1/embeddings", 10, port))
            held.append(s)
        time.sleep(0.2)  # let the server take them all in (they wait on their bodies)
        assert raw(port, head("/v1/embeddings", 2, port) + b"{}") == (503, True)
    finally:
        for s in held:
            s.close()


def test_bytes_in_flight_are_bounded(tiny_st_model: Path, index_dir: Path,
                                     tmp_path: Path) -> None:
    # a server of its own with a long body deadline: under load, the shared server's 1.5 s
    # deadline could close the held bodies before the probe reaches it
    with running_server(tiny_st_model, index_dir, tmp_path / "server.log",
                        body_timeout=60) as (_, port, _):
        _hold_every_byte_in_flight(port)


def _hold_every_byte_in_flight(port: int) -> None:
    held = []
    try:
        for _ in range(MAX_INFLIGHT // MAX_BODY):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(head("/v1/embeddings", MAX_BODY, port) + b'{"input": "')
            held.append(s)
        # the server admits the held bodies as it reads their headers (later under load):
        # a small, complete request is refused once they hold every byte in flight
        deadline = time.monotonic() + 10
        probe = head("/v1/embeddings", 2, port, extra="Connection: close") + b"{}"
        while (answer := raw(port, probe)) != (503, True):
            assert time.monotonic() < deadline, answer
            time.sleep(0.1)
    finally:
        for s in held:
            s.close()
    # once they are gone (closed, or timed out), bodies are admitted again
    deadline = time.monotonic() + 10
    while raw(port, head("/v1/embeddings", 2, port, extra="Connection: close") + b"{}")[0] \
            == 503:
        assert time.monotonic() < deadline


def test_a_burst_of_large_bodies_is_413_and_costs_no_memory(
        server: tuple[str, int, int]) -> None:
    _, port, pid = server
    process = psutil.Process(pid)
    before = process.memory_info().rss
    body = b"x" * (15 << 20)
    statuses: list[int] = []

    def send() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(head("/v1/embeddings", len(body), port))
            try:
                s.sendall(body)
            except OSError:
                pass  # the server answered and closed before the body was read
            try:
                statuses.append(_status(s.recv(4096)))
            except OSError:
                statuses.append(0)

    threads = [threading.Thread(target=send) for _ in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses and set(statuses) <= {413, 0}
    assert statuses.count(413) >= len(statuses) // 2
    assert process.memory_info().rss < before * 1.1 + (16 << 20)


def test_the_host_header_is_checked(server: tuple[str, int, int]) -> None:
    url, port, _ = server
    r = httpx.get(url + "/v1/models", headers={**AUTH, "Host": "evil.example"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_host"
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "LOCALHOST"):
        assert httpx.get(url + "/v1/models", headers={**AUTH, "Host": host},
                         timeout=10).status_code == 200


def test_metrics_and_the_api_description_need_the_key(server: tuple[str, int, int]) -> None:
    url, _, _ = server
    for path in ("/metrics", "/docs", "/openapi.json", "/v1/models"):
        r = httpx.get(url + path, timeout=10)
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        assert httpx.get(url + path, headers=AUTH, timeout=10).status_code == 200
    assert httpx.get(url + "/health", timeout=10).status_code == 200


def test_no_answer_was_a_server_error(server: tuple[str, int, int]) -> None:
    url, _, _ = server
    metrics = httpx.get(url + "/metrics", headers=AUTH, timeout=10).text
    lines = [line for line in metrics.splitlines() if 'status="5' in line
             and 'status="503"' not in line and not line.startswith("#")]
    assert all(line.rstrip().endswith(" 0.0") for line in lines), lines
