"""Train/test splits for recommenders, with held-out items and users that training never sees.

In: :class:`~embedlab.data.interactions.Interactions` joined to a catalogue (item codes are
catalogue rows). Out: a :class:`RecSplit`:

- **cold items**: a share of the items that have interactions, drawn at random; every
  interaction with them leaves training, and the training users' interactions with them are
  the cold-item targets (ranked among the cold items only, the usual cold-start protocol);
- **cold users**: a share of the users, drawn at random, out of training entirely; each one's
  older half of interactions (on warm items) is the history the model gets, the newer half the
  targets;
- **warm**: of the rest, ``leave-last`` holds out each user's latest interaction (users with at
  least two), ``time`` holds out every interaction after the ``1 - test_share`` time quantile
  (targets on items that training never saw are left out, and counted).

Without timestamps "latest" is the file order. Everything is drawn from ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from embedlab.data.interactions import Interactions
from embedlab.errors import EmbedlabError

SPLITS = ("leave-last", "time")


@dataclass
class RecSplit:
    """Training interactions and the three test sets (user code -> target item rows)."""

    train: Interactions
    warm: dict[int, np.ndarray]
    cold_items: np.ndarray
    cold_item_targets: dict[int, np.ndarray]
    cold_users: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    dropped_targets: int = 0

    def warm_items(self) -> np.ndarray:
        """Rows of the items training has interactions with."""
        return np.unique(self.train.items)


def _order(data: Interactions) -> np.ndarray:
    """Row order oldest first (file order without timestamps)."""
    if data.timestamps is None:
        return np.arange(len(data))
    return np.argsort(data.timestamps, kind="stable")


def _subset(data: Interactions, rows: np.ndarray) -> Interactions:
    return replace(data, users=data.users[rows], items=data.items[rows],
                   ratings=None if data.ratings is None else data.ratings[rows],
                   timestamps=None if data.timestamps is None else data.timestamps[rows])


def _group(users: np.ndarray, items: np.ndarray) -> dict[int, np.ndarray]:
    out: dict[int, list[int]] = {}
    for u, i in zip(users.tolist(), items.tolist(), strict=True):
        out.setdefault(u, []).append(i)
    return {u: np.array(v, dtype=np.int64) for u, v in out.items()}


def make_split(data: Interactions, *, how: str = "leave-last", cold_item_share: float = 0.2,
               cold_user_share: float = 0.1, test_share: float = 0.2, seed: int = 0
               ) -> RecSplit:
    """The split of ``data`` (see the module docstring)."""
    if how not in SPLITS:
        raise EmbedlabError(f"unknown recommendation split {how!r}; expected one of "
                            f"{', '.join(SPLITS)}")
    for name, share in (("cold item", cold_item_share), ("cold user", cold_user_share),
                        ("test", test_share)):
        if not 0 <= share < 1:
            raise EmbedlabError(f"the {name} share must be in [0, 1), got {share}")
    rng = np.random.default_rng(seed)
    items = np.unique(data.items)
    users = np.unique(data.users)
    if len(items) < 5 or len(users) < 2:
        raise EmbedlabError(f"{data.source}: too few items ({len(items)}) or users "
                            f"({len(users)}) to split for evaluation")
    cold_items = np.sort(rng.choice(items, int(round(cold_item_share * len(items))),
                                    replace=False))
    cold_user_set = rng.choice(users, int(round(cold_user_share * len(users))), replace=False)
    order = _order(data)
    ordered = _subset(data, order)
    is_cold_item = np.isin(ordered.items, cold_items)
    is_cold_user = np.isin(ordered.users, cold_user_set)

    warm_rows = np.flatnonzero(~is_cold_item & ~is_cold_user)
    if how == "leave-last":
        test = np.zeros(len(ordered), dtype=bool)
        last: dict[int, int] = {}
        count: dict[int, int] = {}
        for row in warm_rows.tolist():
            u = int(ordered.users[row])
            last[u] = row
            count[u] = count.get(u, 0) + 1
        test[[row for u, row in last.items() if count[u] >= 2]] = True
    else:
        if ordered.timestamps is None:
            raise EmbedlabError(f"{data.source}: the time split needs timestamps; use "
                                "leave-last")
        cut = np.quantile(ordered.timestamps[warm_rows], 1 - test_share)
        test = ordered.timestamps > cut
    train_mask = ~is_cold_item & ~is_cold_user & ~test
    train = _subset(ordered, np.flatnonzero(train_mask))
    trained_items = np.unique(train.items)
    trained_users = np.unique(train.users)
    test_rows = np.flatnonzero(~is_cold_item & ~is_cold_user & test)
    ok = np.isin(ordered.items[test_rows], trained_items) & \
        np.isin(ordered.users[test_rows], trained_users)
    warm = _group(ordered.users[test_rows[ok]], ordered.items[test_rows[ok]])
    cold_rows = np.flatnonzero(is_cold_item & ~is_cold_user &
                               np.isin(ordered.users, trained_users))
    cold_targets = _group(ordered.users[cold_rows], ordered.items[cold_rows])
    cold_users: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    user_rows = np.flatnonzero(is_cold_user & ~is_cold_item &
                               np.isin(ordered.items, trained_items))
    for u, seq in _group(ordered.users[user_rows], ordered.items[user_rows]).items():
        if len(seq) >= 2:
            half = len(seq) // 2
            cold_users[u] = (seq[:half], seq[half:])
    return RecSplit(train, warm, cold_items, cold_targets, cold_users,
                    dropped_targets=int((~ok).sum()))
