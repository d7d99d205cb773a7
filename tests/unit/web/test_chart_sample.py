"""The rule a chart's sample follows (kano.adapters.web.chart_sample), on any groups: the
cap exactly, each group within one point of its share and never left out, the weightiest
rows of each group kept, the same rows for the same data in any order."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kano.adapters.web.chart_sample import KEPT_SHARE, group_quotas, representative_sample

sizes = st.dictionaries(st.sampled_from("abcdefghi"), st.integers(0, 400), min_size=1)


@given(sizes, st.integers(1, 300))
def test_quotas_fill_the_cap_in_proportion_and_leave_no_group_out(
    groups: dict[str, int], cap: int
) -> None:
    quotas = group_quotas(groups, cap)
    total = sum(groups.values())
    if total <= cap:
        assert quotas == groups
        return
    assert sum(quotas.values()) == cap
    filled = [g for g, n in groups.items() if n]
    assert all(0 <= quotas[g] <= groups[g] for g in filled)
    if cap >= len(filled):
        assert all(quotas[g] >= 1 for g in filled)
        # within one point of the share, but for a point lent to a group that had none
        lent = sum(1 for g in filled if cap * groups[g] / total < 1)
        assert all(abs(quotas[g] - cap * groups[g] / total) < 1 + lent for g in filled)
        if not lent:
            assert all(abs(quotas[g] - cap * groups[g] / total) < 1 for g in filled)


@given(sizes, st.integers(1, 300), st.randoms(use_true_random=False))
def test_the_sample_keeps_each_groups_weightiest_rows_whatever_the_order(
    groups: dict[str, int], cap: int, shuffler: random.Random
) -> None:
    rows: list[dict[str, Any]] = [{"id": i, "group": g, "revenue": float((i * 7919) % 1000)}
            for i, (g, n) in enumerate((g, n) for g, n in groups.items() for _ in range(n))]
    # (ids run over all rows; the revenue is a fixed scramble of the id)

    def sample(of: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return representative_sample(of, cap, group=lambda r: r["group"],
                                     weight=lambda r: float(r["revenue"]),
                                     identity=lambda r: int(r["id"])).rows

    drawn = sample(rows)
    assert len(drawn) == min(cap, len(rows))
    assert len({r["id"] for r in drawn}) == len(drawn)
    shuffled = rows[:]
    shuffler.shuffle(shuffled)
    assert sorted(r["id"] for r in sample(shuffled)) == sorted(r["id"] for r in drawn)
    quotas = group_quotas(groups, cap)
    for g in groups:
        mine = [r for r in rows if r["group"] == g]
        kept = -(-quotas.get(g, 0) * KEPT_SHARE // 1)  # ceil, as the rule rounds up
        heaviest = sorted(mine, key=lambda r: (-float(r["revenue"]), r["id"]))[: int(kept)]
        assert all(r in drawn for r in heaviest)
        assert sum(1 for r in drawn if r["group"] == g) == quotas.get(g, 0)
