"""Fixtures for search tests: a fast bag-of-words embedder and a small corpus with metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from search_helpers import HashEmbedder, corpus_records


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in corpus_records()), encoding="utf-8")
    return path
