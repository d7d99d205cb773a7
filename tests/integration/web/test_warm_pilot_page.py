"""A pilot's page on a warm visit: its plan (two metric queries per customer × month and
the power search, ~1 s of the page) is kept until the warehouse changes, so a warm visit
of a DuckDB warehouse does not open it, yet shows what a fresh computation shows; after a
load that adds baseline months the next visit shows the new plan.

The app database is SQLite and PostgreSQL (the ``live`` fixture), the warehouse a real
DuckDB file."""

from __future__ import annotations

from typing import Any

import pytest

from kano.adapters.db import pilots as store
from kano.adapters.db.engine import transaction
from kano.adapters.warehouse import ParquetSource
from kano.adapters.web.page_figures import PAGE_FIGURES
from kano.bootstrap import Container
from kano.metrics import Catalogue
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.demo_session import browser
from tests.integration.web.test_warehouse_memo import opened_warehouses
from tests.integration.web.test_warm_analysis_pages import reloaded
from tests.warehouses import load_into

__all__ = ["browser", "demo_data", "live", "reloaded"]


def _pilot(live: Container, name: str, **periods: str) -> int:
    raw: dict[str, Any] = {
        "name": name, "pilot_group": {"filters": {"region": "north"}},
        "control_group": {"filters": {"region": "south"}}, "kpis": ["revenue"],
        "target_effect": 50.0, **periods,
    }  # fmt: skip
    with transaction(live.sessions) as db:
        line = store.create_pilot(db, workspace_id(live.sessions), raw,
                                  metric_ids=Catalogue().ids(), actor="test", user_id=None)
        return line.id


def test_a_warm_visit_opens_no_warehouse_and_shows_a_fresh_plan(
    live: Container, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    pilot = _pilot(live, "Same-day delivery", baseline_start="2025-01-01",
                   baseline_end="2025-06-30", test_start="2025-07-01", test_end="2025-09-30")
    path = f"/pilots/{pilot}?lang=en"
    first = browser.page(path).text
    assert float(text_of(first, "plan-mde").replace(",", "")) > 0
    opened = opened_warehouses(monkeypatch)

    warm = browser.page(path).text
    assert opened == []
    monkeypatch.setattr(PAGE_FIGURES, "enabled", False)
    computed = browser.page(path).text
    assert opened
    assert warm == computed == first


def test_a_load_after_a_visit_shows_the_new_plan(
    live: Container, demo_data: Any, reloaded: tuple[Browser, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    reader, url = reloaded  # the warehouse holds orders up to August 2026
    pilot = _pilot(live, "Autumn pilot", baseline_start="2026-05-01",
                   baseline_end="2026-10-31", test_start="2026-11-01", test_end="2026-12-31")
    path = f"/pilots/{pilot}?lang=en"
    before = reader.page(path).text
    assert "plan-mde" in before
    load_into(url, ParquetSource(demo_data), workspace_id(live.sessions))  # Sep and Oct arrive
    after = reader.page(path).text
    monkeypatch.setattr(PAGE_FIGURES, "enabled", False)
    computed = reader.page(path).text
    assert after == computed
    assert text_of(after, "plan-sd") != text_of(before, "plan-sd")
