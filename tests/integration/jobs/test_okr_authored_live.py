"""A key result added on the OKR page and bound to a catalogue metric updates itself: the
next ``kano compute`` (``refresh_workspace``, as test_live_binding runs it) sets its
value over the cycle so far, and the page's progress bar follows. The demo company (size
S) in the app database (SQLite and PostgreSQL) and a DuckDB warehouse; the expected NPS
comes from pandas on the Parquet files, not from the engine under test."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from kano.adapters.db.orm import KeyResultRow, OkrCycleRow, OkrObjectiveRow
from kano.app import create_app
from kano.bootstrap import Container
from tests.integration.jobs.test_live_binding import (  # noqa: F401  (fixtures)
    _nps,
    demo_data,
    key_result,
    live,
    refresh,
)
from tests.integration.web.browsing import Browser, text_of

ADMIN = "helen.carter@northwind.example"


def test_a_metric_key_result_added_on_the_page_follows_its_metric(
    live: Container, demo_data: Path,  # noqa: F811
) -> None:
    with live.sessions() as session:
        bound = key_result(session, "q4-relationship-nps")
        objective = session.get(OkrObjectiveRow, bound.okr_objective_id)
        assert objective is not None
        cycle = session.get(OkrCycleRow, objective.cycle_id)
        assert cycle is not None and cycle.status == "open"
        objective_id, cycle_key, starts_on = objective.id, cycle.key, cycle.starts_on
    browser = Browser(TestClient(create_app(container=live), follow_redirects=False))
    browser.log_in(ADMIN, "demo")

    added = browser.client.post(f"/okr/objectives/{objective_id}/key-results", data={
        "title": "NPS of every answer from 0 to 60", "kind": "metric", "metric": "nps",
        "start": "0", "target": "60", "csrf_token": browser.session_token()})
    assert added.status_code == 303, added.text
    with live.sessions() as session:
        kr = session.scalar(select(KeyResultRow).where(
            KeyResultRow.title == "NPS of every answer from 0 to 60"))
        assert kr is not None and kr.current is None and kr.computed_at is None
        kr_id = kr.id

    report = refresh(live)

    assert report.status == "ok", report.errors
    responses = pd.read_parquet(demo_data / "responses.parquet")
    rated = responses[responses["nps"].notna()
                      & (responses["submitted_at"] >= pd.Timestamp(starts_on))]["nps"]
    expected = _nps(rated)
    with live.sessions() as session:
        kr = session.get(KeyResultRow, kr_id)
        assert kr is not None and kr.computed_at is not None
        assert kr.current == pytest.approx(expected, rel=1e-9)
        assert kr.current_n == len(rated)
    html = browser.page(f"/okr?cycle={cycle_key}").text
    match = re.search(rf'<progress id="kr-progress-{kr_id}"[^>]* value="([\d.]+)"', html)
    assert match is not None
    assert float(match.group(1)) == pytest.approx(
        100 * min(1.0, max(0.0, expected / 60)), abs=0.05)
    assert f"live from Net Promoter Score, n = {len(rated):,}" in text_of(html, f"kr-{kr_id}")
