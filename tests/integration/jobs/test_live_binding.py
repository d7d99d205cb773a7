"""Live binding (issue 5, item 6): measures and key results bound to a metric refresh from
the warehouse, keep their history, and the scorecard and OKR pages show it.

The demo company (size S) and its strategy are loaded once per app-database engine; its
warehouse is a DuckDB file loaded from the same Parquet files. Expected numbers come from
pandas on the Parquet files, not from the engine under test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.orm import (
    ComputedValueRow,
    ComputeRunRow,
    KeyResultRow,
    MeasureRow,
    MeasureValueRow,
    Workspace,
)
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.jobs.compute import RefreshReport, refresh_workspace, warehouse_backend
from kano.adapters.warehouse import ParquetSource
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings
from kano.demo import generate_company
from kano.demo.strategy import import_demo_strategy
from tests.conftest import ENGINES
from tests.databases import DatabaseFactory, require_engine
from tests.integration.web.browsing import Browser, text_of
from tests.warehouses import load_into

WORKSPACE = "demo"


def _nps(scores: pd.Series) -> float:
    return float(100 * ((scores >= 9).mean() - (scores <= 6).mean()))


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("live-demo")
    generate_company("S", 1, out)
    return out


@pytest.fixture(scope="module", params=ENGINES)
def live(
    request: pytest.FixtureRequest,
    database_factory: DatabaseFactory,
    demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Container]:
    """The demo workspace with its strategy in the app database, and its warehouse."""
    engine: str = request.param
    require_engine(engine)
    url = database_factory.fresh(engine)
    warehouse = f"duckdb:///{tmp_path_factory.mktemp('live-warehouse') / 'w.duckdb'}"
    container = build_container(
        Settings(
            database_url=url,
            warehouse_url=warehouse,
            secret_key="test-secret-key-0123456789abcdef",
            demo_data_dir=str(demo_data),
        )
    )
    load_company(container.sessions, demo_data, WORKSPACE, "Northwind (demo)")
    import_demo_strategy(container.sessions, demo_data, WORKSPACE)
    load_into(warehouse, ParquetSource(demo_data), workspace_id(container.sessions))
    yield container
    container.close()
    database_factory.drop(url)


def workspace_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalars(select(Workspace.id).where(Workspace.slug == WORKSPACE)).one()


def refresh(container: Container) -> RefreshReport:
    ws = workspace_id(container.sessions)
    with container.sessions() as session:
        catalogue = workspace_catalogue(session, ws)
    with warehouse_backend(container.settings.resolved_warehouse_url()) as backend:
        return refresh_workspace(container.sessions, backend, ws, catalogue, trigger="test")


def measure(session: Session, key: str) -> MeasureRow:
    return session.scalars(select(MeasureRow).where(MeasureRow.key == key)).one()


def key_result(session: Session, key: str) -> KeyResultRow:
    return session.scalars(select(KeyResultRow).where(KeyResultRow.key == key)).one()


def nps_by_month(
    demo_data: Path, survey: str | None = None, segment: str | None = None
) -> dict[date, tuple[float, int]]:
    """NPS and its n per month straight from the Parquet files, with pandas."""
    responses = pd.read_parquet(demo_data / "responses.parquet")
    if survey is not None:
        surveys = pd.read_parquet(demo_data / "surveys.parquet")
        survey_id = surveys.loc[surveys["key"] == survey, "survey_id"].item()
        responses = responses[responses["survey_id"] == survey_id]
    if segment is not None:
        customers = pd.read_parquet(demo_data / "customers.parquet")
        segments = pd.read_parquet(demo_data / "segments.parquet")
        segment_id = segments.loc[segments["key"] == segment, "segment_id"].item()
        members = customers.loc[customers["segment_id"] == segment_id, "customer_id"]
        responses = responses[responses["customer_id"].isin(members)]
    rated = responses[responses["nps"].notna()]
    grouped = rated.groupby(rated["submitted_at"].dt.to_period("M"))["nps"]
    return {period.to_timestamp().date(): (_nps(scores), len(scores)) for period, scores in grouped}


def test_compute_stores_each_period_with_n_interval_and_time(
    live: Container, demo_data: Path
) -> None:
    report = refresh(live)
    assert report.status == "ok", report.errors
    assert report.bindings >= 30
    assert report.data_end == date(2026, 10, 31)
    expected = nps_by_month(demo_data, survey="relationship-nps")
    with live.sessions() as session:
        nps = measure(session, "relationship-nps")
        values = session.scalars(
            select(MeasureValueRow).where(MeasureValueRow.measure_id == nps.id)
        ).all()
        stored = {v.period_start: v for v in values}
        assert set(stored) == set(expected)
        for month, (value, n) in expected.items():
            row = stored[month]
            assert row.actual == pytest.approx(value, rel=1e-9, abs=1e-9)
            assert row.n == n
            assert row.ci_low is not None and row.ci_high is not None
            assert row.ci_low < row.actual < row.ci_high
            assert row.source == "metric" and row.computed_at is not None
        run = session.get(ComputeRunRow, report.run_id)
        assert run is not None and run.status == "ok" and run.finished_at is not None


def test_a_second_run_changes_nothing_and_adds_no_history(live: Container) -> None:
    refresh(live)
    with live.sessions() as session:
        before = session.scalar(select(func.count()).select_from(ComputedValueRow))
    again = refresh(live)
    assert again.status == "ok" and again.values_changed == 0
    with live.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ComputedValueRow)) == before


def test_key_result_gets_the_metric_over_the_cycle_so_far(live: Container, demo_data: Path) -> None:
    refresh(live)
    responses = pd.read_parquet(demo_data / "responses.parquet")
    surveys = pd.read_parquet(demo_data / "surveys.parquet")
    survey_id = surveys.loc[surveys["key"] == "relationship-nps", "survey_id"].item()
    cycle = responses[
        (responses["survey_id"] == survey_id)
        & responses["nps"].notna()
        & (responses["submitted_at"] >= "2026-10-01")
    ]["nps"]
    with live.sessions() as session:
        kr = key_result(session, "q4-relationship-nps")
        assert kr.current == pytest.approx(_nps(cycle), rel=1e-9)
        assert kr.current_n == len(cycle)
        assert kr.computed_at is not None


def _measure_row_text(html: str, measure_id: int) -> str:
    return text_of(html, f"measure-{measure_id}")


def _live_notes(html: str) -> list[str]:
    return re.findall(r'<span class="cell-note live-value">([^<]*)</span>', html)


def test_rebinding_nps_changes_the_scorecard_and_the_okr_tree_and_keeps_history(
    live: Container, demo_data: Path
) -> None:
    refresh(live)
    client = TestClient(create_app(container=live), follow_redirects=False)
    browser = Browser(client)
    browser.log_in("helen.carter@northwind.example", "demo")
    with live.sessions() as session:
        nps, kr = measure(session, "relationship-nps"), key_result(session, "q4-relationship-nps")
        nps_id, kr_id = nps.id, kr.id
        old_kr = kr.current
    page = client.get("/scorecard").text
    assert text_of(page, "last-refresh").startswith("Live values refreshed")
    scorecard_before = _measure_row_text(page, nps_id)
    okr_page = client.get("/okr").text
    assert "Live values refreshed" in text_of(okr_page, "last-refresh")
    okr_before = _live_notes(okr_page)
    assert any("live from Net Promoter Score" in note for note in okr_before)

    # Bind the measure and the key result to the NPS of key accounts only.
    key_accounts = {"segment": "key_account"}
    with live.sessions.begin() as session:
        session.execute(
            update(MeasureRow).where(MeasureRow.id == nps_id).values(metric_slice=key_accounts)
        )
        session.execute(
            update(KeyResultRow).where(KeyResultRow.id == kr_id).values(metric_slice=key_accounts)
        )
    report = refresh(live)
    assert report.status == "ok" and report.values_changed > 0

    key_account_nps = nps_by_month(demo_data, segment="key_account")
    last_month = max(key_account_nps)
    scorecard_after = _measure_row_text(client.get("/scorecard").text, nps_id)
    assert scorecard_after != scorecard_before
    expected_n = key_account_nps[last_month][1]
    assert f"n = {expected_n:,}" in scorecard_after
    okr_after = _live_notes(client.get("/okr").text)
    assert okr_after != okr_before
    with live.sessions() as session:
        kr = key_result(session, "q4-relationship-nps")
        assert kr.current != pytest.approx(old_kr)
        history = session.scalars(
            select(ComputedValueRow).where(
                ComputedValueRow.subject == "measure",
                ComputedValueRow.subject_id == nps_id,
                ComputedValueRow.period_start == last_month,
            )
        ).all()
        assert [h.metric_slice for h in history][-1] == key_accounts
        assert len({h.value for h in history}) >= 2, "the value before the rebinding is kept"
        stored = session.scalars(
            select(MeasureValueRow).where(
                MeasureValueRow.measure_id == nps_id, MeasureValueRow.period_start == last_month
            )
        ).one()
        assert stored.actual == pytest.approx(key_account_nps[last_month][0], rel=1e-9)


def test_a_broken_binding_is_reported_and_the_others_still_refresh(live: Container) -> None:
    with live.sessions.begin() as session:
        broken = measure(session, "revenue")
        original: dict[str, Any] = {"metric_id": broken.metric_id}
        broken.metric_id = "no_such_metric"
    try:
        report = refresh(live)
        assert report.status == "partial"
        assert [(e["key"], e["metric_id"]) for e in report.errors] == [
            ("revenue", "no_such_metric")
        ]
        assert "no_such_metric" in report.errors[0]["error"]
        with live.sessions() as session:
            run = session.get(ComputeRunRow, report.run_id)
            assert run is not None and run.status == "partial" and run.errors
        client = TestClient(create_app(container=live), follow_redirects=False)
        Browser(client).log_in("helen.carter@northwind.example", "demo")
        assert "had errors" in text_of(client.get("/scorecard").text, "last-refresh")
    finally:
        with live.sessions.begin() as session:
            measure(session, "revenue").metric_id = original["metric_id"]
