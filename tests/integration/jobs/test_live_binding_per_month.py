"""A key result with a monthly target (``per: month``) follows its metric over the cycle's
last complete month, not over the cycle so far: "EUR 1.5 M revenue a month" must not show
the quarter's sum. The expected numbers are what ``kano metrics show`` prints for the same
days, run as a user runs it, on SQLite and PostgreSQL app databases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from kano.adapters.db.orm import ComputedValueRow, KeyResultRow, OkrCycleRow, OkrObjectiveRow
from kano.app import create_app
from kano.bootstrap import Container
from tests.integration.jobs import test_live_binding as base
from tests.integration.jobs.test_live_binding import key_result, refresh
from tests.integration.web.browsing import Browser, text_of

demo_data = base.demo_data  # the demo company and its app databases, as the base test's
live = base.live

KEY = "q4-monthly-revenue"


def metrics_show(container: Container, start: date, end: date) -> tuple[float, int]:
    """``kano metrics show revenue --from … --to …`` on the same databases."""
    env = {
        **os.environ,
        "KANO_DATABASE_URL": container.settings.database_url,
        "KANO_WAREHOUSE_URL": container.settings.resolved_warehouse_url(),
        "COLUMNS": "200",
    }
    result = subprocess.run(
        [sys.executable, "-m", "kano", "metrics", "show", "revenue", "--workspace", "demo",
         "--from", start.isoformat(), "--to", end.isoformat(), "--format", "json"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    return float(row["value"]), int(row["n"])


def set_per(container: Container, per: str) -> None:
    with container.sessions.begin() as session:
        session.execute(update(KeyResultRow).where(KeyResultRow.key == KEY).values(per=per))


def test_a_monthly_target_gets_the_last_complete_month_not_the_cycle(live: Container) -> None:
    # The cycle reaches back to July, so the cycle so far holds four months of revenue.
    with live.sessions.begin() as session:
        kr = key_result(session, KEY)
        cycle_id = session.scalar(
            select(OkrObjectiveRow.cycle_id).where(OkrObjectiveRow.id == kr.okr_objective_id)
        )
        session.execute(
            update(OkrCycleRow).where(OkrCycleRow.id == cycle_id)
            .values(starts_on=date(2026, 7, 1))
        )  # fmt: skip
    set_per(live, "cycle")
    report = refresh(live)
    assert report.data_end == date(2026, 10, 31), report.errors
    cycle_value, cycle_n = metrics_show(live, date(2026, 7, 1), date(2026, 10, 31))
    with live.sessions() as session:
        kr = key_result(session, KEY)
        assert kr.current == pytest.approx(cycle_value, rel=1e-9)
        assert kr.current_n == cycle_n

    client = TestClient(create_app(container=live), follow_redirects=False)
    Browser(client).log_in("helen.carter@northwind.example", "demo")
    set_per(live, "month")
    # Until the next refresh the value is still the cycle's: no month is claimed for it.
    assert 'id="kr-window-' not in client.get("/okr").text
    refresh(live)
    month_value, month_n = metrics_show(live, date(2026, 10, 1), date(2026, 10, 31))
    assert cycle_value > 3 * month_value  # the two windows really differ
    with live.sessions() as session:
        kr = key_result(session, KEY)
        assert kr.per == "month"
        assert kr.current == pytest.approx(month_value, rel=1e-9)
        assert kr.current_n == month_n
        latest = session.scalars(
            select(ComputedValueRow)
            .where(ComputedValueRow.subject == "key_result", ComputedValueRow.subject_id == kr.id)
            .order_by(ComputedValueRow.id.desc())
            .limit(1)
        ).one()
        assert (latest.period_start, latest.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
        kr_id = kr.id

    # The OKR page says which month the number is.
    page = client.get("/okr").text
    assert text_of(page, f"kr-window-{kr_id}") == "per month · October 2026"


def test_key_results_default_to_the_cycle(live: Container) -> None:
    with live.sessions() as session:
        assert key_result(session, "q4-relationship-nps").per == "cycle"
