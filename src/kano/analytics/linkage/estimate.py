"""Fitting a link and saying whether the data support it.

Every link is a linear regression of the effect on the cause at the link's grain, in the
effect's own units per unit of the cause (a linear probability for repurchase and churn,
log points for spend), so estimates read as "one more delay day costs 0.2 CSAT points"
and can be compared with a planted or a target size. Intervals at the response and
customer-quarter grains are clustered by customer, because one customer answers and buys
many times; at the team-month grain they are heteroskedasticity-robust (HC1) -- a company
has a handful of teams per function, far too few clusters for a cluster-robust variance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import statsmodels.api as sm

from kano.analytics.linkage.assemble import ModellingFrame, assemble
from kano.analytics.linkage.frames import WarehouseReader
from kano.analytics.linkage.specs import BEHAVIOURS, LinkSpec, expected_sign

SUPPORTED, NOT_SUPPORTED, WRONG_SIGN, TOO_FEW = (
    "supported", "not supported", "wrong sign", "too few observations"
)  # fmt: skip
MIN_OBSERVATIONS = 30
MIN_CLUSTERS = 10


@dataclass(frozen=True)
class LinkResult:
    cause: str
    effect: str
    lag: str
    grain: str
    where: dict[str, list[str]]
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    standardized: float | None  # effect in standard deviations per SD of the cause
    n: int
    clusters: int
    method: str
    verdict: str
    expected_sign: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _method(spec: LinkSpec, frame: ModellingFrame) -> str:
    kind = "OLS (linear probability)" if spec.effect in BEHAVIOURS[:2] else "OLS"
    variance = "HC1-robust" if frame.cluster == "team" else f"{frame.cluster}-clustered"
    return f"{kind} at {frame.unit} grain, {variance} 95 % CI"


def fit(spec: LinkSpec, frame: ModellingFrame) -> LinkResult:
    data = frame.data
    n, clusters = len(data), int(data["group"].nunique()) if len(data) else 0
    sign = expected_sign(spec.cause, spec.effect)
    base: dict[str, Any] = {
        "cause": spec.cause, "effect": spec.effect, "lag": spec.lag, "grain": spec.grain,
        "where": {k: list(v) for k, v in spec.where.items()}, "n": n, "clusters": clusters,
        "method": _method(spec, frame), "expected_sign": sign,
    }  # fmt: skip
    x, y = data["x"].to_numpy(float), data["y"].to_numpy(float)
    by_team = frame.cluster == "team"
    if n < MIN_OBSERVATIONS or (not by_team and clusters < MIN_CLUSTERS) or np.std(x) == 0:
        return LinkResult(**base, estimate=None, ci_low=None, ci_high=None, p_value=None,
                          standardized=None, verdict=TOO_FEW)  # fmt: skip
    model = sm.OLS(y, sm.add_constant(x, has_constant="add"))
    if by_team:
        result = model.fit(cov_type="HC1")
    else:
        result = model.fit(cov_type="cluster", cov_kwds={"groups": data["group"].to_numpy()})
    estimate = float(result.params[1])
    low, high = (float(v) for v in result.conf_int(0.05)[1])
    if low > 0 or high < 0:
        verdict = SUPPORTED if math.copysign(1, estimate) == sign else WRONG_SIGN
    else:
        verdict = NOT_SUPPORTED
    spread_y = float(np.std(y))
    standardized = estimate * float(np.std(x)) / spread_y if spread_y else None
    return LinkResult(**base, estimate=estimate, ci_low=low, ci_high=high,
                      p_value=float(result.pvalues[1]), standardized=standardized,
                      verdict=verdict)  # fmt: skip


def test_link(backend: Any, spec: LinkSpec, workspace_id: int) -> LinkResult:
    """One link on one workspace's warehouse data."""
    return fit(spec, assemble(WarehouseReader(backend, workspace_id), spec))


def test_links(backend: Any, specs: Iterable[LinkSpec], workspace_id: int) -> list[LinkResult]:
    reader = WarehouseReader(backend, workspace_id)
    return [fit(spec, assemble(reader, spec)) for spec in specs]


test_link.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite its name
test_links.__test__ = False  # type: ignore[attr-defined]
