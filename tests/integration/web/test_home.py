"""The home page's figures, computed in the database for the current workspace only: the
headline figures with useful notes, NPS with its 95 % interval, and the monthly chart with
the interval band."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, Transaction
from kano.adapters.db.views.home import NpsTally, home_figures
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies, seed_companies


def _add_a_lapsed_customer(sessions: sessionmaker[Session], workspace_id: int) -> None:
    """A fourth customer whose only purchase is older than the window: not active."""
    with transaction(sessions) as db:
        lapsed = Customer(workspace_id=workspace_id, external_id="C-lapsed", kind="person",
                          name="Lapsed")
        db.add(lapsed)
        db.flush()
        db.add(Transaction(workspace_id=workspace_id, customer_id=lapsed.id,
                           occurred_at=datetime(2024, 5, 2), amount=10.0, margin=1.0,
                           product="widget", channel="web"))


def test_home_shows_the_hand_computed_figures(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    _add_a_lapsed_customer(sessions, companies.acme_id)
    browser.log_in(companies.alice, companies.password)

    page = browser.page("/").text

    # C0 bought and answered in July 2024 – June 2025, C1 and C2 answered; the fourth
    # customer's only purchase (May 2024) is older than the window.
    assert text_of(page, "figure-customers") == "Customers 4 3 active in the last 12 months"
    # 10 NPS answers (Aug – Dec 2024) and the CSAT-only one (Jan 2025) are in the window;
    # the answer of 1 June 2024 falls in the twelve months before it.
    assert text_of(page, "figure-responses") == (
        "Responses 12 11 in the last 12 months, 1 in the 12 before")
    # 6 promoters and 2 detractors among 10 answers: 100 × (6 − 2) / 10 = +40. Adjusted
    # Wald: p = 6.75/13, d = 2.75/13, centre +30.8, half-width 1.96 × 100 × √(Var/13) = 43.4.
    assert text_of(page, "figure-nps") == (
        "NPS, last 12 months +40 Interval (95%): −13 – +74 n = 10 answers")
    # 1,200 + 800 + 500 inside July 2024 – June 2025; the 10,000 of June 2024 is too old.
    assert text_of(page, "figure-revenue") == "Revenue, last 12 months €2,500 €2,500"
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
    p, d = 6.75 / 13, 2.75 / 13
    half = 1.959964 * 100 * ((p + d - (p - d) ** 2) / 13) ** 0.5
    assert figures.nps.estimate.low == pytest.approx(100 * (p - d) - half)
    assert figures.nps.estimate.high == pytest.approx(100 * (p - d) + half)
    assert (figures.active_customers, figures.responses_in_window,
            figures.responses_before) == (3, 11, 1)
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
    assert values[-1]["nps_low"] is None and values[-1]["interval_text"] == "–"
    # October 2024 holds the answers 9 and 6 (index 2 and 7): NPS 0. Adjusted Wald:
    # p = d = 1.75/5, Var = 100² × 0.7 / 5 = 1,400, half-width 1.96 × √1,400 = 73.3.
    october = values[3]
    assert october["month"] == "Oct 2024"
    assert (october["nps"], october["nps_low"], october["nps_high"]) == (0.0, -73.3, 73.3)
    assert october["interval_text"] == "−73 – +73"


def test_home_chart_draws_the_nps_band_on_the_nps_scale(
    browser: Browser, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    spec = _chart_spec(browser.page("/").text)
    bars, nps = spec["layer"]
    band, line = nps["layer"]  # nested: the band shares the line's scale, not the bars'

    assert bars["mark"]["type"] == "bar" and spec["resolve"]["scale"]["y"] == "independent"
    assert band["mark"]["type"] == "area" and line["mark"]["type"] == "line"
    assert (band["encoding"]["y"]["field"], band["encoding"]["y2"]["field"]) == (
        "nps_low", "nps_high")
    assert band["encoding"]["y"]["title"] == line["encoding"]["y"]["title"] == "NPS"
    assert {"field": "interval_text", "title": "Interval (95%)"} in line["encoding"]["tooltip"]


def test_home_table_gives_each_month_its_interval(
    browser: Browser, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    table = text_of(browser.page("/").text, "home-chart-table")

    assert table.startswith("Month Revenue NPS Interval (95%) Answers")
    # September 2024: the answers 10 and 7 (index 1 and 6), one promoter of two: NPS +50.
    # Adjusted Wald: p = 1.75/5, d = 0.75/5, centre +20, Var = 100² × (0.5 − 0.04) / 5 = 920,
    # half-width 59.4 → −39 – +79.
    assert "Sep 2024 €0 +50 −39 – +79 2" in table
    assert "Jun 2025 €1,200 – – 0" in table


def _chart_spec(page: str) -> dict[str, object]:
    embedded = re.search(
        r'<script type="application/json" id="home-chart-spec">(.*?)</script>', page, re.DOTALL
    )
    assert embedded is not None
    spec: dict[str, object] = json.loads(embedded.group(1))
    return spec


def test_a_workspace_never_shows_another_workspace_rows(
    browser: Browser, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    page = browser.page("/").text

    assert "Globex" not in page
    for leaked in ("7,777,777", "7.8M", "NPS, last 12 months −100", "n = 20 answers",
                   "20 in the last 12 months", "Customers 5"):
        assert leaked not in text_of(page, "main")


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
    assert text_of(page, "figure-revenue") == "Revenue, last 12 months €7.8M €7,777,777"
    # 20 detractors: NPS −100; the adjusted interval (¾ promoter, ¾ detractor, 1½ passives
    # added) still has a width: −100 – −70, where the plain one read −100 – −100.
    assert text_of(page, "figure-nps") == (
        "NPS, last 12 months −100 Interval (95%): −100 – −70 n = 20 answers")


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
