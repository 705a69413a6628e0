"""Recommender data: who interacted with what (and how much, and when), and the item catalogue.

In: an interactions file and an items file in any layout of
:mod:`embedlab.data.interaction_files`. Out: :class:`Interactions` (integer-coded users and
items, ratings and timestamps when the file has them; duplicate ``(user, item)`` rows merged into
one, keeping the latest, and counted) and :class:`Items` (ids and the text of chosen fields).
:func:`join` keeps the interactions whose item the catalogue has and counts the others.
:func:`items_file_beside` finds the catalogue that goes with a MovieLens or RecBole
interactions file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from embedlab.data.columns import pick_column
from embedlab.data.interaction_files import read_columns
from embedlab.errors import EmbedlabError

USER_NAMES = ("user", "user_id", "userid", "uid", "customer_id", "visitor_id", "reviewer_id",
              "reviewerid", "session_id")
ITEM_NAMES = ("item", "item_id", "itemid", "iid", "movie_id", "movieid", "product_id",
              "productid", "asin", "article_id", "track_id", "book_id", "isbn", "id", "_id")
RATING_NAMES = ("rating", "ratings", "score", "stars", "value", "weight", "count", "plays")
TIME_NAMES = ("timestamp", "time", "ts", "datetime", "date", "unix_time", "event_time")
#: field aliases: the name a user asks for -> the names catalogues use for it
FIELD_ALIASES = {
    "title": ("title", "movie_title", "name", "product_title", "item_name", "book_title"),
    "genres": ("genres", "genre", "class", "categories", "category", "tags", "type"),
    "description": ("description", "overview", "plot", "summary", "text", "abstract", "body"),
}
INTERACTION_POSITIONS = ("user", "item", "rating", "timestamp")
ITEM_POSITIONS = ("item", "title", "genres")


@dataclass
class Interactions:
    """Interactions as integer codes into ``user_ids`` / ``item_ids``; ``ratings`` and
    ``timestamps`` are None when the file has none. Counts describe what loading dropped."""

    source: str
    user_ids: list[str]
    item_ids: list[str]
    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray | None = None
    timestamps: np.ndarray | None = None
    duplicates: int = 0
    below_min_rating: int = 0
    missing_items: int = 0
    missing_item_ids: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.users)

    def user_items(self, user: int) -> np.ndarray:
        """The item codes of one user, oldest first when there are timestamps."""
        mask = self.users == user
        items = self.items[mask]
        if self.timestamps is not None:
            items = items[np.argsort(self.timestamps[mask], kind="stable")]
        return items


@dataclass
class Items:
    """The catalogue: item ids and, per chosen field, one text per item ("" when missing)."""

    source: str
    ids: list[str]
    fields: dict[str, list[str]]

    def __len__(self) -> int:
        return len(self.ids)

    def position(self) -> dict[str, int]:
        """Item id -> row."""
        return {item: i for i, item in enumerate(self.ids)}


def _parse_time(cells: list[str], source: str) -> np.ndarray:
    try:
        return np.array([float(c) for c in cells], dtype=np.float64)
    except ValueError:
        pass
    try:
        times = np.array(cells, dtype="datetime64[s]")
    except ValueError:
        raise EmbedlabError(f"{source}: the timestamp column holds values that are neither "
                            "numbers nor ISO dates") from None
    return times.astype(np.int64).astype(np.float64)


def _numbers(cells: list[str], source: str, column: str) -> np.ndarray:
    try:
        return np.array([float(c) for c in cells], dtype=np.float32)
    except ValueError:
        bad = next(c for c in cells if not _float_ok(c))
        raise EmbedlabError(f"{source}: column {column!r} holds a value that is not a number: "
                            f"{bad[:40]!r}") from None


def _float_ok(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def load_interactions(path: str | Path, *, min_rating: float | None = None,
                      user_field: str | None = None, item_field: str | None = None,
                      rating_field: str | None = None, time_field: str | None = None
                      ) -> Interactions:
    """The interactions of a file (see the module docstring).

    ``min_rating`` keeps the rows rated at least that (implicit feedback from ratings; an error
    when the file has no rating column). Empty user or item cells are an error.
    """
    source = str(path)
    columns = read_columns(path, INTERACTION_POSITIONS)
    names = list(columns)
    found = f"columns are {names}"
    user_col = pick_column(names, user_field, USER_NAMES, source=source, role="user column",
                           found=found)
    item_col = pick_column(names, item_field, ITEM_NAMES, source=source, role="item column",
                           found=found, exclude=user_col)
    if user_col is None or item_col is None:
        raise EmbedlabError(f"{source}: expected user and item columns (e.g. user,item[,rating]"
                            f"[,timestamp]), found {names}; name them with --user-field and "
                            "--item-field")
    rating_col = pick_column(names, rating_field, RATING_NAMES, source=source,
                             role="rating column", found=found)
    time_col = pick_column(names, time_field, TIME_NAMES, source=source, role="time column",
                           found=found)
    users, items = columns[user_col], columns[item_col]
    blank = next((i for i, (u, it) in enumerate(zip(users, items, strict=True))
                  if not u or not it), None)
    if blank is not None:
        raise EmbedlabError(f"{source}: row {blank + 1} has an empty user or item")
    ratings = _numbers(columns[rating_col], source, rating_col) if rating_col else None
    times = _parse_time(columns[time_col], source) if time_col else None
    keep = np.ones(len(users), dtype=bool)
    below = 0
    if min_rating is not None:
        if ratings is None:
            raise EmbedlabError(f"{source}: --min-rating needs a rating column; columns are "
                                f"{names}")
        keep = ratings >= min_rating
        below = int((~keep).sum())
        if not keep.any():
            raise EmbedlabError(f"{source}: no interaction is rated {min_rating} or more")
    user_ids, user_codes = np.unique(np.array(users, dtype=object)[keep].astype(str),
                                     return_inverse=True)
    item_ids, item_codes = np.unique(np.array(items, dtype=object)[keep].astype(str),
                                     return_inverse=True)
    data = Interactions(source, user_ids.tolist(), item_ids.tolist(),
                        user_codes.astype(np.int32), item_codes.astype(np.int32),
                        None if ratings is None else ratings[keep],
                        None if times is None else times[keep], below_min_rating=below)
    return _merge_duplicates(data)


def _merge_duplicates(data: Interactions) -> Interactions:
    """One row per ``(user, item)``: the latest (the last in the file without timestamps)."""
    n = len(data)
    order = (np.arange(n) if data.timestamps is None
             else np.argsort(data.timestamps, kind="stable"))
    keys = data.users[order].astype(np.int64) * len(data.item_ids) + data.items[order]
    # the last occurrence of each key in time order: unique over the reversed order
    _, last = np.unique(keys[::-1], return_index=True)
    rows = np.sort(order[::-1][last])
    if len(rows) == n:
        return data
    return replace(data, users=data.users[rows], items=data.items[rows],
                   ratings=None if data.ratings is None else data.ratings[rows],
                   timestamps=None if data.timestamps is None else data.timestamps[rows],
                   duplicates=n - len(rows))


def _field_column(names: list[str], wanted: str, source: str) -> str:
    exact = pick_column(names, None, (wanted, *FIELD_ALIASES.get(wanted.lower(), ())),
                        source=source)
    if exact is None:
        raise EmbedlabError(f"{source}: no field {wanted!r} (columns are {names})")
    return exact


def load_items(path: str | Path, fields: Sequence[str] | None = None, *,
               id_field: str | None = None) -> Items:
    """The catalogue of an items file: ids and the text of each of ``fields`` (a field is found
    by its name or a usual alias: ``title`` is also ``movie_title``, ``genres`` also ``class``;
    None: those of title, genres and description the file has). A duplicate id is an error."""
    source = str(path)
    columns = read_columns(path, ITEM_POSITIONS)
    names = list(columns)
    if fields is None:
        fields = [f for f, aliases in FIELD_ALIASES.items()
                  if pick_column(names, None, aliases, source=source) is not None]
    id_col = pick_column(names, id_field, ITEM_NAMES, source=source, role="item id column",
                         found=f"columns are {names}")
    if id_col is None:
        raise EmbedlabError(f"{source}: expected an item id column (item, item_id, movieId, "
                            f"...), found {names}; name it with --item-field")
    if not fields:
        raise EmbedlabError("give at least one item field (--fields title,genres,...)")
    chosen = {f: columns[_field_column(names, f, source)] for f in fields}
    ids = columns[id_col]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise EmbedlabError(f"{source}: item id {dup!r} appears more than once")
    if any(not i for i in ids):
        raise EmbedlabError(f"{source}: an item has an empty id")
    return Items(source, list(ids), chosen)


def join(data: Interactions, items: Items) -> Interactions:
    """The interactions whose item is in the catalogue, re-coded to the catalogue's rows;
    ``missing_items`` counts the others (an error when none is left)."""
    position = items.position()
    mapping = np.array([position.get(i, -1) for i in data.item_ids], dtype=np.int64)
    codes = mapping[data.items]
    keep = codes >= 0
    missing = int((~keep).sum())
    if not keep.any():
        raise EmbedlabError(f"{data.source}: none of its items is in {items.source} (e.g. item "
                            f"{data.item_ids[0]!r}); are the files from the same data set?")
    missing_ids = [data.item_ids[i] for i in np.flatnonzero(mapping < 0)]
    return replace(data, item_ids=list(items.ids), items=codes[keep].astype(np.int32),
                   users=data.users[keep],
                   ratings=None if data.ratings is None else data.ratings[keep],
                   timestamps=None if data.timestamps is None else data.timestamps[keep],
                   missing_items=missing, missing_item_ids=missing_ids)


def items_file_beside(path: str | Path) -> Path | None:
    """The catalogue that goes with a known interactions file (``u.data`` -> ``u.item``,
    ``ratings.csv`` -> ``movies.csv``, ``ratings.dat`` -> ``movies.dat``, ``X.inter`` ->
    ``X.item``), when it exists."""
    path = Path(path)
    name = path.name.lower()
    candidates = {"u.data": "u.item", "ratings.csv": "movies.csv", "ratings.dat": "movies.dat"}
    if name in candidates:
        other = path.with_name(candidates[name])
    elif name.endswith(".inter"):
        other = path.with_suffix(".item")
    else:
        return None
    return other if other.exists() else None


def find_pair(target: str | Path) -> tuple[Path, Path]:
    """``(interactions, items)`` of ``INTERACTIONS,ITEMS``, of a known interactions file (its
    catalogue beside it) or of a folder holding a known pair (``u.data``, ``ratings.csv``,
    ``ratings.dat``, ``*.inter``)."""
    text = str(target)
    if "," in text:
        first, second = (Path(p.strip()).expanduser() for p in text.split(",", 1))
        return first, second
    path = Path(text).expanduser()
    if path.is_dir():
        known = ["u.data", "ratings.csv", "ratings.dat", *sorted(p.name for p in
                                                                  path.glob("*.inter"))]
        for name in known:
            items = items_file_beside(path / name) if (path / name).exists() else None
            if items is not None:
                return path / name, items
        raise EmbedlabError(f"{path}: no interactions file with its catalogue beside it (u.data "
                            "+ u.item, ratings.csv + movies.csv, X.inter + X.item); give "
                            "INTERACTIONS,ITEMS")
    if not path.exists():
        raise EmbedlabError(f"{path}: no such file or folder")
    items = items_file_beside(path)
    if items is None:
        raise EmbedlabError(f"{path}: cannot tell which items file goes with it; give "
                            "INTERACTIONS,ITEMS")
    return path, items


def describe(data: Interactions) -> str:
    """One line: counts kept and dropped, for the user."""
    parts = [f"{len(data)} interactions, {len(set(data.users.tolist()))} users"]
    if data.duplicates:
        parts.append(f"{data.duplicates} duplicate rows merged")
    if data.below_min_rating:
        parts.append(f"{data.below_min_rating} below --min-rating dropped")
    if data.missing_items:
        example = ", ".join(repr(i) for i in data.missing_item_ids[:3])
        parts.append(f"{data.missing_items} naming {len(data.missing_item_ids)} items missing "
                     f"from the items file dropped (e.g. {example})")
    return "; ".join(parts)


def load_recommendation_data(target: str | Path, *, fields: Sequence[str] | None = None,
                             min_rating: float | None = None) -> tuple[Interactions, Items]:
    """Interactions joined to their catalogue, from anything :func:`find_pair` takes."""
    inter_path, items_path = find_pair(target)
    items = load_items(items_path, fields)
    if not items.fields:
        raise EmbedlabError(f"{items_path}: no title, genres or description field; name the "
                            "fields to use")
    return join(load_interactions(inter_path, min_rating=min_rating), items), items
