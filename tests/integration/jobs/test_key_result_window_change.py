"""A change of a live key result's window (``per``) shows the new window's value at once:
the API's PATCH and the OKR page's form recompute it in the same request, with the
worker's own computation, so the number right after equals what ``kano metrics show``
prints for the new window's days. When the warehouse cannot be read (or a strategy file
changes the window: ``kano strategy apply`` has no warehouse), the old window's number is
withdrawn and the API and the page say the value awaits the next refresh. The demo
company (size S) on SQLite and PostgreSQL app databases, a DuckDB warehouse.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.orm import (
    ComputedValueRow,
    KeyResultRow,
    OkrCycleRow,
    OkrObjectiveRow,
    Workspace,
)
from kano.adapters.strategy_code import export_yaml, import_strategy
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings
from kano.domain.workspaces import Scope
from tests.integration.jobs import test_live_binding as base
from tests.integration.jobs.test_live_binding import key_result, refresh
from tests.integration.jobs.test_live_binding_per_month import KEY, metrics_show, set_per
from tests.integration.web.browsing import Browser, text_of

demo_data = base.demo_data
live = base.live

ADMIN = "helen.carter@northwind.example"
JULY, OCTOBER, DATA_END = date(2026, 7, 1), date(2026, 10, 1), date(2026, 10, 31)


def _cycle_from_july(container: Container) -> None:
    """The cycle reaches back to July, so the cycle so far and October differ."""
    with container.sessions.begin() as session:
        kr = key_result(session, KEY)
        cycle_id = session.scalar(
            select(OkrObjectiveRow.cycle_id).where(OkrObjectiveRow.id == kr.okr_objective_id))
        session.execute(update(OkrCycleRow).where(OkrCycleRow.id == cycle_id)
                        .values(starts_on=JULY))


@pytest.fixture
def monthly(live: Container) -> Container:
    """The revenue key result per month, refreshed by the worker's computation."""
    _cycle_from_july(live)
    set_per(live, "month")
    report = refresh(live)
    assert report.data_end == DATA_END, report.errors
    return live


def _token(container: Container) -> dict[str, str]:
    with container.sessions.begin() as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        token = accounts.create_api_token(session, workspace, Scope.WRITE, "h6-test").token
    return {"Authorization": f"Bearer {token}"}


def _latest_days(container: Container, kr_id: int) -> tuple[date, date, int | None]:
    with container.sessions() as session:
        row = session.scalars(
            select(ComputedValueRow)
            .where(ComputedValueRow.subject == "key_result", ComputedValueRow.subject_id == kr_id)
            .order_by(ComputedValueRow.id.desc()).limit(1)
        ).one()
        return row.period_start, row.period_end, row.run_id


def _patch(api: TestClient, headers: dict[str, str], per: str) -> dict[str, Any]:
    response = api.patch(f"/api/v1/okr/key-results/{KEY}", json={"per": per}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_api_patch_returns_the_new_windows_value(monthly: Container) -> None:
    api = TestClient(create_app(container=monthly))
    headers = _token(monthly)
    cycle_value, cycle_n = metrics_show(monthly, JULY, DATA_END)
    month_value, month_n = metrics_show(monthly, OCTOBER, DATA_END)
    assert cycle_value > 3 * month_value  # the two windows really differ

    to_cycle = _patch(api, headers, "cycle")

    assert to_cycle["per"] == "cycle" and to_cycle["awaiting_refresh"] is False
    assert to_cycle["current"] == pytest.approx(cycle_value, rel=1e-9)
    fetched = api.get(f"/api/v1/okr/key-results/{KEY}", headers=headers).json()
    assert fetched["current"] == pytest.approx(cycle_value, rel=1e-9)
    with monthly.sessions() as session:
        kr = key_result(session, KEY)
        assert kr.current_n == cycle_n
        kr_id = kr.id
    # the history says which days, as a refresh's row would (no run: the request did it)
    assert _latest_days(monthly, kr_id) == (JULY, DATA_END, None)

    back = _patch(api, headers, "month")

    assert back["current"] == pytest.approx(month_value, rel=1e-9)
    with monthly.sessions() as session:
        assert key_result(session, KEY).current_n == month_n
    assert _latest_days(monthly, kr_id)[:2] == (OCTOBER, DATA_END)


def test_the_pages_form_shows_the_new_window_right_after_the_save(monthly: Container) -> None:
    browser = Browser(TestClient(create_app(container=monthly), follow_redirects=False))
    browser.log_in(ADMIN, "demo")
    with monthly.sessions() as session:
        kr_id = key_result(session, KEY).id
    cycle_value, _ = metrics_show(monthly, JULY, DATA_END)
    month_value, month_n = metrics_show(monthly, OCTOBER, DATA_END)
    page = browser.page("/okr").text
    assert f'id="kr-per-form-{kr_id}"' in page
    assert text_of(page, f"kr-window-{kr_id}") == "per month · October 2026"

    saved = browser.client.post(f"/okr/key-results/{kr_id}/window",
                                data={"per": "cycle", "csrf_token": browser.session_token()})

    assert saved.status_code == 303, saved.text
    assert saved.headers["location"].endswith(f"#kr-{kr_id}")
    with monthly.sessions() as session:
        kr = key_result(session, KEY)
        assert (kr.per, kr.current) == ("cycle", pytest.approx(cycle_value, rel=1e-9))
    page = browser.page("/okr").text
    assert f'id="kr-window-{kr_id}"' not in page  # the cycle so far: no month claimed
    assert f'id="kr-awaiting-{kr_id}"' not in page

    browser.client.post(f"/okr/key-results/{kr_id}/window",
                        data={"per": "month", "csrf_token": browser.session_token()})
    page = browser.page("/okr").text
    assert text_of(page, f"kr-window-{kr_id}") == "per month · October 2026"
    assert f"n = {month_n:,}" in text_of(page, f"kr-{kr_id}")
    with monthly.sessions() as session:
        assert key_result(session, KEY).current == pytest.approx(month_value, rel=1e-9)


def test_an_unknown_window_is_refused_next_to_the_form(monthly: Container) -> None:
    browser = Browser(TestClient(create_app(container=monthly), follow_redirects=False))
    browser.log_in(ADMIN, "demo")
    with monthly.sessions() as session:
        kr_id = key_result(session, KEY).id
    refused = browser.client.post(f"/okr/key-results/{kr_id}/window?lang=hu",
                                  data={"per": "week", "csrf_token": browser.session_token()})
    assert refused.status_code == 422
    assert text_of(refused.text, f"kr-per-error-{kr_id}") == (
        "Válassza a ciklust eddig vagy a havi mérést.")
    with monthly.sessions() as session:
        assert key_result(session, KEY).per == "month"


def test_without_the_warehouse_the_old_windows_number_is_withdrawn(
    monthly: Container, tmp_path: Any,
) -> None:
    blind = build_container(Settings(
        database_url=monthly.settings.database_url,
        warehouse_url=f"duckdb:///{tmp_path / 'missing.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef",
    ))
    try:
        api = TestClient(create_app(container=blind))
        changed = _patch(api, _token(blind), "cycle")
        assert changed["per"] == "cycle"
        assert (changed["current"], changed["awaiting_refresh"]) == (None, True)
        browser = Browser(TestClient(create_app(container=blind), follow_redirects=False))
        browser.log_in(ADMIN, "demo")
        page = browser.page("/okr").text
        with blind.sessions() as session:
            kr_id = key_result(session, KEY).id
        assert text_of(page, f"kr-awaiting-{kr_id}") == (
            "No value for its window yet: the next refresh computes it.")
        assert f'id="kr-window-{kr_id}"' not in page
    finally:
        blind.close()

    refresh(monthly)  # the next refresh brings the value for the new window
    cycle_value, _ = metrics_show(monthly, JULY, DATA_END)
    with monthly.sessions() as session:
        kr = key_result(session, KEY)
        assert kr.current == pytest.approx(cycle_value, rel=1e-9)


def test_a_strategy_file_that_changes_the_window_withdraws_the_old_number(
    monthly: Container,
) -> None:
    """``kano strategy apply`` cannot reach the warehouse: the value waits for a refresh."""
    with monthly.sessions() as session:
        text = export_yaml(session, "demo")
    marker = f"key: {KEY}\n"
    head, _, rest = text.partition(marker)
    assert rest and "per: month\n" in rest
    changed = head + marker + rest.replace("per: month\n", "per: cycle\n", 1)
    with monthly.sessions() as session:
        untouched = {kr.key: kr.current for kr in session.scalars(select(KeyResultRow))
                     if kr.computed_at is not None and kr.key != KEY}

    import_strategy(monthly.sessions, changed, source="h6.yaml", workspace="demo")

    api = TestClient(create_app(container=monthly))
    fetched = api.get(f"/api/v1/okr/key-results/{KEY}", headers=_token(monthly)).json()
    assert (fetched["per"], fetched["current"], fetched["awaiting_refresh"]) == (
        "cycle", None, True)
    with monthly.sessions() as session:
        assert {kr.key: kr.current for kr in session.scalars(select(KeyResultRow))
                if kr.key in untouched} == untouched  # only the changed one is withdrawn
    refresh(monthly)
    cycle_value, _ = metrics_show(monthly, JULY, DATA_END)
    with monthly.sessions() as session:
        assert key_result(session, KEY).current == pytest.approx(cycle_value, rel=1e-9)
