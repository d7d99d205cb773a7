"""The home page's figures, computed in the database for the current workspace only."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.views.home import NpsTally, home_figures
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies, seed_companies


def test_home_shows_the_hand_computed_figures(browser: Browser, companies: SeededCompanies) -> None:
    browser.log_in(companies.alice, companies.password)

    page = browser.page("/").text

    assert text_of(page, "figure-customers") == "Customers 3 3 in total"
    assert text_of(page, "figure-responses") == "Responses 12 12 in total"
    # 6 promoters and 2 detractors among 10 answers: 100 × (6 − 2) / 10 = +40.
    assert text_of(page, "figure-nps") == "NPS, last 12 months +40 n = 10 answers"
    # 1,200 + 800 + 500 inside July 2024 – June 2025; the 10,000 of June 2024 is too old.
    assert text_of(page, "figure-revenue") == "Revenue, last 12 months 2,500 2,500"
    assert "Last 12 months of data: Jul 2024 – Jun 2025" in page


def test_read_side_returns_twelve_months_that_add_up_to_the_headline(
    sessions: sessionmaker[Session], companies: SeededCompanies
) -> None:
    with sessions() as db:
        figures = home_figures(db, companies.acme_id)

    assert [month.month for month in figures.months][::11] == [date(2024, 7, 1), date(2025, 6, 1)]
    assert len(figures.months) == 12
    assert figures.nps == NpsTally(promoters=6, detractors=2, answered=10)
    assert figures.nps.score == 40.0
    assert figures.revenue == 2500.0
    assert figures.months[0].revenue == 500.0 and figures.months[-1].revenue == 1200.0


def test_home_chart_spec_carries_the_monthly_series(
    browser: Browser, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    page = browser.page("/").text
    embedded = re.search(
        r'<script type="application/json" id="home-chart-spec">(.*?)</script>', page, re.DOTALL
    )

    assert embedded is not None
    spec = json.loads(embedded.group(1))
    values = spec["data"]["values"]
    assert [value["month"] for value in values][:2] == ["Jul 2024", "Aug 2024"]
    assert sum(value["revenue"] for value in values) == 2500.0
    assert values[-1]["nps"] is None  # no answers in June 2025: a gap, not a zero


def test_a_workspace_never_shows_another_workspace_rows(
    browser: Browser, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    page = browser.page("/").text

    assert "Globex" not in page
    for leaked in ("7,777,777", "7.8M", "−100", "20 in total", "5 in total"):
        assert leaked not in page


def test_switching_workspace_changes_the_figures(
    browser: Browser, client: TestClient, companies: SeededCompanies
) -> None:
    browser.log_in(companies.bob, companies.password)
    token = browser.session_token()

    switched = client.post(
        "/workspace", data={"workspace_id": str(companies.globex_id), "next": "/cx",
                            "csrf_token": token},
    )
    page = browser.page("/").text

    assert switched.status_code == 303 and switched.headers["location"] == "/cx"
    assert text_of(page, "figure-revenue") == "Revenue, last 12 months 7.8M 7,777,777"
    assert text_of(page, "figure-nps") == "NPS, last 12 months −100 n = 20 answers"


def test_a_user_cannot_switch_into_a_workspace_they_do_not_belong_to(
    browser: Browser, client: TestClient, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)
    token = browser.session_token()

    response = client.post(
        "/workspace", data={"workspace_id": str(companies.globex_id), "csrf_token": token},
    )

    assert response.status_code == 404
    assert "Acme Ltd" in browser.page("/").text


def test_workspace_name_is_escaped(client: TestClient, sessions: sessionmaker[Session]) -> None:
    seeded = seed_companies(sessions, acme_name="<script>alert(1)</script>")
    browser = Browser(client)
    browser.log_in(seeded.alice, seeded.password)

    page = browser.page("/").text

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_workspace_without_activity_explains_where_figures_come_from(
    browser: Browser, client: TestClient, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as db:
        empty = accounts.ensure_workspace(db, "empty", "Empty Co")
        user = accounts.ensure_user(db, "carol@empty.test", companies.password)
        accounts.grant_role(db, empty, user, Role.VIEWER)
    browser.log_in("carol@empty.test", companies.password)

    page = browser.page("/").text

    assert "No transactions or responses yet." in page
    assert text_of(page, "figure-nps") == "NPS, last 12 months – n = 0 answers"
    assert 'id="home-chart"' not in page
