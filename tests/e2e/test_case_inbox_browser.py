"""The case inbox in a real browser: it opens on the cases still to work on, its status
filter says so, and choosing "Any status" (or an old bookmark's empty ``status=``) brings
the resolved cases back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import CaseRow, Workspace, utcnow
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage

pytestmark = pytest.mark.browser


def _a_new_and_a_resolved_case(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = session.scalars(
                select(Workspace.id).where(Workspace.slug == "northwind")).one()
            now = utcnow()
            session.add_all([
                CaseRow(workspace_id=workspace, rule="detractor", title="Parcel arrived broken",
                        status="new", opened_at=now - timedelta(hours=2),
                        first_response_due_at=now + timedelta(hours=2),
                        resolution_due_at=now + timedelta(days=3)),
                CaseRow(workspace_id=workspace, rule="detractor", title="Invoice was wrong",
                        status="resolved", opened_at=now - timedelta(days=4),
                        first_responded_at=now - timedelta(days=3),
                        resolved_at=now - timedelta(days=2),
                        first_response_due_at=now - timedelta(days=3, hours=20),
                        resolution_due_at=now - timedelta(days=1)),
            ])
    finally:
        engine.dispose()


def test_the_inbox_opens_on_open_cases_and_any_status_shows_the_resolved(
    kano_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page, showcase = watched_page.page, seeded_database.showcase
    _a_new_and_a_resolved_case(seeded_database.url)
    page.goto(kano_server.url("/login?next=/cases"))
    page.get_by_label("E-mail address").fill(showcase.email)
    page.get_by_label("Password").fill(showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(kano_server.url("/cases"))

    status = page.locator("#filter-status")
    expect(status.locator("option:checked")).to_have_text("Open (new or in progress)")
    rows = page.locator("table.cases tbody tr th")
    expect(rows).to_have_text(["Parcel arrived broken"])

    status.select_option(label="Any status")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_text(["Parcel arrived broken", "Invoice was wrong"])
    assert "status=any" in page.url
    expect(status.locator("option:checked")).to_have_text("Any status")

    page.goto(kano_server.url("/cases?status=&team=&lang=hu"))  # bookmarked before
    expect(rows).to_have_count(2)
    expect(status.locator("option:checked")).to_have_text("Bármely állapot")
    assert watched_page.problems == []
