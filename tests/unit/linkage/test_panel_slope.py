"""Team-month slopes within teams, net of month effects (``panel_slope``).

Synthetic panels where teams differ on both sides and everything trends together: a
pooled regression finds a slope that is not there, the within estimator does not; a true
within-team effect is recovered; slope and interval equal statsmodels' regression on team
and month dummies (an independent implementation: dummies in the design matrix, not the
Frisch-Waugh-Lovell residuals ``panel_slope`` computes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

from kano.analytics.linkage.assemble import ModellingFrame
from kano.analytics.linkage.estimate import (
    ACROSS_TEAMS,
    NO_WITHIN_VARIATION,
    NOT_SUPPORTED,
    ONE_TEAM,
    SUPPORTED,
    TOO_FEW,
    WITHIN_TEAMS_NET_OF_MONTHS,
    WITHIN_TEAMS_NET_OF_TREND,
    design_of,
    fit,
    panel_slope,
)
from kano.analytics.linkage.specs import link_spec

SPEC = link_spec({"cause": "competency", "effect": "delivery_delay_days",
                  "grain": "team-month", "lag": "1M"})  # fmt: skip


def confounded_panel(
    rng: np.random.Generator, teams: int = 5, months: int = 24, within_slope: float = 0.0
) -> pd.DataFrame:
    """Teams whose cause level goes with their effect level, a trend common to both sides,
    and (``within_slope``) how a team's effect truly moves with its own cause."""
    team = np.repeat(np.arange(teams), months)
    month = np.tile(np.arange(months), teams)
    level = rng.normal(0.0, 1.0, teams)  # e.g. a harder region: more of both
    cause = 0.8 + 0.05 * level[team] + 0.003 * month + rng.normal(0.0, 0.02, team.size)
    effect = (
        1.0 + 0.3 * level[team] + 0.02 * month + rng.normal(0.0, 0.15, months)[month]
        + within_slope * cause + rng.normal(0.0, 0.05, team.size)
    )  # fmt: skip
    return pd.DataFrame({"x": cause, "y": effect, "group": team + 101, "period": month + 24_300})


def test_team_differences_and_a_common_trend_fool_pooled_ols_but_not_the_within_slope() -> None:
    data = confounded_panel(np.random.default_rng(7))
    pooled = sm.OLS(data["y"], sm.add_constant(data["x"])).fit(cov_type="HC1")
    assert pooled.conf_int().loc["x", 0] > 0  # a "supported" slope that is not there

    result = fit(SPEC, ModellingFrame(data, "team", "team-month"))

    assert result.verdict == NOT_SUPPORTED
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 0 < result.ci_high
    assert "within teams, net of month effects" in result.method


def test_without_an_effect_the_interval_excludes_zero_about_one_time_in_twenty() -> None:
    rng = np.random.default_rng(2026)
    runs = 300
    rejected = pooled_rejected = 0
    for _ in range(runs):
        data = confounded_panel(rng)
        slope = panel_slope(*(data[c].to_numpy() for c in ("x", "y", "group", "period")))
        rejected += not slope.low <= 0 <= slope.high
        pooled = sm.OLS(data["y"], sm.add_constant(data["x"])).fit(cov_type="HC1")
        pooled_rejected += pooled.pvalues["x"] < 0.05
    assert rejected / runs < 0.09
    assert pooled_rejected / runs > 0.5


def test_a_true_within_team_effect_is_recovered() -> None:
    data = confounded_panel(np.random.default_rng(11), within_slope=-4.0)

    result = fit(SPEC, ModellingFrame(data, "team", "team-month"))

    assert result.verdict == SUPPORTED  # competency shortens delays here: the expected sign
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low <= -4.0 <= result.ci_high
    pooled = sm.OLS(data["y"], sm.add_constant(data["x"])).fit(cov_type="HC1")
    assert not pooled.conf_int().loc["x", 0] <= -4.0 <= pooled.conf_int().loc["x", 1]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), teams=st.integers(3, 8), months=st.integers(20, 30),
       slope=st.floats(-5, 5), missing=st.floats(0, 0.2))  # fmt: skip
def test_matches_statsmodels_regression_on_team_and_month_dummies(
    seed: int, teams: int, months: int, slope: float, missing: float
) -> None:
    rng = np.random.default_rng(seed)
    data = confounded_panel(rng, teams, months, slope)
    data = data[rng.random(len(data)) >= missing]  # an unbalanced panel
    data = data.assign(y=data["y"] * rng.uniform(0.5, 2.0, len(data)))  # heteroskedastic

    result = panel_slope(*(data[c].to_numpy() for c in ("x", "y", "group", "period")))

    assert result.design == WITHIN_TEAMS_NET_OF_MONTHS
    fitted = smf.ols("y ~ x + C(group) + C(period)", data).fit(cov_type="HC1", use_t=True)
    assert result.df == int(fitted.df_resid)
    assert result.estimate == pytest.approx(fitted.params["x"], rel=1e-7, abs=1e-9)
    low, high = fitted.conf_int(0.05).loc["x"]
    assert (result.low, result.high) == pytest.approx((low, high), rel=1e-7, abs=1e-9)
    assert result.p_value == pytest.approx(fitted.pvalues["x"], rel=1e-6, abs=1e-12)


def _columns(data: pd.DataFrame) -> tuple[np.ndarray, ...]:
    return tuple(data[c].to_numpy() for c in ("x", "y", "group", "period"))


def test_falls_back_and_says_why_when_the_panel_is_too_thin() -> None:
    rng = np.random.default_rng(3)
    one_team = confounded_panel(rng, teams=1, months=40)
    alone = panel_slope(*_columns(one_team))
    assert (alone.design, alone.reason) == (ONE_TEAM, None)
    fitted = smf.ols("y ~ x + period", one_team).fit(cov_type="HC1", use_t=True)
    assert alone.estimate == pytest.approx(fitted.params["x"], rel=1e-7)

    short = confounded_panel(rng, teams=12, months=4)  # 48 team-months, four per team
    thin = panel_slope(*_columns(short))
    assert (thin.design, thin.reason) == (ACROSS_TEAMS, "under 6 months per team")

    for teams, months, reason in ((2, 24, "2 teams: too few for month effects"),
                                  (3, 10, "too few team-months for month effects")):
        panel = confounded_panel(rng, teams=teams, months=months)
        trend = panel_slope(*_columns(panel))
        assert (trend.design, trend.reason) == (WITHIN_TEAMS_NET_OF_TREND, reason)
        fitted = smf.ols("y ~ x + C(group) + period", panel).fit(cov_type="HC1", use_t=True)
        assert trend.estimate == pytest.approx(fitted.params["x"], rel=1e-7)
        assert (trend.low, trend.high) == pytest.approx(tuple(fitted.conf_int().loc["x"]),
                                                        rel=1e-7)  # fmt: skip


def test_a_cause_that_never_changes_within_a_team_cannot_be_tested() -> None:
    data = confounded_panel(np.random.default_rng(5))
    data = data.assign(x=data.groupby("group")["x"].transform("mean"))

    result = fit(SPEC, ModellingFrame(data, "team", "team-month"))

    assert result.verdict == TOO_FEW and result.estimate is None
    assert NO_WITHIN_VARIATION in result.method


@pytest.mark.parametrize("phrase", [WITHIN_TEAMS_NET_OF_MONTHS, WITHIN_TEAMS_NET_OF_TREND,
                                    ONE_TEAM, ACROSS_TEAMS])  # fmt: skip
def test_the_design_is_read_back_from_the_stored_method(phrase: str) -> None:
    rng = np.random.default_rng(1)
    panels = {WITHIN_TEAMS_NET_OF_MONTHS: confounded_panel(rng),
              WITHIN_TEAMS_NET_OF_TREND: confounded_panel(rng, teams=2, months=24),
              ONE_TEAM: confounded_panel(rng, teams=1, months=40),
              ACROSS_TEAMS: confounded_panel(rng, teams=12, months=4)}  # fmt: skip
    longest = fit(SPEC, ModellingFrame(confounded_panel(rng, teams=3, months=1000 // 3 + 1)
                                       .query("period < 24_310 or group == 101"),
                                       "team", "team-month"))  # fmt: skip
    assert "too few team-months for month effects" in longest.method
    assert len(longest.method) <= 120

    result = fit(SPEC, ModellingFrame(panels[phrase], "team", "team-month"))

    assert design_of(result.method) == phrase
    assert len(result.method) <= 120  # link_tests.method is a VARCHAR(120)
    assert design_of("OLS at response grain, customer-clustered 95 % CI") is None


@pytest.mark.parametrize(("language", "words"), [
    ("en", "within teams, net of month effects"),
    ("ru", "внутри команд, за вычетом эффектов месяца"),
    ("hu", "csapatokon belül, a hónaphatásokat kiszűrve"),
])  # fmt: skip
def test_the_strategy_map_evidence_says_how_a_team_month_arrow_was_tested(
    language: str, words: str
) -> None:
    from datetime import UTC, datetime

    from kano.adapters.db.views.link_tests import LinkTestLine
    from kano.adapters.web.i18n import load_translations
    from kano.adapters.web.routes.linkage import DESIGN_LABELS
    from kano.adapters.web.routes.strategy_map import evidence_text
    from kano.adapters.web.strategy_formats import StrategyFormats

    assert set(DESIGN_LABELS) == {WITHIN_TEAMS_NET_OF_MONTHS, WITHIN_TEAMS_NET_OF_TREND,
                                  ONE_TEAM, ACROSS_TEAMS}  # fmt: skip
    result = fit(SPEC, ModellingFrame(confounded_panel(np.random.default_rng(4)), "team",
                                      "team-month"))  # fmt: skip
    line = LinkTestLine(
        1, 2, False, result.verdict, "skills", "delay", "competency_coverage",
        "delivery_delay_mean", result.lag, result.estimate, result.ci_low, result.ci_high,
        result.standardized, result.n, result.method, datetime.now(UTC),
    )  # fmt: skip
    translations = load_translations(language)
    gettext = translations.gettext
    fmt = StrategyFormats(language, ngettext=translations.ngettext)
    n = fmt.integer(result.n)

    assert evidence_text(line, gettext, fmt).endswith(f"n = {n}, {words}")
    customer_grain = LinkTestLine(**{**line.__dict__, "method": "OLS at response grain, "
                                     "customer-clustered 95 % CI"})  # fmt: skip
    assert evidence_text(customer_grain, gettext, fmt).endswith(f"n = {n}")
