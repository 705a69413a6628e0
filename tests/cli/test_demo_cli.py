"""``embedlab demo`` as a user runs it (needs the real default model)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedlab", *args], input=stdin,
                          capture_output=True, timeout=300)


@pytest.mark.real_model
def test_demo_prints_neighbours():
    proc = run("demo", "-k", "2")
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode()
    assert "bushfires threaten homes near Sydney" in text
    assert "1. " in text and "2. " in text
