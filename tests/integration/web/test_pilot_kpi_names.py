"""A pilot's KPIs read as the metric catalogue names them in the page's language (the QA
pass read 'on_time_delivery' on the Russian pilot page), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.integration.jobs.test_live_binding import demo_data, live
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.demo_session import browser
from tests.integration.web.test_pilot_pages import FORM

__all__ = ["browser", "demo_data", "live"]


@pytest.fixture(scope="module")
def pilot_url(browser: Browser) -> str:
    page = browser.page("/pilots?lang=en")
    made = browser.client.post("/pilots", data={
        **FORM, "name": "On time in the north", "kpis": "on_time_delivery",
        "csrf_token": csrf_token_in(page.text)})  # fmt: skip
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    evaluated = browser.client.post(f"{url}/evaluate",
                                    data={"csrf_token": csrf_token_in(browser.page(url).text)})
    assert evaluated.status_code == 303, evaluated.text
    return url


@pytest.mark.parametrize(("language", "name"), [("en", "On-time delivery"),
                                                ("ru", "Доставка вовремя"),
                                                ("hu", "Időben teljesített szállítás")])
def test_a_pilot_names_its_kpi_in_the_page_language(
    browser: Browser, pilot_url: str, language: str, name: str
) -> None:
    shown = browser.page(f"{pilot_url}?lang={language}").text
    listed = browser.page(f"/pilots?lang={language}").text
    browser.page("/pilots?lang=en")

    assert name in text_of(shown, "pilot-design")
    assert f"<h3>{name}</h3>" in shown
    assert "on_time_delivery" not in text_of(shown, "pilot-design")
    assert name in text_of(listed, "pilots") and "on_time_delivery" not in text_of(listed,
                                                                                    "pilots")
