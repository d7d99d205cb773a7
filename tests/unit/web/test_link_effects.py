"""The linkage page's sentences (``kano.adapters.web.link_effects``): a step of the cause
and the effect in its own unit, in English, Russian and Hungarian, with the plural form the
number asks for and digits that follow the estimate's size and precision."""

from __future__ import annotations

import pytest

from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.i18n import load_translations
from kano.adapters.web.link_effects import EffectWords, decimals
from kano.analytics.linkage.steps import EffectPerStep

M = "\u2212"


def words(language: str, currency: str = "EUR") -> EffectWords:
    translations = load_translations(language)
    return EffectWords(NumberFormats(language), translations.gettext, translations.ngettext,
                       currency)  # fmt: skip


@pytest.mark.parametrize(("language", "link", "cause", "effect", "interval"), [
    ("en", ("delivery_delay_days", "csat", -0.1969, -0.2191, -0.1747),
     "Delivery delay +1 day", f"CSAT (1–5) {M}0.20 points", f"{M}0.22 … {M}0.17"),
    ("ru", ("delivery_delay_days", "csat", -0.1969, -0.2191, -0.1747),
     "Задержка доставки +1 день", f"CSAT (1–5) {M}0,20 балла", f"{M}0,22 … {M}0,17"),
    ("hu", ("delivery_delay_days", "csat", -0.1969, -0.2191, -0.1747),
     "Szállítási késés +1 nap", f"CSAT (1–5) {M}0,20 pont", f"{M}0,22 … {M}0,17"),
    ("en", ("nps", "repurchase_rate", 0.04258, 0.02352, 0.06164),
     "NPS answer (0–10) +1 point", "Repurchase rate +4.3 pp", "2.4 … 6.2"),
    ("ru", ("nps", "repurchase_rate", 0.04258, 0.02352, 0.06164),
     "Ответ NPS (0–10) +1 балл", "Доля повторных покупок +4,3 п. п.", "2,4 … 6,2"),
    ("en", ("first_response_minutes", "ces", -0.006901, -0.009324, -0.004479),
     "First response time +10 minutes", f"CES (1–7) {M}0.069 points",
     f"{M}0.093 … {M}0.045"),
    ("ru", ("call_wait_seconds", "csat", 0.0006497, -0.0007024, 0.002002),
     "Ожидание на линии +60 секунд", "CSAT (1–5) +0,039 балла", f"{M}0,042 … 0,120"),
    # whole minutes: the plural form of the number ("25 минут", "21 минута")
    ("en", ("engagement", "first_response_minutes", -24.66, -35.2, -14.12),
     "Team engagement (1–5) +1 point", f"First response time {M}25 minutes",
     f"{M}35 … {M}14"),
    ("ru", ("engagement", "first_response_minutes", -24.66, -35.2, -14.12),
     "Вовлечённость команды (1–5) +1 балл", f"Время первого ответа {M}25 минут",
     f"{M}35 … {M}14"),
    ("ru", ("engagement", "first_response_minutes", -21.2, -33.0, -9.0),
     "Вовлечённость команды (1–5) +1 балл", f"Время первого ответа {M}21 минута",
     f"{M}33 … {M}9"),
    ("ru", ("engagement", "delivery_delay_days", -0.2553, -0.3624, -0.1483),
     "Вовлечённость команды (1–5) +1 балл", f"Задержка доставки {M}0,26 дня",
     f"{M}0,36 … {M}0,15"),
    ("en", ("orders", "revenue", 88.67, 81.76, 95.57),
     "Orders +1 order", "Revenue +€89", "€82 … €96"),
    ("en", ("nps", "spend", 0.04809, -0.03236, 0.1285),
     "NPS answer (0–10) +1 point", "Spend +4.9%", f"{M}3.2% … 13.7%"),
    ("en", ("competency", "delivery_delay_days", -2.0, -3.0, -1.0),
     "Competency coverage +10 pp", f"Delivery delay {M}0.20 days", f"{M}0.30 … {M}0.10"),
    ("en", ("nps", "churn_rate", None, None, None), "NPS answer (0–10) +1 point",
     "Churn rate –", None),
])  # fmt: skip
def test_sentence(
    language: str, link: tuple[str, str, float | None, float | None, float | None],
    cause: str, effect: str, interval: str | None,
) -> None:
    said = words(language).sentence(*link)

    assert (said.cause, said.effect, said.interval) == (cause, effect, interval)


def test_money_as_the_cause_moves_by_a_thousand_of_the_currency() -> None:
    said = words("hu", "HUF").sentence("revenue", "orders", 0.0021, 0.0012, 0.0030)

    assert said.cause == "Árbevétel +1\u00a0000\u00a0Ft"
    assert said.effect == "Rendelések +2,1 rendelés" and said.interval == "1,2 … 3,0"


def test_the_raw_slope_per_unit_is_kept() -> None:
    said = words("ru").sentence("delivery_delay_days", "csat", -0.1969, -0.2191, -0.1747)

    assert said.per_unit == f"{M}0,1969 ({M}0,2191 … {M}0,1747)"


@pytest.mark.parametrize(("estimate", "low", "high", "shown"), [
    (-0.1969, -0.2191, -0.1747, 2),  # two significant digits of the estimate
    (4.258, 2.352, 6.164, 1),
    (0.0001, -0.5, 0.5, 2),  # none finer than the interval's precision: +0.00 (−0.50 … 0.50)
    (-24.66, -35.2, -14.12, 0),
    (0.0028, None, None, 4),  # no interval: the estimate's size alone
    (None, None, None, 0),
])  # fmt: skip
def test_decimals(
    estimate: float | None, low: float | None, high: float | None, shown: int
) -> None:
    assert decimals(EffectPerStep(1, "days", "days", estimate, low, high)) == shown
