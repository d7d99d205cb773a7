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

from kano.adapters.db import journey_store
from kano.adapters.db.orm import Segment, Workspace
from kano.adapters.warehouse import ParquetSource
from kano.adapters.web.page_figures import PAGE_FIGURES
from kano.app import create_app
from kano.bootstrap import Container
from kano.demo.strategy import import_demo_strategy
from tests.integration.journeys.conftest import DemoWorkspace
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.warehouses import load_into

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
    csat = re.search(r"Site delivery by own fleet: CSAT ([0-9]+[.,][0-9]+)", table)
    assert csat, table
    assert 4.0 < float(csat.group(1).replace(",", ".")) < 4.4, table  # the demo's bad touchpoint
    delay = {"en": "Delivery delay (days)", "ru": "Задержка доставки (дни)",
             "hu": "Szállítási késés (nap)"}[lang]
    assert f"Site delivery by own fleet: {delay}" in table  # the OX row, by its name
    first_row = text_of(page, "pain-point-table").split(" 2 ")[0]
    assert "1 Site delivery by own fleet Delivery and use CSAT" in first_row
    assert "<svg" in page and "polyline" in page


def _number_cells(html: str) -> list[str]:
    """The figures of the stage table, the pain-point table and the drawing's labels."""
    cells = re.findall(r'<td class="number">(.*?)</td>', html, re.S)
    scores = re.findall(r"\b(?:NPS|CSAT|CES|Rating|Оценка|Értékelés) ([^<(]*)\(n [^)<]*\)", html)
    drawing = re.findall(r"<text [^>]*>([^<]*)</text>", html.split("<svg", 1)[1])
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in cells + scores + drawing]


@pytest.mark.parametrize(("lang", "points"), [("ru", "п. п."), ("hu", "százalékpont")])
def test_numbers_are_written_the_way_the_language_writes_them(
    site: Browser, lang: str, points: str
) -> None:
    """The QA pass found Python's "%.2f" and "%+.1f" on the Russian and Hungarian maps:
    "-0.35" with a hyphen, "4.21" with a point, "+2.5 pp" in English."""
    html = site.page("/journeys", params={"journey": "smb", "segment": "*", "lang": lang}).text
    figures = " | ".join(_number_cells(html))

    assert not re.search(r"(?<![\w-])-\d", figures), figures  # a true minus, not a hyphen
    assert "\u2212" in figures, figures  # the emotion curve goes below the average
    assert not re.search(r"\d\.\d", figures), figures
    assert re.search(r"\d,\d\d", figures), figures
    uplift = text_of(html, "pain-point-table")
    assert points in uplift and " pp" not in uplift, uplift


def test_english_groups_thousands_and_writes_nps_in_whole_points(site: Browser) -> None:
    """"15 122 023" with spaces on the English page; NPS with two decimals."""
    html = site.page("/journeys", params={"journey": "smb", "segment": "*", "lang": "en"}).text
    figures = _number_cells(html)

    assert not [f for f in figures if re.search(r"\d[\s\u202f\u00a0]\d{3}\b", f)], figures
    # Revenue at risk: money in the demo's euros, grouped ("€15,122,023 (€… … €…)").
    assert [f for f in figures if re.fullmatch(r"\u2212?€\d{1,3}(,\d{3})+( \(.*\))?", f)], figures
    nps = re.findall(r"\bNPS ([^ <]+)", html)
    assert nps, "the demo's journey has NPS touchpoints"
    assert all(re.fullmatch(r"[+\u2212]?\d+", score) for score in nps), nps


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
    # The initiative by its name, not its key (the QA pass read the key).
    assert ("Site delivery by own fleet → Initiative Delivery East turnaround: team-lead "
            "coaching and route planning") in links
    assert "delivery-east-turnaround" not in links
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


def test_revenue_at_risk_is_in_the_workspace_currency(
    site: Browser, container: Container, demo_workspace: DemoWorkspace
) -> None:
    """The map and its SVG write revenue at risk with the workspace's currency."""
    with container.sessions.begin() as session:
        session.execute(update(Workspace).where(Workspace.id == demo_workspace.workspace_id)
                        .values(currency="HUF"))
    html = site.page("/journeys", params={"journey": "smb", "segment": "*", "lang": "hu"}).text
    cells = [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r'<td class="number">(.*?)</td>', html, re.S)]
    amounts = [cell for cell in cells if "Ft" in cell]
    assert amounts, cells
    money = r"\u2212?\d{1,3}( \d{3})* Ft"
    interval = rf"( \({money} … {money}\))?"
    assert all(re.fullmatch(money + interval, cell) for cell in amounts), amounts
    svg = site.client.get("/journeys/smb.svg", params={"segment": "*", "lang": "hu"})
    assert svg.status_code == 200 and "\u00a0Ft</text>" in svg.text


@pytest.mark.parametrize(("lang", "channel", "rating"), [("en", "Field sales", "Rating"),
                                                          ("hu", "Területi értékesítés", None)])
def test_the_map_names_channels_teams_and_touchpoints_not_their_keys(
    site: Browser, lang: str, channel: str, rating: str | None
) -> None:
    """The QA pass read "web · e-commerce", "purchase-web: CES 5,17" and "RATING" on the map:
    keys of channels, teams, touchpoints and measures."""
    page = site.page("/journeys", params={"journey": "smb", "segment": "*", "lang": lang}).text
    table = text_of(page, "journey-map")
    assert f"{channel} · Delivery Central" in table, table  # site delivery's owner team
    assert "delivery-central" not in table and "key-account-sales" not in table
    assert "delivery-field" not in table and "purchase-web" not in table
    assert "RATING" not in table
    if rating:
        assert f"{rating} " in table
    pains = text_of(page, "pain-point-table")
    assert "delivery-field" not in pains and "Delivery and use" in pains  # the stage's name


# --- the figures are kept between visits, never past a load or an edit -------------------

SLICE = {"journey": "smb", "segment": "*"}


def _figures(site: Browser) -> tuple[str, str]:
    page = site.page("/journeys", params=SLICE).text
    return text_of(page, "journey-map"), text_of(page, "pain-point-table")


def _computed_afresh(site: Browser, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    with monkeypatch.context() as patch:
        patch.setattr(PAGE_FIGURES, "enabled", False)
        return _figures(site)


def test_a_load_after_a_visit_shows_the_new_figures_on_the_next(
    site: Browser, demo_workspace: DemoWorkspace, other_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _figures(site)
    load_into(demo_workspace.warehouse_url, ParquetSource(other_dir), demo_workspace.workspace_id)

    after = _figures(site)
    assert after != before
    assert after == _computed_afresh(site, monkeypatch)


def test_a_new_stage_order_after_a_visit_is_computed_on_the_next(
    site: Browser, container: Container, demo_workspace: DemoWorkspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """"Reached the next stage" follows the journey's stage order, which lives in the app
    database: a reordered journey is a new question, not the kept answer."""
    before = _figures(site)
    ws = demo_workspace.workspace_id
    with container.sessions.begin() as session:
        order = journey_store.get_journey(session, ws, "smb").stage_keys
        journey_store.reorder_stages(session, ws, "smb", list(reversed(order)))

    after = _figures(site)
    assert after == _computed_afresh(site, monkeypatch)
    reached = [re.search(r"TX: reached the next stage ([^A-Z]*)", table).group(1).split()
               for table in (before[0], after[0])]  # type: ignore[union-attr]
    assert reached[1] != list(reversed(reached[0]))


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "Key accounts journey"),
        ("ru", "Путь клиента: Key accounts"),
        ("hu", "Ügyfélút: Key accounts"),
    ],
)
def test_a_journey_nobody_named_is_titled_in_the_readers_language(
    site: Browser, container: Container, demo_workspace: DemoWorkspace, lang: str, title: str
) -> None:
    """The QA pass read "Key accounts journey" in English on the Russian and Hungarian
    maps: the seeded title is translated; a journey someone named keeps its name."""
    from sqlalchemy import select

    from kano.adapters.db.orm import JourneyRow

    page = site.page("/journeys", params={"journey": "key-account", "lang": lang}).text
    assert f"<title>{title} ·" in page
    assert f'<p class="lead">{title} ·' in page
    assert f'<option value="key-account" selected>{title}</option>' in page
    if lang != "en":
        assert "journey</option>" not in page and "Key accounts journey" not in page

    smb = (JourneyRow.workspace_id == demo_workspace.workspace_id, JourneyRow.key == "smb")
    with container.sessions.begin() as session:
        seeded = session.scalars(select(JourneyRow.name).where(*smb)).one()
        session.execute(update(JourneyRow).where(*smb).values(name="Fleet buyers' path"))
    try:
        named = site.page("/journeys", params={"journey": "smb", "lang": lang}).text
        assert "<title>Fleet buyers&#39; path ·" in named
    finally:
        with container.sessions.begin() as session:
            session.execute(update(JourneyRow).where(*smb).values(name=seeded))


@pytest.mark.parametrize(
    ("lang", "rating"), [("en", "Rating"), ("ru", "Оценка"), ("hu", "Értékelés")]
)
def test_the_drawing_names_its_pain_points_as_the_table_does(
    site: Browser, lang: str, rating: str
) -> None:
    """The QA pass of the Russian demo found the drawing (and so its PNG and PDF) listing
    "1. delivery-field · CSAT …" and "onboarding-email · RATING": keys, where the table
    beside it names "Site delivery by own fleet" and writes a rating as a word."""
    svg = site.client.get("/journeys/key-account.svg", params={"lang": lang}).text
    lines = re.findall(r"<text [^>]*>(\d+\. [^<]*)</text>", svg)
    assert lines and lines[0].startswith("1. Site delivery by own fleet · CSAT "), lines
    assert not [line for line in lines if re.search(r"\d\. [a-z]+-[a-z]+ ·", line)], lines
    assert [line for line in lines if f"· {rating} " in line], lines  # onboarding's rating
    assert "RATING" not in svg
