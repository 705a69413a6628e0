"""Forward-pass planning: every text once, longest first, and the least padded cost."""

from __future__ import annotations

import itertools
import random

import pytest

from embedlab.serve.passes import plan_passes


def cost(costs: list[int], passes: list[list[int]], overhead: int) -> int:
    return sum(overhead + len(p) * max(costs[i] for i in p) for p in passes)


def test_equal_lengths_make_one_pass() -> None:
    assert plan_passes([10] * 20, overhead=32, max_size=64) == [list(range(20))]
    capped = plan_passes([10] * 20, overhead=32, max_size=8)
    assert len(capped) == 3 and all(len(p) <= 8 for p in capped)
    assert plan_passes([], overhead=32, max_size=8) == []


def test_mixed_lengths_are_split_when_padding_costs_more() -> None:
    costs = [60, 5, 6, 5, 7, 58, 5, 6]
    passes = plan_passes(costs, overhead=16, max_size=64)
    assert sorted(i for p in passes for i in p) == list(range(len(costs)))
    assert [sorted(p) for p in passes] == [[0, 5], [1, 2, 3, 4, 6, 7]]
    assert cost(costs, passes, 16) < cost(costs, [list(range(len(costs)))], 16)
    # with a huge overhead one pass is cheapest
    assert len(plan_passes(costs, overhead=10_000, max_size=64)) == 1


@pytest.mark.parametrize("seed", range(5))
def test_the_plan_is_optimal_among_cuts_of_the_sorted_order(seed: int) -> None:
    rng = random.Random(seed)
    costs = [rng.randint(1, 60) for _ in range(9)]
    overhead, max_size = rng.choice([0, 8, 32]), rng.choice([3, 9])
    passes = plan_passes(costs, overhead=overhead, max_size=max_size)
    assert all(len(p) <= max_size for p in passes)
    order = sorted(range(len(costs)), key=lambda i: -costs[i])
    best = None
    for cuts in itertools.product([0, 1], repeat=len(costs) - 1):
        groups, start = [], 0
        for k, c in enumerate(cuts, start=1):
            if c:
                groups.append(order[start:k])
                start = k
        groups.append(order[start:])
        if all(len(g) <= max_size for g in groups):
            value = cost(costs, groups, overhead)
            best = value if best is None else min(best, value)
    assert cost(costs, passes, overhead) == best
