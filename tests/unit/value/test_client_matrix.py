"""The 3 × 3 client matrix: axis scores, cells and strategies on hand-checked accounts."""

from __future__ import annotations

import numpy as np
import pytest

from kano.analytics.value.client_matrix import (
    STRATEGIES,
    Criterion,
    cell_movements,
    client_matrix,
    levels,
    percentile_ranks,
)


def test_percentile_ranks_share_ties_and_keep_missing() -> None:
    ranks = percentile_ranks([10.0, 20.0, 20.0, float("nan"), 40.0])
    # Of 4 known values: 10 has none below (0 + 1/2 tie)/4; 20s: 1 below + half of 2 ties.
    assert ranks[0] == pytest.approx(0.125)
    assert ranks[1] == ranks[2] == pytest.approx(0.5)
    assert np.isnan(ranks[3])
    assert ranks[4] == pytest.approx(0.875)
    assert percentile_ranks([1.0, 2.0], higher_is_better=False).tolist() == [0.75, 0.25]


def nine_accounts() -> dict[str, list[float]]:
    # Three attractiveness tiers (revenue) × three relationship tiers (NPS).
    return {
        "revenue": [1, 1, 1, 50, 50, 50, 900, 900, 900],
        "nps": [-50, 0, 80, -50, 0, 80, -50, 0, 80],
    }


def test_each_account_lands_in_its_cell_with_the_strategy() -> None:
    matrix = client_matrix(
        nine_accounts(),
        attractiveness=(Criterion("revenue", 1.0),),
        relationship=(Criterion("nps", 1.0),),
    )
    cells = list(zip(matrix.attractiveness_level, matrix.relationship_level, strict=True))
    assert cells == [
        ("low", "low"), ("low", "medium"), ("low", "high"),
        ("medium", "low"), ("medium", "medium"), ("medium", "high"),
        ("high", "low"), ("high", "medium"), ("high", "high"),
    ]  # fmt: skip
    assert matrix.strategy[0] == "Protect income: low priority, no upsell investment"
    assert matrix.strategy[4] == "Invest selectively"
    assert matrix.strategy[6] == "Invest: raise loyalty"
    assert matrix.strategy[8] == "Invest: deepen service, collect feedback, cross-sell"
    assert all(count == 1 for count in matrix.cell_counts().values())
    assert len(STRATEGIES) == 9


def test_weights_and_direction_of_criteria() -> None:
    columns = {"revenue": [100, 200, 300], "cases": [9, 0, 5], "margin": [0.3, 0.1, 0.2]}
    matrix = client_matrix(
        columns,
        attractiveness=(Criterion("revenue", 1.0), Criterion("margin", 3.0)),
        relationship=(Criterion("cases", 1.0, higher_is_better=False),),
    )
    # Margin weighs 3× revenue: account 0 (best margin, lowest revenue) leads.
    np.testing.assert_allclose(
        matrix.attractiveness, [(1 / 6 + 3 * 5 / 6) / 4, (3 / 6 + 3 / 6) / 4, (5 / 6 + 9 / 6) / 4]
    )
    assert matrix.relationship.argmax() == 1  # fewest cases
    assert matrix.relationship.argmin() == 0


def test_missing_criterion_value_renormalises_the_weights() -> None:
    columns = {"revenue": [1.0, 2.0, 3.0], "margin": [float("nan"), 0.1, 0.2]}
    matrix = client_matrix(
        columns,
        attractiveness=(Criterion("revenue", 1.0), Criterion("margin", 1.0)),
        relationship=(Criterion("revenue", 1.0),),
    )
    assert matrix.attractiveness[0] == pytest.approx(1 / 6)  # revenue alone


def test_unknown_criterion_is_named() -> None:
    with pytest.raises(ValueError, match="'ltv'"):
        client_matrix({"revenue": [1.0]}, attractiveness=(Criterion("ltv", 1.0),))


def test_fixed_cut_points() -> None:
    assert levels(np.array([0.1, 0.5, 0.9, np.nan]), (0.3, 0.7)).tolist() == [0, 1, 2, 0]


def test_movements_between_cells() -> None:
    before = {1: ("high", "low"), 2: ("low", "low"), 3: ("medium", "high")}
    after = {1: ("high", "medium"), 2: ("low", "low"), 4: ("low", "high")}
    assert cell_movements(before, after) == {
        (("high", "low"), ("high", "medium")): 1,
        (("low", "low"), ("low", "low")): 1,
    }
