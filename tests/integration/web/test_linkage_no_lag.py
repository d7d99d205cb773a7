"""A link tested on one response against its own order or contact has no lag, and the
linkage page says so in words ("no lag", "без лага", "késleltetés nélkül"), not with a
bare dash."""

from __future__ import annotations

import re

import pytest

from tests.integration.jobs.test_live_binding import demo_data, live
from tests.integration.web.browsing import Browser
from tests.integration.web.demo_session import browser

__all__ = ["browser", "demo_data", "live"]

NO_LAG = {"en": "no lag", "ru": "без лага", "hu": "késleltetés nélkül"}


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_a_link_without_lag_says_no_lag_in_the_readers_language(
    browser: Browser, language: str
) -> None:
    page = browser.client.get(f"/linkage?lang={language}").text

    lags = re.findall(r'<td class="link-lag">([^<]*)</td>', page)
    assert lags, page
    # the demo's chain tests CSAT and CES on the response to its own delivery or contact
    assert NO_LAG[language] in lags
    assert not [lag for lag in lags if not lag.strip() or lag.strip() in "–-—"]
