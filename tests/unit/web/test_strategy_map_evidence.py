"""The strategy map's evidence for a tested arrow reads as the linkage page reads a link: a
step of the cause and the effect in its own unit ("Delivery delay +1 day → CSAT (1–5) −0.21
points"), not the raw slope "per unit of" the cause; with the lag in words ("no lag" for
one response against its own order or contact, which read "…, lag –, n = 1,455"; "after 90
days") and the verdict, in each language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kano.adapters.db.views.link_tests import LinkTestLine
from kano.adapters.web.i18n import load_translations
from kano.adapters.web.routes.strategy_map import evidence_text
from kano.adapters.web.strategy_formats import StrategyFormats


def _line(lag: str, cause: str = "delivery_delay_days", effect: str = "csat",
          estimate: tuple[float, float, float] = (-0.2123, -0.2442, -0.1804)) -> LinkTestLine:
    return LinkTestLine(
        10, 7, False, "supported", "delivery-delay", "site-csat", cause, effect, lag,
        *estimate, -0.366, 1455, "OLS at response grain, customer-clustered 95 % CI",
        datetime.now(UTC),
    )  # fmt: skip


@pytest.mark.parametrize(("language", "no_lag", "ninety_days"), [
    ("en", "supported by the data: Delivery delay +1 day → CSAT (1–5) −0.21 points "
     "(95 % CI −0.24 … −0.18), no lag, n = 1,455", "after 90 days, n = 1,455"),
    ("ru", "подтверждено данными: Задержка доставки +1 день → CSAT (1–5) −0,21 балла "
     "(95 % ДИ −0,24 … −0,18), без лага, n = 1\u00a0455", "через 90 дней, n = 1\u00a0455"),
    ("hu", "az adatok alátámasztják: Szállítási késés +1 nap → CSAT (1–5) −0,21 pont "
     "(95 % CI: −0,24 … −0,18), késleltetés nélkül, n = 1\u00a0455",
     "90 nap múlva, n = 1\u00a0455"),
])  # fmt: skip
def test_an_arrow_reads_per_step_of_its_cause_with_its_lag_in_words(
    language: str, no_lag: str, ninety_days: str
) -> None:
    translations = load_translations(language)
    fmt = StrategyFormats(language, ngettext=translations.ngettext)

    for lag in ("0", ""):
        text = evidence_text(_line(lag), translations.gettext, fmt)
        assert text == no_lag
    assert evidence_text(_line("90D"), translations.gettext, fmt).endswith(ninety_days)


@pytest.mark.parametrize(("cause", "effect", "estimate", "said"), [
    # a probability per point of one customer's 0–10 answer: +4.3 percentage points
    ("nps", "repurchase_rate", (0.04258, 0.0241, 0.0623),
     "NPS answer (0–10) +1 point → Repurchase rate +4.3 pp (95 % CI 2.4 … 6.2)"),
    # CSAT points per second of waiting, read per minute
    ("call_wait_seconds", "csat", (-0.0006497, -0.0009, -0.0004),
     "Call waiting time +60 seconds → CSAT (1–5) −0.039 points (95 % CI −0.054 … −0.024)"),
    ("orders", "revenue", (89.2, 82.1, 96.3),
     "Orders +1 order → Revenue +€89 (95 % CI €82 … €96)"),
])  # fmt: skip
def test_an_arrow_states_its_effect_in_the_effects_own_unit(
    cause: str, effect: str, estimate: tuple[float, float, float], said: str
) -> None:
    translations = load_translations("en")
    fmt = StrategyFormats("en", "EUR", ngettext=translations.ngettext)

    text = evidence_text(_line("1M", cause, effect, estimate), translations.gettext, fmt)

    assert text == f"supported by the data: {said}, after 1 month, n = 1,455"
    assert "per unit" not in text


def test_an_arrow_without_an_estimate_gives_its_verdict_alone() -> None:
    translations = load_translations("ru")
    line = LinkTestLine(**{**_line("").__dict__, "verdict": "too few observations",
                           "estimate": None, "ci_low": None, "ci_high": None})  # fmt: skip

    text = evidence_text(line, translations.gettext, StrategyFormats("ru"))

    assert text == translations.gettext("too few observations to test")
    assert text != "too few observations to test"
