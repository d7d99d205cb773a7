"""A theme's impact (NPS of the responses mentioning it − NPS of the others) carries its
95 % interval: two independent samples, Var = Var₁ + Var₂ with the NPS variance of
NOTES.md, checked against direct computations that share no code with Kano's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kano.analytics.text import analyze_comments, theme_summary
from kano.analytics.text.analysis import impact_interval
from kano.metrics.intervals import net_score_difference
from tests.unit.text.comments import demo_comments

Z = 1.959963984540054


def _points(scores: np.ndarray) -> np.ndarray:
    """Each answer as +100 (promoter), −100 (detractor) or 0: NPS is their mean."""
    return np.where(scores >= 9, 100.0, np.where(scores <= 6, -100.0, 0.0))


def _direct(with_scores: np.ndarray, without_scores: np.ndarray) -> tuple[float, float, float]:
    a, b = _points(with_scores), _points(without_scores)
    diff = a.mean() - b.mean()
    half = Z * np.sqrt(a.var() / len(a) + b.var() / len(b))  # population variances
    return diff, diff - half, diff + half


def _counts(scores: np.ndarray) -> tuple[int, int, int]:
    return int((scores >= 9).sum()), int((scores <= 6).sum()), len(scores)


def test_the_interval_is_the_two_sample_normal_interval_of_the_nps_difference() -> None:
    with_theme = np.array([0, 2, 5, 6, 6, 7, 8, 9, 3, 10, 4, 6])
    without = np.array([9, 10, 10, 8, 7, 9, 6, 10, 9, 9, 3, 8, 10, 10, 9, 7, 5, 10])

    low, high = impact_interval(_counts(with_theme), _counts(without))

    diff, want_low, want_high = _direct(with_theme, without)
    assert (low, high) == (pytest.approx(want_low), pytest.approx(want_high))
    assert low < diff < high < 0  # 12 against 18 answers: wide, but clearly negative here
    estimate = net_score_difference(_counts(with_theme), _counts(without))
    assert estimate.value == pytest.approx(diff) and estimate.n == 30


def test_it_matches_statsmodels_z_interval_of_two_independent_means() -> None:
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    rng = np.random.default_rng(7)
    with_theme = rng.integers(0, 11, 400)
    without = rng.integers(3, 11, 900)

    low, high = impact_interval(_counts(with_theme), _counts(without))

    # statsmodels' unequal-variance z interval divides each sample variance by n − 1
    compare = CompareMeans(DescrStatsW(_points(with_theme).astype(float)),
                           DescrStatsW(_points(without).astype(float)))  # fmt: skip
    s_low, s_high = compare.zconfint_diff(alpha=0.05, usevar="unequal")
    n1, n2 = len(with_theme), len(without)
    assert (low, high) == (pytest.approx(s_low, rel=2 / min(n1, n2)),
                           pytest.approx(s_high, rel=2 / min(n1, n2)))  # fmt: skip
    # and exactly with n in the denominators
    _diff, want_low, want_high = _direct(with_theme, without)
    assert (low, high) == (pytest.approx(want_low), pytest.approx(want_high))


def test_an_empty_side_has_no_interval() -> None:
    assert impact_interval((3, 1, 5), (0, 0, 0)) == (None, None)
    assert impact_interval((0, 0, 0), (3, 1, 5)) == (None, None)


def test_theme_rows_carry_the_interval_of_their_own_responses() -> None:
    frame = demo_comments()
    analysis = analyze_comments(frame)

    rows = theme_summary(analysis, "touchpoint")

    checked = 0
    for row in rows:
        part = analysis.comments[analysis.comments["touchpoint"] == row.group]
        mask = part[f"theme:{row.theme}"].to_numpy(dtype=bool)
        scores = part["nps"].to_numpy(dtype=float)
        if mask.all() or not mask.any():
            assert row.impact_ci_low is None and row.impact_ci_high is None
            continue
        diff, low, high = _direct(scores[mask], scores[~mask])
        assert row.impact == pytest.approx(diff)
        assert row.impact_ci_low == pytest.approx(low)
        assert row.impact_ci_high == pytest.approx(high)
        assert row.impact_significant == (low > 0 or high < 0)
        checked += 1
    assert checked > 10
    assert any(r.impact_significant for r in rows) and not all(
        r.impact_significant for r in rows if r.impact is not None)


def test_responses_without_nps_are_left_out_of_both_sides() -> None:
    frame = demo_comments(("en",))
    frame.loc[frame.index[::3], "nps"] = None
    analysis = analyze_comments(frame)

    row = next(r for r in theme_summary(analysis) if r.theme == "lateness")

    part = analysis.comments
    mask = part["theme:lateness"].to_numpy(dtype=bool)
    scores = pd.to_numeric(part["nps"]).to_numpy(dtype=float)
    known = ~np.isnan(scores)
    _diff, low, high = _direct(scores[mask & known], scores[~mask & known])
    assert (row.impact_ci_low, row.impact_ci_high) == (pytest.approx(low), pytest.approx(high))
    assert row.n_nps_with + row.n_nps_without == int(known.sum())
