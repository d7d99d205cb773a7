"""Each team's monthly operating conditions: last month's engagement and this month's shocks.

Besides engagement, a delivery team's late share and a support hub's response time move
with month-to-month shocks (weather, volume peaks, sick leave). The shocks are drawn at
random and then made exactly orthogonal -- over the team-months an analyst can regress
on -- to the planted cause (last month's engagement), to the decoys (last month's training
hours and competency) and to what a within-team estimator holds fixed: team effects and
month effects, or a common trend where a function has too few teams for month effects
(:func:`kano.analytics.linkage.estimate.panel_slope`). So they add realistic scatter to
the team-month series, and width to its confidence intervals, without moving the slope
off the planted size, pooled or within teams. (Orthogonal only pooled, they left the
within-team slope of delays on engagement at -0.26 for a planted -0.30 at size M, seed 1.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kano.demo.arrays import BoolArray, FloatArray, IntArray
from kano.demo.company import TEAMS
from kano.demo.timeline import MONTHS

LATE_SHARE_SHOCK_SD = 0.025
FIRST_RESPONSE_SHOCK_SD = 8.0  # minutes
SHOCK_LIMIT_IN_SD = 3.0
"""No shock exceeds 3 sd: draws are cut at 2.5 sd and, should the projection push one past
3 sd, the whole vector is scaled down (scaling keeps it orthogonal)."""


@dataclass(frozen=True)
class TeamMonths:
    """Monthly state per team, indexed ``[team index, month of the order or ticket]``."""

    engagement: FloatArray
    """The team's observed mean pulse engagement of the *previous* month."""
    late_share_shock: FloatArray
    first_response_shock: FloatArray
    call_wait_factor: FloatArray


MONTH_EFFECTS_FROM_TEAMS = 3
"""With this many teams a within-team estimator also takes out month effects; with fewer,
a common trend (``kano.analytics.linkage.estimate.MIN_TEAMS_FOR_MONTH_EFFECTS``)."""


def _dummies(codes: IntArray) -> FloatArray:
    """Indicator columns of all but the first level (the constant stands for it)."""
    levels = np.unique(codes)
    return (codes[:, None] == levels[None, 1:]).astype(float)


def _orthogonal_shock(
    rng: np.random.Generator, sd: float, regressors: list[FloatArray], usable: BoolArray
) -> FloatArray:
    """Normal shocks on ``usable`` cells (``[team, month]``), zero elsewhere, exactly
    orthogonal over those cells to each regressor and to what a within-team estimator
    holds fixed, so the shocks move neither a pooled nor a within-team slope.

    What is left is the part of the draws a within-team analysis sees as noise, with an
    expected spread of sqrt((n - k) / n) of ``sd`` for n cells and k columns: about 0.86
    for the five delivery teams (85 of 115 degrees of freedom, with month effects) and
    0.96 for the two support hubs (42 of 46, with a trend)."""
    shock = np.zeros(usable.shape)
    cells = np.flatnonzero(usable.reshape(-1))
    drawn = np.clip(rng.normal(0.0, sd, cells.size), -2.5 * sd, 2.5 * sd)
    if cells.size == 0:
        return shock
    team, month = np.divmod(cells, usable.shape[1])
    trend = month - month.mean()
    fixed = [np.ones(cells.size)[:, None], _dummies(team), trend[:, None]]
    if np.unique(team).size >= MONTH_EFFECTS_FROM_TEAMS:
        fixed.append(_dummies(month))
    design = np.hstack(fixed + [r.reshape(-1)[cells][:, None] for r in regressors])
    coefficients, *_ = np.linalg.lstsq(design, drawn, rcond=None)
    orthogonal = drawn - design @ coefficients
    largest = float(np.abs(orthogonal).max())
    if largest > SHOCK_LIMIT_IN_SD * sd:
        orthogonal *= SHOCK_LIMIT_IN_SD * sd / largest
    shock.reshape(-1)[cells] = orthogonal
    return shock


def team_months(
    rng: np.random.Generator,
    observed_engagement: FloatArray,
    observed_training: FloatArray,
    observed_competency: FloatArray,
    has_pulses: BoolArray,
) -> TeamMonths:
    """Conditions from the observed team-month pulse means (``[team, month]``, 0..23) and
    the latent engagement of the month before the window (``observed_engagement`` falls
    back to it)."""
    teams = len(TEAMS)
    function = np.array([t.function for t in TEAMS])
    # driver[t, m] = engagement of month m - 1 (month 0 uses the latent month before)
    driver = observed_engagement[:, :MONTHS]
    previous_training = np.zeros((teams, MONTHS))
    previous_training[:, 1:] = observed_training[:, : MONTHS - 1]
    previous_competency = np.zeros((teams, MONTHS))
    previous_competency[:, 1:] = observed_competency[:, : MONTHS - 1]
    regressable = np.zeros((teams, MONTHS), dtype=bool)
    regressable[:, 1:] = has_pulses[:, : MONTHS - 1]
    delivery = (function == "delivery")[:, None] & regressable
    support = (function == "support")[:, None] & regressable
    return TeamMonths(
        engagement=driver,
        late_share_shock=_orthogonal_shock(
            rng, LATE_SHARE_SHOCK_SD, [driver, previous_training, previous_competency], delivery
        ),
        first_response_shock=_orthogonal_shock(rng, FIRST_RESPONSE_SHOCK_SD, [driver], support),
        call_wait_factor=np.exp(rng.normal(0.0, 0.25, (teams, MONTHS))),
    )


def cell_means(values: FloatArray, cell: IntArray, cells: int) -> tuple[FloatArray, BoolArray]:
    """Mean of ``values`` per cell index and whether the cell has any value."""
    sums = np.bincount(cell, weights=values, minlength=cells)
    counts = np.bincount(cell, minlength=cells)
    return sums / np.maximum(counts, 1), counts > 0
