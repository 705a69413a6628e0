"""Interaction and item files in every layout the loaders take, and each bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedlab.data.interaction_files import ML100K_GENRES
from embedlab.data.interactions import (
    describe,
    find_pair,
    items_file_beside,
    join,
    load_interactions,
    load_items,
    load_recommendation_data,
)
from embedlab.errors import EmbedlabError

ROWS = [("u1", "a", 5, 10), ("u1", "b", 3, 20), ("u2", "a", 4, 30), ("u2", "c", 1, 40)]


def pairs(data) -> set[tuple[str, str]]:
    return {(data.user_ids[u], data.item_ids[i]) for u, i in zip(data.users, data.items,
                                                                 strict=True)}


def write_csv(path: Path, rows=ROWS, header="user,item,rating,timestamp", sep=",") -> Path:
    lines = [header.replace(",", sep)] + [sep.join(str(c) for c in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix,sep", [(".csv", ","), (".tsv", "\t")])
def test_delimited_with_header(tmp_path: Path, suffix: str, sep: str) -> None:
    data = load_interactions(write_csv(tmp_path / f"x{suffix}", sep=sep))
    assert pairs(data) == {(u, i) for u, i, _, _ in ROWS}
    assert sorted(data.ratings.tolist()) == [1, 3, 4, 5]
    assert data.timestamps is not None and data.duplicates == 0


def test_parquet_and_json_lines(tmp_path: Path) -> None:
    table = pa.table({"userId": [r[0] for r in ROWS], "movieId": [r[1] for r in ROWS],
                      "rating": [float(r[2]) for r in ROWS]})
    pq.write_table(table, tmp_path / "x.parquet")
    data = load_interactions(tmp_path / "x.parquet")
    assert pairs(data) == {(u, i) for u, i, _, _ in ROWS} and data.timestamps is None
    lines = [json.dumps({"user_id": u, "item_id": i}) for u, i, _, _ in ROWS]
    (tmp_path / "x.jsonl").write_text("\n".join(lines), encoding="utf-8")
    assert pairs(load_interactions(tmp_path / "x.jsonl")) == pairs(data)


def test_min_rating_keeps_the_well_rated(tmp_path: Path) -> None:
    data = load_interactions(write_csv(tmp_path / "x.csv"), min_rating=4)
    assert pairs(data) == {("u1", "a"), ("u2", "a")}
    assert data.below_min_rating == 2
    assert "2 below --min-rating dropped" in describe(data)


def test_duplicates_merged_keeping_the_latest(tmp_path: Path) -> None:
    rows = [*ROWS, ("u1", "a", 2, 50), ("u1", "a", 1, 5)]
    data = load_interactions(write_csv(tmp_path / "x.csv", rows))
    assert data.duplicates == 2 and len(data) == 4
    row = next(k for k, (u, i) in enumerate(zip(data.users, data.items, strict=True))
               if data.user_ids[u] == "u1" and data.item_ids[i] == "a")
    assert data.ratings[row] == 2 and data.timestamps[row] == 50


def test_iso_dates_as_timestamps(tmp_path: Path) -> None:
    rows = [("u1", "a", "2024-01-02"), ("u1", "b", "2023-05-01")]
    data = load_interactions(write_csv(tmp_path / "x.csv", rows, "user,item,date"))
    first = data.user_items(0)
    assert [data.item_ids[i] for i in first] == ["b", "a"]


def test_movielens_100k_layout(tmp_path: Path) -> None:
    (tmp_path / "u.data").write_text("1\t10\t5\t881250949\n2\t20\t3\t891717742\n"
                                     "1\t20\t4\t878887116\n", encoding="utf-8")
    flags = ["0"] * len(ML100K_GENRES)
    flags[ML100K_GENRES.index("Comedy")] = "1"
    flags[ML100K_GENRES.index("Drama")] = "1"
    lines = [f"10|Café Society (1995)|01-Jan-1995||http://x|{'|'.join(flags)}",
             f"20|Toy Story (1995)|01-Jan-1995||http://y|{'|'.join(['0'] * 19)}"]
    (tmp_path / "u.item").write_bytes("\n".join(lines).encode("latin-1"))
    inter, items = find_pair(tmp_path)
    assert inter.name == "u.data" and items.name == "u.item"
    data, catalogue = load_recommendation_data(tmp_path)
    assert catalogue.fields["title"][0] == "Café Society (1995)"
    assert catalogue.fields["genres"] == ["Comedy|Drama", ""]
    assert pairs(data) == {("1", "10"), ("2", "20"), ("1", "20")}
    assert data.ratings is not None and data.timestamps is not None


def test_movielens_latest_and_1m_layouts(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n"
                                          "2,3,4.5,964981247\n", encoding="utf-8")
    (tmp_path / "movies.csv").write_text('movieId,title,genres\n1,"Toy Story (1995)",'
                                         "Adventure|Animation\n3,Heat (1995),Action\n",
                                         encoding="utf-8")
    data, items = load_recommendation_data(tmp_path)
    assert pairs(data) == {("1", "1"), ("2", "3")} and items.fields["genres"][0] == \
        "Adventure|Animation"
    one_m = tmp_path / "1m"
    one_m.mkdir()
    (one_m / "ratings.dat").write_text("1::1193::5::978300760\n1::661::3::978302109\n",
                                       encoding="utf-8")
    (one_m / "movies.dat").write_bytes("1193::One Flew (1975)::Drama\n661::Pêche (1996)::"
                                       "Animation|Children's\n".encode("latin-1"))
    data, items = load_recommendation_data(one_m)
    assert pairs(data) == {("1", "1193"), ("1", "661")}
    assert items.fields["title"][1] == "Pêche (1996)"


def test_recbole_atomic_files(tmp_path: Path) -> None:
    (tmp_path / "ml.inter").write_text("user_id:token\titem_id:token\trating:float\t"
                                       "timestamp:float\n196\t242\t3\t881250949\n186\t302\t3\t"
                                       "891717742\n", encoding="utf-8")
    (tmp_path / "ml.item").write_text("item_id:token\tmovie_title:token_seq\tclass:token_seq\n"
                                      "242\tKolya\tComedy\n302\tL.A. Confidential\tCrime Film-Noir"
                                      "\n", encoding="utf-8")
    assert items_file_beside(tmp_path / "ml.inter") == tmp_path / "ml.item"
    data, items = load_recommendation_data(tmp_path / "ml.inter", fields=["title", "genres"])
    assert pairs(data) == {("196", "242"), ("186", "302")}
    assert items.fields == {"title": ["Kolya", "L.A. Confidential"],
                            "genres": ["Comedy", "Crime Film-Noir"]}


def test_interactions_naming_missing_items_are_counted(tmp_path: Path) -> None:
    data = load_interactions(write_csv(tmp_path / "x.csv"))
    (tmp_path / "items.csv").write_text("item,title\na,A\nb,B\n", encoding="utf-8")
    joined = join(data, load_items(tmp_path / "items.csv", ["title"]))
    assert joined.missing_items == 1 and joined.missing_item_ids == ["c"]
    assert pairs(joined) == {("u1", "a"), ("u1", "b"), ("u2", "a")}
    assert "1 naming 1 items missing from the items file dropped (e.g. 'c')" in \
        describe(joined)
    (tmp_path / "other.csv").write_text("item,title\nz,Z\n", encoding="utf-8")
    with pytest.raises(EmbedlabError, match="none of its items is in"):
        join(data, load_items(tmp_path / "other.csv", ["title"]))


@pytest.mark.parametrize("content,kwargs,match", [
    ("", {}, "empty"),
    ("user,item\n", {}, "no rows"),
    ("who,what\nu1,a\n", {}, "expected user and item columns"),
    ("user,item,rating\nu1,a,good\n", {}, "not a number: 'good'"),
    ("user,item\nu1,a\n", {"min_rating": 3}, "--min-rating needs a rating column"),
    ("user,item,rating\nu1,a,1\n", {"min_rating": 3}, "no interaction is rated"),
    ("user,item\nu1,\n", {}, "row 1 has an empty user or item"),
    ("user,item\nu1,a,extra\n", {}, "has 3 fields, expected 2"),
    ("user,item\nu1,a\n", {"user_field": "customer"}, "no user column 'customer'"),
])
def test_bad_interaction_files(tmp_path: Path, content: str, kwargs: dict, match: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EmbedlabError, match=match) as info:
        load_interactions(path, **kwargs)
    assert "\n" not in str(info.value)


def test_non_utf8_interactions_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"user,item\nu1,caf\xe9\n")
    with pytest.raises(EmbedlabError, match="line 2 is not valid UTF-8"):
        load_interactions(path)


def test_bad_item_files(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("item,title\na,A\na,B\n", encoding="utf-8")
    with pytest.raises(EmbedlabError, match="item id 'a' appears more than once"):
        load_items(path, ["title"])
    with pytest.raises(EmbedlabError, match="no field 'description'"):
        load_items(path, ["description"])
    with pytest.raises(EmbedlabError, match="cannot tell which items file"):
        find_pair(write_csv(tmp_path / "x.csv"))
    with pytest.raises(EmbedlabError, match="no interactions file"):
        find_pair(tmp_path)


def test_user_items_oldest_first(tmp_path: Path) -> None:
    rows = [("u1", "b", 1, 30), ("u1", "a", 1, 10), ("u1", "c", 1, 20)]
    data = load_interactions(write_csv(tmp_path / "x.csv", rows))
    assert [data.item_ids[i] for i in data.user_items(0)] == ["a", "c", "b"]
    assert np.issubdtype(data.users.dtype, np.integer)
