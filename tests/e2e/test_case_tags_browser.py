"""The case page's root-cause field in a real browser: it offers the workspace's tags for
the tag being typed after a comma (``static/js/case-tags.js``), and a tag with spaces is
saved as one tag, in the workspace's spelling of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import CaseRow, Workspace, utcnow
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage

pytestmark = pytest.mark.browser


def _a_tagged_and_an_untagged_case(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = session.scalars(
                select(Workspace.id).where(Workspace.slug == "northwind")).one()
            now = utcnow()
            tagged, untagged = (
                CaseRow(workspace_id=workspace, rule="detractor", title=title, status="new",
                        opened_at=now - timedelta(hours=2),
                        first_response_due_at=now + timedelta(hours=2),
                        resolution_due_at=now + timedelta(days=3), root_causes=tags)
                for title, tags in (("Invoice was wrong", ["ox:delivery-defects",
                                                           "Billing issue"]),
                                    ("Parcel arrived broken", None))
            )
            session.add_all([tagged, untagged])
            session.flush()
            return untagged.id
    finally:
        engine.dispose()


def test_the_tag_field_offers_the_workspaces_tags_after_a_comma(
    kano_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page, showcase = watched_page.page, seeded_database.showcase
    case_id = _a_tagged_and_an_untagged_case(seeded_database.url)
    page.goto(kano_server.url(f"/login?next=/cases/{case_id}"))
    page.get_by_label("E-mail address").fill(showcase.email)
    page.get_by_label("Password").fill(showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(kano_server.url(f"/cases/{case_id}"))

    field = page.locator("#root-causes")
    offered = page.locator("#root-cause-suggestions option")
    field.click()
    field.press_sequentially("OX:Delivery-Defects, Bil")
    # The tag already typed (in another case) is not offered again; the other one is,
    # written after what was typed so the browser's list matches it.
    expect(offered).to_have_count(1)
    assert offered.first.get_attribute("value") == "OX:Delivery-Defects, Billing issue"

    field.fill("OX:Delivery-Defects, Billing issue")
    page.get_by_role("button", name="Save the tags").click()
    # Saved in the spelling the workspace's other case uses: one tag, counted together.
    expect(page.locator("#case-root-causes")).to_have_text(
        "ox:delivery-defects, Billing issue")
    assert watched_page.problems == []
