"""The profit formula and the attribution of its change to each lever.

Profit = leads × conversion × value per period (ARPU, average check …) × lifetime (paying
periods) × margin − costs. When profit moves between two periods, management asks which
lever moved it. The Shapley decomposition answers without an arbitrary order of the levers:
each lever gets its average marginal effect over every order in which the levers could
switch from the old to the new value, and the contributions add up to the change *exactly*
(Shapley's efficiency) — computed here in rational arithmetic (``fractions.Fraction``) so
that also holds to the last digit, not only up to floating-point rounding.

The log (LMDI, Ang 2005) decomposition is offered for the multiplicative part too: it is
what the energy-accounting literature uses, needs every lever positive and gives the costs
their own change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from fractions import Fraction
from itertools import combinations

LEVERS = ("leads", "conversion", "value_per_period", "lifetime", "margin", "costs")

#: Labels of the levers by industry: the formula is the same, the words are the client's.
INDUSTRY_LABELS: dict[str, dict[str, str]] = {
    "generic": {
        "leads": "Leads",
        "conversion": "Conversion",
        "value_per_period": "ARPU",
        "lifetime": "Lifetime (paying periods)",
        "margin": "Margin",
        "costs": "Costs",
    },
    "saas": {"value_per_period": "ARPU per month", "lifetime": "Paying months"},
    "retail": {
        "leads": "Visitors",
        "value_per_period": "Average check",
        "lifetime": "Purchases per customer",
    },
    "hospitality": {
        "leads": "Enquiries",
        "conversion": "Booking rate",
        "value_per_period": "Average price per night",
        "lifetime": "Nights per guest",
    },
    "b2b": {
        "leads": "Qualified leads",
        "conversion": "Win rate",
        "value_per_period": "Average contract value per year",
        "lifetime": "Contract years",
    },
}


def lever_labels(industry: str = "generic") -> dict[str, str]:
    if industry not in INDUSTRY_LABELS:
        raise ValueError(f"industry: {industry!r} is not one of {', '.join(INDUSTRY_LABELS)}")
    return {**INDUSTRY_LABELS["generic"], **INDUSTRY_LABELS[industry]}


@dataclass(frozen=True)
class ProfitInputs:
    leads: float
    conversion: float
    value_per_period: float
    lifetime: float
    margin: float
    costs: float

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not math.isfinite(value):
                raise ValueError(f"{field.name}: must be a finite number")
            if value < 0:
                raise ValueError(f"{field.name}: must be ≥ 0")
        if self.conversion > 1:
            raise ValueError("conversion: is a share, must be ≤ 1")

    @property
    def profit(self) -> float:
        return float(profit_of(self))


def profit_of(inputs: ProfitInputs | dict[str, Fraction]) -> Fraction | float:
    get = inputs.__getitem__ if isinstance(inputs, dict) else inputs.__getattribute__
    return get("leads") * get("conversion") * get("value_per_period") * get("lifetime") * get(
        "margin"
    ) - get("costs")


@dataclass(frozen=True)
class Attribution:
    """The change in profit and the part each lever contributed (in LEVERS order)."""

    before: float
    after: float
    contributions: dict[str, Fraction]
    method: str

    @property
    def change(self) -> Fraction:
        return sum(self.contributions.values(), Fraction(0))


def shapley_attribution(before: ProfitInputs, after: ProfitInputs) -> Attribution:
    """Exact Shapley contributions: 2⁶ evaluations of the formula, in rationals."""
    old = {name: Fraction(getattr(before, name)) for name in LEVERS}
    new = {name: Fraction(getattr(after, name)) for name in LEVERS}
    n = len(LEVERS)
    value: dict[frozenset[str], Fraction] = {}
    for size in range(n + 1):
        for switched in combinations(LEVERS, size):
            mix = {name: new[name] if name in switched else old[name] for name in LEVERS}
            value[frozenset(switched)] = Fraction(profit_of(mix))
    contributions: dict[str, Fraction] = {}
    for lever in LEVERS:
        others = [name for name in LEVERS if name != lever]
        total = Fraction(0)
        for size in range(n):
            weight = Fraction(
                math.factorial(size) * math.factorial(n - size - 1), math.factorial(n)
            )
            for coalition in combinations(others, size):
                s = frozenset(coalition)
                total += weight * (value[s | {lever}] - value[s])
        contributions[lever] = total
    return Attribution(before.profit, after.profit, contributions, "shapley")


def log_attribution(before: ProfitInputs, after: ProfitInputs) -> Attribution:
    """LMDI: the gross-margin change split by log ratios; costs take their own change.

    Needs every multiplicative lever positive in both periods (a log of zero has no share).
    """
    product_levers = LEVERS[:-1]
    for name in product_levers:
        if getattr(before, name) <= 0 or getattr(after, name) <= 0:
            raise ValueError(f"{name}: must be > 0 in both periods for the log decomposition")
    gross_old = before.profit + before.costs
    gross_new = after.profit + after.costs
    if math.isclose(gross_old, gross_new):
        mean = gross_old
    else:
        mean = (gross_new - gross_old) / (math.log(gross_new) - math.log(gross_old))
    contributions = {
        name: Fraction(mean * math.log(getattr(after, name) / getattr(before, name)))
        for name in product_levers
    }
    # The logarithmic mean makes the shares sum to the gross change up to rounding; the
    # rounding residue goes to the largest share so the total is exact.
    residue = Fraction(gross_new) - Fraction(gross_old) - sum(contributions.values(), Fraction(0))
    largest = max(product_levers, key=lambda name: abs(contributions[name]))
    contributions[largest] += residue
    contributions["costs"] = -(Fraction(after.costs) - Fraction(before.costs))
    return Attribution(before.profit, after.profit, contributions, "log")
