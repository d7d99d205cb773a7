"""The journey-map page on the demo company (SQLite and PostgreSQL app databases): the
stages with their numbers in three languages, the planted pain point first, handing it
to an initiative through the CSRF-checked form, escaping, and the PNG/PDF exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from kano.adapters.db.orm import Segment
from kano.app import create_app
from kano.bootstrap import Container
from kano.demo.strategy import import_demo_strategy
from tests.integration.journeys.conftest import DemoWorkspace
from tests.integration.web.browsing import Browser, csrf_token_in, text_of

ADMIN = "helen.carter@northwind.example"


@pytest.fixture
def site(
    container: Container,
    demo_workspace: DemoWorkspace,
    demo_dir: Path,
) -> Iterator[Browser]:
    import_demo_strategy(container.sessions, demo_dir, demo_workspace.slug)
    with TestClient(create_app(container=container), follow_redirects=False) as client:
        browser = Browser(client)
        assert browser.log_in(ADMIN, "demo").status_code == 303
        yield browser


@pytest.mark.parametrize(
    ("lang", "heading", "risk"),
    [
        ("en", "Customer journey map", "Revenue at risk"),
        ("ru", "Карта пути клиента", "Выручка под риском"),
        ("hu", "Ügyfélút-térkép", "Veszélyeztetett árbevétel"),
    ],
)
def test_the_map_shows_stages_numbers_and_the_planted_pain_point_first(
    site: Browser, lang: str, heading: str, risk: str
) -> None:
    page = site.page("/journeys", params={"journey": "smb", "segment": "*", "lang": lang}).text
    assert heading in page and risk in page
    table = text_of(page, "journey-map")
    assert "Delivery and use" in table
    csat = re.search(r"delivery-field: CSAT ([0-9.]+)", table)
    assert csat and 4.0 < float(csat.group(1)) < 4.4, table  # the demo's bad touchpoint
    assert "delivery-field: delivery_delay_days" in table  # the OX row, from process events
    first_row = text_of(page, "pain-point-table").split(" 2 ")[0]
    assert "1 delivery-field delivery CSAT" in first_row
    assert "<svg" in page and "polyline" in page


def test_a_pain_point_is_handed_to_an_initiative(site: Browser) -> None:
    page = site.page("/journeys", params={"journey": "key-account"}).text
    response = site.client.post(
        "/journeys/key-account/links",
        data={
            "touchpoint": "delivery-field",
            "target": "initiative:delivery-east-turnaround",
            "note": "<script>alert(1)</script>",
            "csrf_token": csrf_token_in(page),
        },
    )
    assert response.status_code == 303
    after = site.page(response.headers["location"]).text
    links = text_of(after, "pain-point-links")
    assert "delivery-field → Initiative delivery-east-turnaround" in links
    assert "<script>alert(1)</script>" not in after
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in after

    bad = site.client.post(
        "/journeys/key-account/links",
        data={"touchpoint": "delivery-field", "target": "", "csrf_token": csrf_token_in(page)},
    )
    assert bad.status_code == 422
    assert "Choose an initiative or an OKR objective." in text_of(bad.text, "journey-error")
    forged = site.client.post(
        "/journeys/key-account/links",
        data={"touchpoint": "delivery-field", "target": "initiative:delivery-east-turnaround"},
    )
    assert forged.status_code == 403


def test_names_are_escaped_and_files_export(site: Browser, container: Container) -> None:
    with container.sessions.begin() as session:
        session.execute(update(Segment).where(Segment.key == "smb").values(name="<b>SMB</b>"))
    page = site.page("/journeys", params={"journey": "smb"}).text
    assert "<b>SMB</b>" not in page and "&lt;b&gt;SMB&lt;/b&gt;" in page
    png = site.client.get("/journeys/smb.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    pdf = site.client.get("/journeys/smb.pdf", params={"segment": "*"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert site.client.get("/journeys/ghost.png").status_code == 404
    bad = site.client.get("/journeys", params={"journey": "smb", "segment": "martians"})
    assert bad.status_code == 422 and "segment" in text_of(bad.text, "journey-error")
