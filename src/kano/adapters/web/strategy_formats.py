"""How the strategy pages write statuses, scores, percentages and measure values.

Status words are marked for the catalogues here and shown next to every colour (a colour
alone tells nothing to a colour-blind reader or a screen reader). Numbers follow the page's
language through Babel: "61%" in English and Hungarian, "61 %" in Russian. Money is
written with its currency ("€9,650,000", "9 650 000 Ft"): a measure whose unit is
``money`` (a money metric's, e.g. revenue) is in the workspace's currency; one whose unit
is itself an ISO 4217 code ("EUR", typed for a measure entered by hand) in that currency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from babel.numbers import format_decimal, format_percent

from kano.adapters.web.count_units import Plural, count_phrase
from kano.adapters.web.formatting import NumberFormats, true_minus
from kano.adapters.web.routes.navigation import N_
from kano.domain.shared.currency import DEFAULT_CURRENCY, known_currencies

STATUS_LABELS: dict[str, str] = {
    "green": N_("On track"),
    "amber": N_("At risk"),
    "red": N_("Off track"),
    "no_data": N_("No data"),
}
# The words of every enumeration the strategy pages show, by field, marked for translation.
LABELS: dict[str, dict[str, str]] = {
    "direction": {"higher": N_("Higher is better"), "lower": N_("Lower is better"),
                  "band": N_("Within a band")},
    "frequency": {"weekly": N_("Weekly"), "monthly": N_("Monthly"),
                  "quarterly": N_("Quarterly"), "yearly": N_("Yearly")},
    "measure_kind": {"say": N_("What customers say"), "do": N_("What customers do"),
                     "other": N_("Other measures")},
    "scorecard_level": {"company": N_("Company"), "department": N_("Department"),
                        "team": N_("Team")},
    "initiative_status": {"planned": N_("Planned"), "active": N_("Active"),
                          "on_hold": N_("On hold"), "done": N_("Done"),
                          "cancelled": N_("Cancelled")},
    "okr_level": {"company": N_("Company"), "team": N_("Team"), "person": N_("Person")},
    "commitment": {"committed": N_("Committed"), "aspirational": N_("Aspirational")},
    "cycle_status": {"open": N_("Open"), "closed": N_("Closed")},
    "sheet_status": {"draft": N_("Draft"), "agreed": N_("Agreed"), "reviewed": N_("Reviewed")},
}
# OKR check-in confidence bands read with the same words as the statuses.
CONFIDENCE_STATUS = {"on_track": "green", "at_risk": "amber", "off_track": "red"}
LEGEND_ORDER = ("green", "amber", "red", "no_data")


MONEY_UNIT = "money"  # the metric catalogue's unit of revenue, costs, CLV …


def money_currency(unit: str | None, workspace_currency: str) -> str | None:
    """The currency a value of ``unit`` is in; None when the unit is not money."""
    if unit is None:
        return None
    if unit.strip().lower() == MONEY_UNIT:
        return workspace_currency
    code = unit.strip().upper()
    return code if len(code) == 3 and code in known_currencies() else None


@dataclass(frozen=True)
class StrategyFormats(NumberFormats):
    """``NumberFormats`` plus the strategy pages' own numbers, for one workspace's
    ``currency``; with the page's ``ngettext``, count units in the number's plural form
    ("3 выезда", not "3 выездов")."""

    currency: str = DEFAULT_CURRENCY
    ngettext: Plural | None = field(default=None, compare=False)

    def percent(self, share: float | None, digits: int = 0, signed: bool = False) -> str:
        """A share 0–1 as a percentage with at most ``digits`` decimals (the base class
        writes exactly ``digits``): 0.75 → "75%" / "75 %"; "+" for a rise when ``signed``."""
        if share is None:
            return "–"
        rounded = Decimal(str(round(share * 100, digits))) / 100
        text = true_minus(format_percent(rounded, locale=self.language,
                                         decimal_quantization=False))
        return "+" + text if signed and rounded > 0 else text

    def score(self, value: float | None) -> str:
        """A 0–10 score with one decimal."""
        return self.decimal(value, 1)

    def number(self, value: float | None) -> str:
        """A measured value with as many decimals as it has (up to two)."""
        if value is None:
            return "–"
        return true_minus(format_decimal(round(value, 2), format="#,##0.##",
                                         locale=self.language))

    def measure(self, value: float | None, unit: str | None, digits: int | None = None) -> str:
        """A value with its unit: "61%", "37.2 points", "€9,650,000" / "9 650 000 Ft";
        with ``digits`` (:meth:`measure_digits`) to exactly that many decimals, so the
        figures of one measure (latest, target, interval, thresholds, history) and of every
        measure of the same metric read alike ("37.0", "37.2", not "37", "37.25")."""
        if value is None:
            return "–"
        if unit == "%":
            if digits is not None:
                return NumberFormats.percent(self, value / 100, digits)
            return self.percent(value / 100, 2)
        currency = money_currency(unit, self.currency)
        if currency is not None:
            if digits is not None:
                return self.money(value, currency, digits)
            # Cents only where they tell something: "€12.50", but "€4,232", not "€4,231.55".
            whole = abs(value) >= 1000 or float(value).is_integer()
            return self.money(value, currency, 0 if whole else 2)
        text = self.number(value) if digits is None else self.decimal(value, digits)
        if not unit:
            return text
        # a figure written with decimals ("31.0") takes a fraction's plural form (CLDR's
        # rules look at the visible decimals): "31,0 балла", not "31,0 балл"
        plural_value = value + 0.5 if digits and float(value).is_integer() else value
        phrase = count_phrase(plural_value, text, unit, self.ngettext) if (
            self.ngettext is not None) else None
        return phrase or f"{text} {unit}"

    def measure_digits(self, measure: MeasureFigures) -> int:
        """The decimals every figure of ``measure`` is written with: those its metric's
        declared format gives (NPS ".1f" → 1, revenue ",.0f" → 0); for a measure entered
        by hand, as many as its own figures need (up to two), and for money none unless
        an amount under 1,000 has cents: one measure never mixes "37" with "37.25"."""
        declared = metric_decimals(measure.bound_to_metric)
        if declared is not None:
            return declared
        figures = [measure.target, measure.baseline, measure.amber_from, measure.green_from,
                   measure.band_low, measure.band_high, measure.tolerance]
        for point in measure.series:
            figures += [point.actual, point.target, point.ci_low, point.ci_high]
        known = [float(v) for v in figures if v is not None]
        if money_currency(measure.unit, self.currency) is not None:
            cents = any(abs(v) < 1000 and not v.is_integer() for v in known)
            return 2 if cents else 0
        return max((_decimals_needed(v) for v in known), default=0)


class _FigurePoint(Protocol):
    @property
    def actual(self) -> float | None: ...
    @property
    def target(self) -> float | None: ...
    @property
    def ci_low(self) -> float | None: ...
    @property
    def ci_high(self) -> float | None: ...


class MeasureFigures(Protocol):
    """What :meth:`StrategyFormats.measure_digits` reads of a measure (a scorecard's
    ``MeasureLine``)."""

    @property
    def unit(self) -> str | None: ...
    @property
    def bound_to_metric(self) -> str | None: ...
    @property
    def target(self) -> float | None: ...
    @property
    def baseline(self) -> float | None: ...
    @property
    def amber_from(self) -> float | None: ...
    @property
    def green_from(self) -> float | None: ...
    @property
    def band_low(self) -> float | None: ...
    @property
    def band_high(self) -> float | None: ...
    @property
    def tolerance(self) -> float | None: ...
    @property
    def series(self) -> Sequence[_FigurePoint]: ...


_DECLARED_DECIMALS = re.compile(r"\.(\d+)[f%]$")


@lru_cache(maxsize=256)
def metric_decimals(metric_id: str | None) -> int | None:
    """The decimals a built-in metric's declared format writes (".1f" → 1, ",.0f" → 0);
    None for no metric, a custom one, or a format without a fixed precision."""
    if not metric_id:
        return None
    from kano.metrics.catalogue import BUILT_IN

    metric = next((m for m in BUILT_IN if m.id == metric_id), None)
    found = _DECLARED_DECIMALS.search(metric.format) if metric is not None else None
    return int(found.group(1)) if found else None


def _decimals_needed(value: float) -> int:
    """0 for 37, 1 for 37.2, 2 for 37.25 (and for 37.254, which is written to two)."""
    rounded = round(value, 2)
    for digits in (0, 1):
        if round(rounded, digits) == rounded:
            return digits
    return 2


def status_label(status: str) -> str:
    """The (untranslated) words of a status; translate them where they are shown."""
    return STATUS_LABELS.get(status, STATUS_LABELS["no_data"])
