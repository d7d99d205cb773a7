"""How the strategy pages write statuses, scores, percentages and measure values.

Status words are marked for the catalogues here and shown next to every colour (a colour
alone tells nothing to a colour-blind reader or a screen reader). Numbers follow the page's
language through Babel: "61%" in English and Hungarian, "61 %" in Russian. Money is
written with its currency ("€9,650,000", "9 650 000 Ft"): a measure whose unit is
``money`` (a money metric's, e.g. revenue) is in the workspace's currency; one whose unit
is itself an ISO 4217 code ("EUR", typed for a measure entered by hand) in that currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

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

    def measure(self, value: float | None, unit: str | None) -> str:
        """A value with its unit: "61%", "37.2 points", "€9,650,000" / "9 650 000 Ft"."""
        if value is None:
            return "–"
        if unit == "%":
            return self.percent(value / 100, 2)
        currency = money_currency(unit, self.currency)
        if currency is not None:
            # Cents only where they tell something: "€12.50", but "€4,232", not "€4,231.55".
            whole = abs(value) >= 1000 or float(value).is_integer()
            return self.money(value, currency, 0 if whole else 2)
        if not unit:
            return self.number(value)
        phrase = count_phrase(value, self.number(value), unit, self.ngettext) if (
            self.ngettext is not None) else None
        return phrase or f"{self.number(value)} {unit}"


def status_label(status: str) -> str:
    """The (untranslated) words of a status; translate them where they are shown."""
    return STATUS_LABELS.get(status, STATUS_LABELS["no_data"])
