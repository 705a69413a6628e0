"""A recommender fitted on two clusters of taste: its answers, its folder, new items, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedlab.errors import EmbedlabError
from embedlab.recommend import load, save
from embedlab.recommend.files import add_item_file, ask, fit_files
from embedlab.recommend.fit import ALPHA_GRID


def cluster(item: str) -> int:
    return int(item[1:]) % 2


def test_known_users_get_their_cluster(fitted: Any) -> None:
    for user in ("u00", "u01", "u06", "u13"):
        got = fitted.for_user(user, 5, exclude_seen=True)
        assert len(got) == 5
        assert all(cluster(r.item) == int(user[1:]) % 2 for r in got), (user, got)
        seen = {fitted.item_ids[i] for i in fitted.history(fitted.user_row(user))}
        assert not seen & {r.item for r in got}
        assert [r.score for r in got] == sorted((r.score for r in got), reverse=True)
    with_seen = fitted.for_user("u00", 40)
    seen = {fitted.item_ids[i] for i in fitted.history(fitted.user_row("u00"))}
    assert seen & {r.item for r in with_seen}


def test_items_without_interactions_get_factors_and_are_recommended(fitted: Any) -> None:
    cold = [i for i, w in zip(fitted.item_ids, fitted.warm, strict=True) if not w]
    assert cold == [f"i{i}" for i in range(40, 48)]
    rows = fitted.item_rows(cold)
    assert np.abs(fitted.factors[rows]).sum() > 0  # from the content map, not zeros
    music = fitted.scores(fitted.user_row("u00"), fitted.history(fitted.user_row("u00")), rows)
    even = np.array([cluster(i) == 0 for i in cold])
    assert music[even].min() > music[~even].max()


def test_history_of_a_new_user(fitted: Any) -> None:
    got = fitted.for_history(["i01", "i03", "i05"], 6)
    assert all(cluster(r.item) == 1 for r in got)
    assert not {"i01", "i03", "i05"} & {r.item for r in got}
    with pytest.raises(EmbedlabError, match="history is empty"):
        fitted.for_history([], 5)
    with pytest.raises(EmbedlabError, match="unknown item.*'nope'"):
        fitted.for_history(["i01", "nope"], 5)


def test_similar_items(fitted: Any) -> None:
    got = fitted.similar("i02", 5)
    assert "i02" not in {r.item for r in got}
    assert all(cluster(r.item) == 0 for r in got)


def test_alpha_tuned_on_a_validation_split(fitted: Any) -> None:
    tuning = fitted.manifest["tuning"]
    assert fitted.alpha_warm in ALPHA_GRID and fitted.alpha_cold in ALPHA_GRID
    curve = tuning["validation_warm_ndcg@20"]
    assert len(curve) == len(ALPHA_GRID) and curve[ALPHA_GRID.index(fitted.alpha_warm)] == \
        max(curve)
    assert tuning["validation_users"] > 0 and tuning["validation_cold_users"] > 0


def test_ask_one_question(fitted: Any) -> None:
    assert ask(fitted, user="u00", k=3) == fitted.for_user("u00", 3)
    for kwargs, match in [({}, "exactly one"), ({"user": "u00", "item": "i00"}, "got user, "
                                                                                 "item"),
                          ({"user": "zz"}, "unknown user 'zz'"),
                          ({"item": "zz"}, "unknown item"), ({"user": "u00", "k": 0}, "k must")]:
        with pytest.raises(EmbedlabError, match=match):
            ask(fitted, **kwargs)


def test_users_without_interactions(rec_files: tuple[Path, Path], tiny_st_model: Path,
                                    tmp_path: Path) -> None:
    # u30 rated one item below --min-rating; u31 only an item the catalogue lacks
    inter = tmp_path / "inter.csv"
    inter.write_text(rec_files[0].read_text() + "u30,i00,1,999\nu31,gone,5,1000\n",
                     encoding="utf-8")
    summary = fit_files(inter, rec_files[1], str(tiny_st_model), tmp_path / "m", min_rating=4,
                        alpha=0.5, factors=4, iterations=2)
    assert "1 naming 1 items missing from the items file dropped (e.g. 'gone')" in \
        summary["loaded"]
    rec = load(tmp_path / "m")
    with pytest.raises(EmbedlabError, match="unknown user 'u30'"):
        rec.for_user("u30")
    with pytest.raises(EmbedlabError, match="user 'u31' has no interactions the model kept"):
        rec.for_user("u31")


def test_folder_round_trip_and_add_items(fitted: Any, tmp_path: Path) -> None:
    out = save(fitted, tmp_path / "rec")
    again = load(out)
    for user in ("u00", "u07"):
        assert again.for_user(user, 5) == fitted.for_user(user, 5)
    assert again.for_history(["i01"], 4) == fitted.for_history(["i01"], 4)
    before = (out / "items.npz").read_bytes()
    new = tmp_path / "new.csv"
    new.write_text("item,title,genres\nn1,the guitar music,Music|Band\n"
                   "n2,the dog park,Animal|Pets|Zoo\n", encoding="utf-8")
    counts = add_item_file(out, new)  # the embedding model is loaded from the manifest
    assert counts == {"added": 2, "items": 50, "unknown_categories": 1}
    assert (out / "items.npz").read_bytes() != before
    grown = load(out)
    assert grown.item_ids[-2:] == ["n1", "n2"] and not grown.warm[-2:].any()
    scores = grown.scores(grown.user_row("u00"), grown.history(grown.user_row("u00")),
                          grown.item_rows(["n1", "n2"]))
    assert scores[0] > scores[1]  # the music user prefers the new music item
    assert all(cluster(r.item) == 0 for r in grown.similar("n1", 3) if r.item[0] == "i")
    with pytest.raises(EmbedlabError, match="already in the model"):
        add_item_file(out, new)
    with pytest.raises(EmbedlabError, match="already exists and is not empty"):
        save(fitted, out)
    with pytest.raises(EmbedlabError, match="not a recommender folder"):
        load(tmp_path)


def test_fit_files_end_to_end(rec_files: tuple[Path, Path], tiny_st_model: Path,
                              tmp_path: Path) -> None:
    inter, items = rec_files
    summary = fit_files(inter, items, str(tiny_st_model), tmp_path / "m", min_rating=4,
                        alpha=0.25, factors=8, iterations=5)
    assert summary["items"] == 48 and summary["warm_items"] == 40 and summary["users"] == 30
    assert summary["alpha_warm"] == summary["alpha_cold"] == 0.25
    assert "below --min-rating dropped" in summary["loaded"]
    rec = load(tmp_path / "m")
    assert rec.manifest["tuning"] == {"alpha": "given"}
    with pytest.raises(EmbedlabError, match="give the items file"):
        fit_files(inter, None, str(tiny_st_model), tmp_path / "m2")
