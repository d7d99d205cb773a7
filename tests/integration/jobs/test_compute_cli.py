"""``kano compute`` and ``kano worker --once`` as a user runs them, on the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def kano(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KANO_DATABASE_URL": f"sqlite:///{folder / 'kano.db'}",
        "KANO_DEMO_DATA_DIR": str(folder / "demo-data"),
        "COLUMNS": "200",
    }
    env.pop("KANO_WAREHOUSE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "kano", *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compute-demo")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return folder


def test_demo_comes_refreshed_and_compute_reports_no_change(demo_folder: Path) -> None:
    result = kano(demo_folder, "compute", "--format", "json")
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    assert report["workspace"] == "demo"
    assert report["status"] == "ok"
    assert report["bindings"] >= 30
    assert report["values_changed"] == 0, "kano demo already refreshed every binding"
    assert report["data_end"] == "2026-10-31"
    assert report["errors"] == []


def test_compute_table_and_worker_once(demo_folder: Path) -> None:
    table = kano(demo_folder, "compute", "--workspace", "demo")
    assert table.returncode == 0, table.stderr
    assert "Live bindings refreshed" in table.stdout and "ok" in table.stdout
    worker = kano(demo_folder, "worker", "--once")
    assert worker.returncode == 0, worker.stderr
    assert "compute-bound-metrics: ok" in worker.stdout
    again = kano(demo_folder, "worker", "--once")
    assert again.returncode == 0 and "compute-bound-metrics" not in again.stdout, "not due yet"


def test_compute_names_an_unknown_workspace(demo_folder: Path) -> None:
    result = kano(demo_folder, "compute", "--workspace", "nope")
    assert result.returncode == 2
    assert "nope" in result.stderr


def test_worker_loads_new_responses_and_the_bound_measure_moves(demo_folder: Path) -> None:
    """A response that reaches the app database shows in the scorecard after one worker run:
    the worker loads the warehouse from the app database, then recomputes."""
    from datetime import date, datetime

    from sqlalchemy import create_engine, delete, select
    from sqlalchemy.orm import Session

    from kano.adapters.db.orm import (
        Customer,
        FeedbackResponse,
        MeasureRow,
        MeasureValueRow,
        ScheduledJobRow,
        Survey,
    )

    engine = create_engine(f"sqlite:///{demo_folder / 'kano.db'}")
    october = date(2026, 10, 1)

    def october_nps() -> MeasureValueRow:
        with Session(engine) as session:
            measure_id = session.scalars(
                select(MeasureRow.id).where(MeasureRow.key == "relationship-nps")
            ).one()
            return session.scalars(
                select(MeasureValueRow).where(
                    MeasureValueRow.measure_id == measure_id,
                    MeasureValueRow.period_start == october,
                )
            ).one()

    before = october_nps()
    with Session(engine) as session, session.begin():
        survey = session.scalars(select(Survey).where(Survey.key == "relationship-nps")).one()
        customer = session.scalars(
            select(Customer).where(Customer.workspace_id == survey.workspace_id).limit(1)
        ).one()
        for day in range(5):
            session.add(
                FeedbackResponse(
                    workspace_id=survey.workspace_id,
                    survey_id=survey.id,
                    customer_id=customer.id,
                    touchpoint_id=survey.touchpoint_id,
                    channel="email",
                    submitted_at=datetime(2026, 10, 10 + day, 9, 0),
                    nps=0,
                )
            )
        session.execute(delete(ScheduledJobRow))  # make the refresh due now
    result = kano(demo_folder, "worker", "--once")
    assert result.returncode == 0, result.stderr
    assert "compute-bound-metrics: ok" in result.stdout
    after = october_nps()
    assert after.n == before.n + 5
    assert after.actual is not None and before.actual is not None
    assert after.actual < before.actual, "five detractors pull October's NPS down"
    engine.dispose()
