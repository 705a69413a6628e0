"""Fixtures for the recommender tests: the tiny model and one recommender fitted on the
synthetic clusters of ``rec_files`` (ratings >= 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def rec_embedder(tiny_st_model: Path) -> Any:
    import embedlab

    return embedlab.load(str(tiny_st_model), cache_dir=False)


@pytest.fixture(scope="session")
def rec_data(rec_files: tuple[Path, Path]) -> Any:
    from embedlab.data.interactions import join, load_interactions, load_items

    inter, items_path = rec_files
    items = load_items(items_path, ["title", "genres"])
    return join(load_interactions(inter, min_rating=4), items), items


@pytest.fixture(scope="session")
def fitted(rec_data: Any, rec_embedder: Any, tiny_st_model: Path) -> Any:
    from embedlab.recommend import FitConfig, fit_recommender
    from embedlab.recommend.collab import CollabConfig
    from embedlab.recommend.content import parse_fields

    data, items = rec_data
    config = FitConfig(parse_fields("title,genres"), CollabConfig(factors=8, iterations=10))
    return fit_recommender(data, items, rec_embedder, config, model_name=str(tiny_st_model))
