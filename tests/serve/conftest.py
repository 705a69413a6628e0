"""Fixtures for the server tests: the tiny model, loaded once (helpers: ``serve_helpers``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def tiny_embedder(tiny_st_model: Path) -> Any:
    import embedlab

    return embedlab.load(str(tiny_st_model), cache_dir=False)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory, tiny_embedder: Any) -> Path:
    """An index of ``serve_helpers.DOCS`` built with the tiny model."""
    from serve_helpers import DOCS

    from embedlab.search import Index

    folder = tmp_path_factory.mktemp("serve-index") / "idx"
    Index.build(folder, DOCS, model=tiny_embedder).close()
    return folder
