"""A tested link as a reader says it: "Delivery delay +1 day → CSAT (1–5) −0.20 points
(−0.22 … −0.17)", "NPS answer (0–10) +1 point → Repurchase rate +4.3 pp (2.4 … 6.2)",
"Orders +1 order → Revenue +€89 (€82 … €96)".

The step of the cause and the effect's unit come from ``kano.analytics.linkage.steps``
(``EffectPerStep``); this module only writes them in the page's language. The digits follow
the size and precision of the estimate: two significant digits of it, but none finer than
two of the interval's half-width ("−0.20 (−0.22 … −0.17)", "−25 minutes (−35 … −14)").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kano.adapters.web.count_units import CATALOGUE_PHRASES, Plural
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.measure_labels import variable_name
from kano.adapters.web.routes.navigation import N_

if TYPE_CHECKING:  # the analytics package loads statsmodels; the page imports it lazily
    from kano.analytics.linkage.steps import EffectPerStep

MAX_DECIMALS = 6

# Names of the variables in a sentence: without the unit the step already says ("Delivery
# delay +1 day", not "Delivery delay (days) +1 day"), and with the answer scale of a score,
# which is what a step of "1 point" is on (the scales of ``steps.VARIABLES``).
SENTENCE_NAMES = {
    "engagement": N_("Team engagement (1–5)"),
    "enps": N_("Team eNPS answer (0–10)"),
    "delivery_delay_days": N_("Delivery delay"),
    "first_response_minutes": N_("First response time"),
    "onboarding_days": N_("Onboarding time"),
    "call_wait_seconds": N_("Call waiting time"),
    "nps": N_("NPS answer (0–10)"),
    "csat": N_("CSAT (1–5)"),
    "ces": N_("CES (1–7)"),
    "rating": N_("Rating (1–5)"),
}
# Counts of the analytics' units that the catalogue's unit phrases lack.
PHRASES: dict[str, Callable[[Plural, int], str]] = {
    **CATALOGUE_PHRASES,
    "defects": lambda ngettext, n: ngettext("%(count)s defect", "%(count)s defects", n),
}


@dataclass(frozen=True)
class EffectSentence:
    """The parts of one link's sentence: "<cause> → <effect> (<interval>)"."""

    cause: str  # "Delivery delay +1 day"
    effect: str  # "CSAT (1–5) −0.20 points"; "CSAT (1–5) –" without an estimate
    interval: str | None  # "−0.22 … −0.17"
    per_unit: str  # the raw slope, for those who want it: "−0.1969 (−0.2191 … −0.1747)"


def decimals(per_step: EffectPerStep, money: bool = False) -> int:
    """Decimals that show the effect to its precision: enough for two significant digits
    of the estimate, but none finer than two significant digits of the interval's
    half-width ("−0.20 (−0.22 … −0.17)", "+0.00 (−0.50 … 0.50)"); whole amounts of money unless
    the effect is below one unit of the currency."""
    low, high, estimate = per_step.ci_low, per_step.ci_high, per_step.estimate
    sizes = [abs(estimate)] if estimate else []
    if low is not None and high is not None and high > low:
        sizes.append((high - low) / 2)
    if not sizes:
        return 0
    if money:
        return 0 if max(sizes) >= 1 else 2
    return min(MAX_DECIMALS, max(0, min(1 - math.floor(math.log10(size)) for size in sizes)))


class EffectWords:
    """Writes links' effects per step in one page's language and currency."""

    def __init__(self, formats: NumberFormats, gettext: Callable[[str], str],
                 ngettext: Plural, currency: str) -> None:  # fmt: skip
        self.formats, self.gettext, self.ngettext = formats, gettext, ngettext
        self.currency = currency

    def name(self, key: str) -> str:
        label = SENTENCE_NAMES.get(key)
        return self.gettext(label) if label else variable_name(key, self.gettext)

    def count(self, unit: str, text: str, whole: int | None) -> str:
        """``text`` with its unit in the plural form of ``whole`` (a fraction when None:
        "0.26 days", "0,26 дня")."""
        phrase = PHRASES.get(unit)
        if phrase is None:
            return f"{text} {unit}"
        return phrase(self.ngettext, 2 if whole is None else abs(whole)) % {"count": text}

    def step(self, per_step: EffectPerStep) -> str:
        """The cause's step: "+1 day", "+10 minutes", "+10 pp", "+€1,000"."""
        # Imported here, as the page imports the analytics: they load statsmodels.
        from kano.analytics.linkage.steps import MONEY, SHARE

        step, unit = per_step.step, per_step.cause_unit
        if unit == SHARE:
            return self.gettext("+%(points)s pp") % {
                "points": self.formats.decimal(step * 100, 0)}
        if unit == MONEY:
            return self.formats.money(step, self.currency, 0, signed=True)
        whole = round(step)
        return self.count(unit, "+" + self.formats.integer(whole), whole)

    def change(self, per_step: EffectPerStep) -> tuple[str, str | None]:
        """The effect per step with its unit, and its interval ("−0.22 … −0.17")."""
        from kano.analytics.linkage.steps import MONEY, PERCENT, PERCENTAGE_POINTS

        unit, formats = per_step.effect_unit, self.formats
        value, low, high = per_step.estimate, per_step.ci_low, per_step.ci_high
        if value is None:
            return "–", None
        digits = decimals(per_step, money=unit == MONEY)
        bounds: tuple[str, str] | None = None
        if unit == MONEY:
            text = formats.money(value, self.currency, digits, signed=True)
            if low is not None and high is not None:
                bounds = (formats.money(low, self.currency, digits),
                          formats.money(high, self.currency, digits))  # fmt: skip
        elif unit == PERCENT:
            text = formats.percent(value / 100, digits, signed=True)
            if low is not None and high is not None:
                bounds = formats.percent(low / 100, digits), formats.percent(high / 100, digits)
        else:
            signed = formats.signed(value, digits)
            if unit == PERCENTAGE_POINTS:
                text = self.gettext("%(points)s pp") % {"points": signed}
            else:
                text = self.count(unit, signed, round(value) if digits == 0 else None)
            if low is not None and high is not None:
                bounds = formats.decimal(low, digits), formats.decimal(high, digits)
        return text, (f"{bounds[0]} … {bounds[1]}" if bounds else None)

    def sentence(self, cause: str, effect: str, estimate: float | None,
                 ci_low: float | None, ci_high: float | None) -> EffectSentence:  # fmt: skip
        """One link's sentence from its raw slope and interval (per unit of the cause)."""
        from kano.analytics.linkage.steps import effect_per_step

        per_step = effect_per_step(cause, effect, estimate, ci_low, ci_high)
        change, interval = self.change(per_step)
        significant = self.formats.significant
        per_unit = significant(estimate) + (
            f" ({significant(ci_low)} … {significant(ci_high)})"
            if ci_low is not None and ci_high is not None else "")  # fmt: skip
        return EffectSentence(f"{self.name(cause)} {self.step(per_step)}",
                              f"{self.name(effect)} {change}", interval, per_unit)  # fmt: skip
