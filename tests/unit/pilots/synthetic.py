"""Synthetic pilot panels with a known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd


def panel(
    *,
    units_per_group: int = 40,
    baseline: int = 4,
    test: int = 3,
    effect: float = 2.0,
    rho: float = 0.6,
    sd: float = 1.0,
    pilot_trend: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per unit × period; unit effects give the periods correlation ``rho``."""
    rng = np.random.default_rng(seed)
    units = 2 * units_per_group
    periods = baseline + test
    unit_effect = rng.normal(0, sd * np.sqrt(rho), units)
    noise = rng.normal(0, sd * np.sqrt(1 - rho), (units, periods))
    treated = np.arange(units) < units_per_group
    period_effect = np.linspace(0, 1.5, periods)
    y = 10 + unit_effect[:, None] + period_effect[None, :] + noise
    t = np.arange(periods)
    y[treated] += pilot_trend * t[None, :]
    y[np.ix_(treated, t >= baseline)] += effect
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(units), periods),
            "period": np.tile(t, units),
            "y": y.ravel(),
            "treated": np.repeat(treated, periods),
            "post": np.tile(t >= baseline, units),
        }
    )
