"""The value pages' segment picker lists every segment grouped by source, and a rule
segment narrows the page to its current members (SQLite and PostgreSQL app databases,
the demo company's warehouse reloaded from the app database with the segment's spans)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, utcnow
from kano.adapters.warehouse import AppDatabaseSource, connect
from kano.adapters.web.routes.value import segment_groups
from kano.analytics.value import views
from kano.bootstrap import Container
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser
from tests.integration.web.demo_session import browser
from tests.warehouses import load_into

__all__ = ["browser", "demo_data", "live"]
KEY = "north-accounts"


@pytest.fixture(scope="module")
def rule_segment(live: Container) -> set[int]:
    """A rule segment of the accounts in one region, refreshed, and the warehouse loaded
    from the app database with its spans; the ids of its members now."""
    ws = workspace_id(live.sessions)
    with transaction(live.sessions) as session:
        region = session.scalar(select(Customer.region).where(
            Customer.workspace_id == ws, Customer.kind == "account",
            Customer.region.is_not(None)).order_by(Customer.id).limit(1))  # fmt: skip
        segments.save_segment(session, ws, {
            "key": KEY, "name": "Accounts in one region", "source": "rule",
            "rule": {"all": [{"field": "kind", "op": "eq", "value": "account"},
                             {"field": "region", "op": "eq", "value": region}]},
        })  # fmt: skip
        segments.refresh_segments(session, ws, utcnow(), keys=[KEY])
        total, rows = segments.members_now(session, ws, KEY, limit=100_000)
    assert 0 < total == len(rows)
    load_into(live.settings.resolved_warehouse_url(), AppDatabaseSource(live.engine), ws,
              full=True)  # fmt: skip
    return {row.customer_id for row in rows}


def _groups(page: str) -> dict[str, list[str]]:
    picker = re.search(r'<select id="segment-select".*?</select>', page, re.S)
    assert picker, "the page has a segment picker"
    return {label: re.findall(r'<option value="([^"]+)"', body)
            for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>',
                                          picker.group(0), re.S)}  # fmt: skip


def test_picker_groups_every_segment_by_source_in_each_language(
    live: Container, rule_segment: set[int], browser: Browser
) -> None:
    ws = workspace_id(live.sessions)
    with live.sessions() as session:
        overview = segments.segment_overview(session, ws)
    manual = sorted(s.key for s in overview if s.source == "manual")
    english = _groups(browser.client.get("/value/rfm?lang=en").text)
    assert english["Rule segments"] == [KEY]
    assert sorted(english["Manual segments"]) == manual and manual
    russian = _groups(browser.client.get("/value/rfm?lang=ru").text)
    assert russian["Сегменты по правилу"] == [KEY]
    hungarian = _groups(browser.client.get("/value/rfm?lang=hu").text)
    assert hungarian["Szabályalapú szegmensek"] == [KEY]
    with live.sessions() as session:
        grouped = dict(segment_groups(session, ws, [KEY, *manual, "gone"]))
    assert "gone" in grouped["Manual segments"]  # a key the app no longer knows


def test_a_rule_segment_narrows_the_rfm_page_to_its_current_members(
    live: Container, rule_segment: set[int], browser: Browser
) -> None:
    ws = workspace_id(live.sessions)
    backend: Any = connect(live.settings.resolved_warehouse_url(), read_only=True)
    try:
        everyone = views.rfm_view(backend, ws)
        view = views.rfm_view(backend, ws, segment=KEY)
    finally:
        backend.disconnect()
    shown = {int(c["customer_id"]) for c in view.customers}
    assert shown and shown <= rule_segment
    assert len(shown) < len(everyone.customers)

    page = browser.client.get(f"/value/rfm?segment={KEY}&lang=en").text
    assert f'<option value="{KEY}" selected>' in page
    assert "means its current members" in page
    for segment in view.segments:
        name = re.escape(str(escape(segment["segment"])))
        row = re.search(rf'<tr data-segment="{name}">(.*?)</tr>', page, re.S)
        assert row, segment["segment"]
        assert f"{segment['customers']:,}" in row.group(1)
