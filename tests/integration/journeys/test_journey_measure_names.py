"""The journey map's OX row names the process measures behind each touchpoint in the
page's language (the QA pass read 'first_contact_resolution', 'onboarding_days',
'call_wait_seconds' on the Russian map), on SQLite and PostgreSQL app databases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kano.analytics.linkage.specs import PROCESS_MEASURES
from kano.app import create_app
from kano.bootstrap import Container
from kano.demo.strategy import import_demo_strategy
from tests.integration.journeys.conftest import DemoWorkspace
from tests.integration.web.browsing import Browser

ADMIN = "helen.carter@northwind.example"


@pytest.fixture
def site(container: Container, demo_workspace: DemoWorkspace, demo_dir: Path
         ) -> Iterator[Browser]:  # fmt: skip
    import_demo_strategy(container.sessions, demo_dir, demo_workspace.slug)
    with TestClient(create_app(container=container), follow_redirects=False) as client:
        browser = Browser(client)
        assert browser.log_in(ADMIN, "demo").status_code == 303
        yield browser


@pytest.mark.parametrize(("lang", "delay", "wait"), [
    ("en", "Delivery delay (days)", "Call waiting time (seconds)"),
    ("ru", "Задержка доставки (дни)", "Ожидание на линии (секунды)"),
])  # fmt: skip
def test_the_ox_row_names_process_measures_in_the_page_language(
    site: Browser, lang: str, delay: str, wait: str
) -> None:
    page = site.page("/journeys", params={"journey": "smb", "segment": "*", "lang": lang}).text
    ox = re.search(r"<tr><th scope=\"row\">[^<]*OX[^<]*</th>(.*?)</tr>", page, re.S)
    assert ox, "no OX row"
    row = ox.group(1)

    measures = re.findall(r'data-measure="([^"]+)">([^<]*)<', row)
    assert {key for key, _text in measures} >= {"delivery_delay_days", "call_wait_seconds"}
    shown = " ".join(text for _key, text in measures)
    assert delay in shown and wait in shown
    assert not any(key in re.sub(r'data-measure="[^"]*"', "", row) for key in PROCESS_MEASURES)
