"""The profit page's default periods lie inside the data window.

On the demo company the window starts in November 2024; the months before it hold only the
carried-in orders (each existing customer's last one). Two 12-month periods ending with the
last complete month (September 2026) would have started in October 2024 and compared a
year with one thin month against a full one. A start the user gives is used as is.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest

from kano.analytics.value import views
from kano.bootstrap import Container
from kano.metrics.data_window import data_window
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.demo_session import backend, browser

__all__ = ["backend", "browser", "demo_data", "live"]


def test_the_demo_window_starts_after_the_carried_in_months(
    live: Container, backend: Any
) -> None:
    window = data_window(backend, workspace_id(live.sessions))
    assert window is not None
    assert f"{window[0]:%Y-%m-%d}" == "2024-11-01"


@pytest.mark.parametrize("months", [1, 3, 6, 11, 12, 18, 24])
def test_default_periods_start_inside_the_data_window(
    live: Container, backend: Any, months: int
) -> None:
    report = views.profit_view(backend, workspace_id(live.sessions), months=months)
    assert report["before_period"][0] >= "2024-11-01"
    # the later period still ends with the last complete month; the two are as long
    assert report["after_period"][1] == "2026-10-01"
    assert report["before_period"][1] == report["after_period"][0]
    fits = min(months, 11)  # November 2024 .. September 2026: 23 whole months
    assert report["months"] == fits
    assert report["windowed"] is (months > fits)
    start = 2026 * 12 + 9 - 2 * fits
    assert report["before_period"][0] == f"{start // 12}-{start % 12 + 1:02d}-01"


def test_profit_page_says_when_the_window_shortened_the_periods(browser: Browser) -> None:
    year = browser.client.get("/value/profit?months=12&lang=en")
    assert year.status_code == 200
    heading = text_of(year.text, "waterfall-heading")
    assert "Oct 2024" not in heading and "Dec 2024" in heading, heading
    hint = text_of(year.text, "period-hint")
    assert "from 12 to 11 months" in hint and "data window" in hint, hint
    quarter = browser.client.get("/value/profit?months=3&lang=en").text
    assert 'id="period-hint"' not in quarter
    russian = browser.client.get("/value/profit?months=12&lang=ru").text
    assert "с 12 до 11 мес." in text_of(russian, "period-hint")


def test_a_start_the_user_gives_is_used_as_is(
    live: Container, browser: Browser, backend: Any
) -> None:
    given = views.profit_view(backend, workspace_id(live.sessions), months=12,
                              start=date(2024, 10, 1))  # fmt: skip
    assert given["before_period"] == ["2024-10-01", "2025-10-01"]
    assert given["after_period"] == ["2025-10-01", "2026-10-01"]
    assert given["months"] == 12 and not given["windowed"]

    page = browser.client.get("/value/profit?months=12&start=2024-10-01&lang=en")
    assert page.status_code == 200
    assert 'id="period-hint"' not in page.text
    assert "Oct 2024" in text_of(page.text, "waterfall-heading")
    assert 'name="start" value="2024-10-01"' in page.text
    rows = dict(re.findall(r'<tr data-lever="(\w+)">.*?<td class="number">([^<]+)</td></tr>',
                           page.text, re.S))  # fmt: skip
    assert set(rows) == {lever["lever"] for lever in given["levers"]}
    # the export carries the start along and holds the same periods' numbers
    assert "start=2024-10-01" in page.text
    exported = browser.client.get("/value/profit.csv?months=12&start=2024-10-01&lang=en")
    assert exported.status_code == 200
    lines = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    default = views.profit_view(backend, workspace_id(live.sessions), months=12)
    leads = {line[0]: line for line in lines[1:]}["Leads"]
    assert float(leads[2]) == given["levers"][0]["before"] != default["levers"][0]["before"]


def test_a_start_that_is_not_a_date_is_named(browser: Browser) -> None:
    page = browser.client.get("/value/profit?start=2024-13-01&lang=en")
    assert "2024-13-01" in page.text
    assert "waterfall-heading" not in page.text
