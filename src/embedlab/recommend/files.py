"""From files to a model folder and back: what the ``embedlab recommend`` commands call.

In: paths (interactions, items, the model folder) and options. Out: the folder written
(:func:`fit_files`, with a one-line summary of what loading kept and dropped), items added
(:func:`add_item_file`), or recommendations (:func:`ask`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from embedlab.data.interactions import (
    describe,
    items_file_beside,
    join,
    load_interactions,
    load_items,
)
from embedlab.errors import EmbedlabError
from embedlab.recommend.collab import CollabConfig
from embedlab.recommend.content import parse_fields
from embedlab.recommend.fit import FitConfig, fit_recommender
from embedlab.recommend.model import Recommendation, Recommender
from embedlab.recommend.store import add_items, check_out, save


def fit_files(interactions: str | Path, items: str | Path | None, model: str, out: str | Path,
              *, fields: str | None = None, min_rating: float | None = None,
              alpha: float | None = None, profile: str = "mean", factors: int = 64,
              iterations: int = 20, algorithm: str = "als", progress: bool = False
              ) -> dict[str, Any]:
    """Fit a recommender on the files and write it to ``out``; a summary of the run.

    ``items`` None: the catalogue beside a MovieLens or RecBole interactions file; ``fields``
    None: the title, genres and description fields the catalogue has."""
    from embedlab.registry import load as load_model

    out = check_out(out)
    if items is None:
        items = items_file_beside(interactions)
        if items is None:
            raise EmbedlabError(f"{interactions}: give the items file with --items")
    if fields is None:  # the title, genres and description fields the file has
        catalogue = load_items(items)
        if not catalogue.fields:
            raise EmbedlabError(f"{items}: no title, genres or description field; name the "
                                "fields with --fields")
        specs = parse_fields(list(catalogue.fields))
    else:
        specs = parse_fields(fields)
        catalogue = load_items(items, [f.name for f in specs])
    data = load_interactions(interactions, min_rating=min_rating)
    joined = join(data, catalogue)
    start = time.perf_counter()
    embedder = load_model(model)
    config = FitConfig(specs, CollabConfig(algorithm=algorithm, factors=factors,
                                           iterations=iterations),
                       profile=profile, alpha=alpha)
    rec = fit_recommender(joined, catalogue, embedder, config, model_name=model,
                          progress=progress)
    rec.manifest["loaded"] = describe(joined)
    save(rec, out)
    return {"out": str(out), "loaded": describe(joined), "seconds": time.perf_counter() - start,
            **rec.describe()}


def add_item_file(folder: str | Path, items: str | Path, *, progress: bool = False
                  ) -> dict[str, Any]:
    """Add the items of a file to the model in ``folder`` (its fields as at fitting)."""
    from embedlab.recommend.store import load

    rec = load(folder)
    catalogue = load_items(items, [f.name for f in rec.encoder.fields])
    return add_items(folder, catalogue, progress=progress)


def ask(rec: Recommender, *, user: str | None = None, item: str | None = None,
        history: list[str] | None = None, k: int = 10, exclude_seen: bool = False
        ) -> list[Recommendation]:
    """Recommendations for exactly one question: a known ``user``, items like ``item``, or a
    new user's ``history`` (its items are never recommended back)."""
    asked = [name for name, value in (("user", user), ("item", item), ("history", history))
             if value is not None]
    if len(asked) != 1:
        raise EmbedlabError("ask exactly one of --user, --item or --history"
                            + (f" (got {', '.join(asked)})" if asked else ""))
    if k < 1:
        raise EmbedlabError(f"k must be at least 1, got {k}")
    if user is not None:
        return rec.for_user(user, k, exclude_seen=exclude_seen)
    if item is not None:
        return rec.similar(item, k)
    return rec.for_history([h for h in (history or []) if h], k)
