"""The journey map refuses a bad period, segment or pain-point hand-over in the reader's
language (Russian, Hungarian), the user's value kept, with no word of the domain's English;
on the demo company, SQLite and PostgreSQL app databases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kano.adapters.web.i18n import load_translations
from kano.app import create_app
from kano.bootstrap import Container
from kano.demo.strategy import import_demo_strategy
from tests.integration.journeys.conftest import DemoWorkspace
from tests.integration.web.browsing import Browser, csrf_token_in, text_of

ADMIN = "helen.carter@northwind.example"
TRANSLATIONS = {language: load_translations(language) for language in ("ru", "hu")}
# Words of the domain's refusals ("unknown segment 'x'", "the period start … is not before
# its end …", "'x' is not a date (YYYY-MM-DD)", "unknown touchpoint 'x'").
ENGLISH = re.compile(
    r"\b(unknown|segment|period|start|before|end|date|the|not|touchpoint|link|one|check"
    r"|value|again|figures|could)\b", re.IGNORECASE)


@pytest.fixture
def site(container: Container, demo_workspace: DemoWorkspace, demo_dir: Path) -> Iterator[Browser]:
    import_demo_strategy(container.sessions, demo_dir, demo_workspace.slug)  # its people
    with TestClient(create_app(container=container), follow_redirects=False) as client:
        browser = Browser(client)
        assert browser.log_in(ADMIN, "demo").status_code == 303
        yield browser


def said(language: str, text: str, **values: object) -> str:
    translated = TRANSLATIONS[language].gettext(text)
    assert translated != text, f"{text!r} has no {language} text"
    return translated % values if values else translated


@pytest.mark.parametrize("language", ["ru", "hu"])
@pytest.mark.parametrize(("params", "field_text", "text", "values"), [
    ({"segment": "martians"}, "Choose a segment of this workspace.",
     "%(value)s is not a segment of this workspace.", {"value": "'martians'"}),
    ({"from": "2025-13-01", "to": "2025-12-31"},
     "Check the period: dates as YYYY-MM-DD, the first before the last.",
     "%(value)s is not a date: write it as YYYY-MM-DD.", {"value": "'2025-13-01'"}),
    ({"from": "2025-06-01", "to": "2025-01-01"},
     "Check the period: dates as YYYY-MM-DD, the first before the last.",
     "The period must start before it ends (%(start)s – %(end)s).",
     {"start": "2025-06-01", "end": "2025-01-01"}),
])
def test_a_bad_filter_is_refused_in_the_readers_language(
    site: Browser, language: str, params: dict[str, str], field_text: str, text: str,
    values: dict[str, object],
) -> None:
    bad = site.client.get("/journeys", params={"journey": "smb", "lang": language, **params})

    assert bad.status_code == 422
    error = text_of(bad.text, "journey-error")
    assert said(language, field_text) in error
    assert said(language, text, **values) in error
    assert not ENGLISH.search(error), error


@pytest.mark.parametrize("language", ["ru", "hu"])
def test_a_pain_point_for_an_unknown_touchpoint_is_refused_in_the_readers_language(
    site: Browser, language: str
) -> None:
    page = site.page("/journeys", params={"journey": "key-account", "lang": language}).text
    bad = site.client.post(
        f"/journeys/key-account/links?lang={language}",
        data={"touchpoint": "moon-base", "target": "initiative:delivery-east-turnaround",
              "csrf_token": csrf_token_in(page)},
    )

    assert bad.status_code == 422
    error = text_of(bad.text, "journey-error")
    assert said(language, "%(value)s is not a touchpoint of this journey.",
                value="'moon-base'") in error
    assert not ENGLISH.search(error), error
