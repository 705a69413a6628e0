"""``serve`` as a command: settings checks, the port, and a real process started and stopped."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from serve_helpers import wait_until_ready

from embedlab.errors import EmbedlabError
from embedlab.serve.guard import host_allowed, host_name
from embedlab.serve.server import bind
from embedlab.serve.settings import ServeSettings, hosts_from


def test_settings_are_checked() -> None:
    with pytest.raises(EmbedlabError, match="--max-items"):
        ServeSettings(max_items=10, max_queue=5)
    with pytest.raises(EmbedlabError, match="--max-wait-ms"):
        ServeSettings(max_wait_ms=-1)
    with pytest.raises(EmbedlabError, match="--max-batch-tokens"):
        ServeSettings(max_batch_tokens=0)
    with pytest.raises(EmbedlabError, match="empty"):
        ServeSettings(api_keys=("",))
    with pytest.raises(EmbedlabError, match="--max-items can be at most 100000"):
        ServeSettings(max_items=200_000, max_queue=300_000)
    with pytest.raises(EmbedlabError, match="--max-inflight-bytes"):
        ServeSettings(max_body_bytes=100, max_inflight_bytes=99)
    with pytest.raises(EmbedlabError, match="--body-timeout must be more than 0"):
        ServeSettings(body_timeout_s=0)
    with pytest.raises(EmbedlabError, match="--allowed-hosts"):
        ServeSettings(allowed_hosts=())


def test_allowed_hosts_follow_the_bound_address() -> None:
    assert set(hosts_from(None, "127.0.0.1")) == {"localhost", "127.0.0.1", "::1"}
    assert set(hosts_from(None, "::1")) == {"localhost", "127.0.0.1", "::1"}
    assert hosts_from(None, "0.0.0.0") == ("*",) and hosts_from(None, "::") == ("*",)
    assert hosts_from(None, "10.1.2.3") == ("10.1.2.3",)
    assert hosts_from(["a.example, *.b.example", "a.example"], "127.0.0.1") == \
        ("a.example", "*.b.example")


@pytest.mark.parametrize("header, allowed, ok", [
    (b"localhost:8000", ("localhost",), True),
    (b"LocalHost", ("localhost",), True),
    (b"[::1]:8000", ("::1",), True),
    (b"evil.example:8000", ("localhost", "127.0.0.1"), False),
    (b"", ("localhost",), False),
    (b"api.b.example", ("*.b.example",), True),
    (b"b.example.evil", ("*.b.example",), False),
    (b"anything", ("*",), True),
])
def test_host_names_are_matched(header: bytes, allowed: tuple[str, ...], ok: bool) -> None:
    assert host_allowed(host_name(header), allowed) is ok


def test_a_busy_port_is_a_one_line_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmbedlabError, match=f"cannot listen on 127.0.0.1:{port}"):
            bind("127.0.0.1", port)
        done = subprocess.run([sys.executable, "-m", "embedlab.serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(
        f"error: cannot listen on 127.0.0.1:{port}")


def test_the_process_serves_then_stops_on_sigint(tiny_st_model: Path, index_dir: Path,
                                                 tmp_path: Path) -> None:
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "embedlab.serve", "-m", str(tiny_st_model),
                                 "--index", str(index_dir), "--port", str(port), "--api-key",
                                 "k", "--max-items", "3"], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(proc, url, log)
        auth = {"Authorization": "Bearer k"}
        r = httpx.post(url + "/v1/embeddings", json={"input": ["a dog", "a cat"]}, headers=auth)
        assert r.status_code == 200 and len(r.json()["data"]) == 2
        assert httpx.post(url + "/v1/embeddings", json={"input": ["a"] * 4},
                          headers=auth).status_code == 413
        assert httpx.post(url + "/v1/embeddings", json={"input": "a"}).status_code == 401
        hits = httpx.post(url + "/v1/search", json={"query": "guitar", "k": 2}, headers=auth)
        assert hits.status_code == 200 and len(hits.json()["data"]) == 2
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(60)
    assert code == 0, log.read_text()
    assert f"on http://127.0.0.1:{port}" in log.read_text()
