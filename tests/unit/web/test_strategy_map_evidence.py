"""The strategy map's evidence for an arrow tested without a lag (one response against its
own order or contact) says so in words in each language; it read "…, lag –, n = 1,455"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kano.adapters.db.views.link_tests import LinkTestLine
from kano.adapters.web.i18n import load_translations
from kano.adapters.web.routes.strategy_map import evidence_text
from kano.adapters.web.strategy_formats import StrategyFormats


def _line(lag: str) -> LinkTestLine:
    return LinkTestLine(
        10, 7, False, "supported", "delivery-delay", "site-csat", "delivery_delay_days",
        "csat", lag, -0.2123, -0.2442, -0.1804, -0.366, 1455,
        "OLS at response grain, customer-clustered 95 % CI", datetime.now(UTC),
    )


@pytest.mark.parametrize(("language", "no_lag", "ninety_days"), [
    ("en", "(95 % CI −0.244 to −0.18), no lag, n = 1,455",
     "(95 % CI −0.244 to −0.18), lag 90 days, n = 1,455"),
    ("ru", "(95 % ДИ от −0,244 до −0,18), без лага, n = 1\u00a0455",
     "(95 % ДИ от −0,244 до −0,18), лаг 90 дней, n = 1\u00a0455"),
    ("hu", "(95 % CI: −0,244 – −0,18), késleltetés nélkül, n = 1\u00a0455",
     "(95 % CI: −0,244 – −0,18), késleltetés: 90 nap, n = 1\u00a0455"),
])  # fmt: skip
def test_an_arrow_tested_without_a_lag_says_so_in_words(
    language: str, no_lag: str, ninety_days: str
) -> None:
    translations = load_translations(language)
    fmt = StrategyFormats(language, ngettext=translations.ngettext)

    for lag in ("0", ""):
        text = evidence_text(_line(lag), translations.gettext, fmt)
        assert text.endswith(no_lag), text
        assert "–," not in text
    assert evidence_text(_line("90D"), translations.gettext, fmt).endswith(ninety_days)
