"""The demo company comes with a pilot whose planted effect Kano recovers (SPEC 2.10, 2.13).

The company is generated (size S, seed 1, as ``kano demo``), loaded into the app database
(per engine) and a DuckDB warehouse, the delivery manager made a member, and the demo
pilot seeded and evaluated as ``kano demo`` does (``kano.demo.pilot_workspace``). The
checks read the pilot back through ``GET /api/v1/pilots``: the difference in differences'
95 % interval holds the effect written to ``ground_truth.yaml`` and the pre-trend check
finds the groups parallel before the pilot. The planted mechanism itself is checked from
the Parquet files with pandas: SMB deliveries are late half as often as the control's from
March 2026, and as often before.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.api.app import API_PREFIX, api_mount
from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import PilotRow, Workspace
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.warehouse import ParquetSource
from kano.bootstrap import build_container
from kano.config import Settings
from kano.demo import pilot as planted
from kano.demo.pilot_workspace import OWNER, describe, seed_demo_pilot
from kano.demo.strategy import ensure_demo_people
from kano.domain.workspaces import Scope
from tests.conftest import ENGINES
from tests.databases import DatabaseFactory, require_engine
from tests.integration.warehouse.test_cli import kano
from tests.warehouses import load_into

WORKSPACE = "demo"


@dataclass
class Demo:
    engine: str
    sessions: sessionmaker[Session]
    warehouse_url: str
    api: TestClient
    headers: dict[str, str]
    truth: dict[str, Any]


@pytest.fixture(scope="module", params=ENGINES)
def demo(
    request: pytest.FixtureRequest,
    database_factory: DatabaseFactory,
    demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Demo]:
    """The demo company with its pilot seeded and evaluated, one database per engine."""
    engine: str = request.param
    require_engine(engine)
    url = database_factory.fresh(engine)
    warehouse_url = f"duckdb:///{tmp_path_factory.mktemp('warehouse') / 'w.duckdb'}"
    container = build_container(Settings(
        database_url=url, warehouse_url=warehouse_url,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data),
    ))  # fmt: skip
    load_company(container.sessions, demo_data, WORKSPACE, "Northwind Industrial Supply (demo)")
    with transaction(container.sessions) as session:
        ensure_demo_people(session, WORKSPACE, {OWNER})
        workspace = accounts.get_workspace(session, WORKSPACE)
        token = accounts.create_api_token(session, workspace, Scope.WRITE, "tester").token
        workspace_id = workspace.id
    load_into(warehouse_url, ParquetSource(demo_data), workspace_id)
    seed_demo_pilot(container.sessions, WORKSPACE, warehouse_url)
    truth = yaml.safe_load((demo_data / "ground_truth.yaml").read_text(encoding="utf-8"))
    app = Starlette(routes=[api_mount(container)])
    with TestClient(app, base_url=f"http://testserver{API_PREFIX}/") as client:
        yield Demo(engine, container.sessions, warehouse_url, client,
                   {"Authorization": f"Bearer {token}"}, truth["pilot"])  # fmt: skip
    container.close()
    database_factory.drop(url)


def listed(demo: Demo) -> list[dict[str, Any]]:
    response = demo.api.get("/pilots", headers=demo.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_the_pilot_is_listed_and_its_evaluation_recovers_the_planted_effect(demo: Demo) -> None:
    [pilot] = listed(demo)
    assert pilot["name"] == planted.PILOT_NAME == demo.truth["name"]
    assert pilot["status"] == "evaluated" and pilot["owner"] == OWNER
    assert pilot["pilot_group"] == demo.truth["pilot_group"] == {"filters": {"segment": ["smb"]}}
    assert pilot["control_group"] == {"filters": {"segment": ["key_account", "consumer"]}}
    assert pilot["kpis"] == [demo.truth["kpi"]] == ["on_time_delivery"]
    assert (pilot["test_start"], pilot["test_end"]) == (demo.truth["test_start"],
                                                        demo.truth["test_end"])  # fmt: skip
    result = pilot["evaluation"]["kpis"]["on_time_delivery"]
    planted_effect = demo.truth["effect"]
    # half of a late share of about a fifth: some ten points of on-time delivery
    assert 5 < planted_effect < 15 and demo.truth["treated_customer_months"] > 500
    assert result["ci_low"] <= planted_effect <= result["ci_high"], result
    assert result["ci_low"] > 0, "the pilot's effect is told from none"
    assert result["method"] == "two-way fixed effects"
    assert result["pilot_units"] > 100 and result["control_units"] > 100
    trend = result["pre_trend"]
    assert trend["testable"] and len(trend["leads"]) == 5  # six baseline months
    assert trend["rejected"] is False and trend["p_value"] > 0.05
    means = pd.DataFrame(result["means"])  # the chart: both groups in all 14 months
    months = means.groupby("group")["period"].nunique()
    assert months.to_dict() == {"control": 14, "pilot": 14}


def test_the_plan_says_the_pilot_could_find_the_planted_effect(demo: Demo) -> None:
    [pilot] = listed(demo)
    response = demo.api.get(f"/pilots/{pilot['id']}/plan", headers=demo.headers)
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["metric"] == "on_time_delivery" and plan["test_months"] == 8
    assert 0 < plan["minimum_detectable_effect"] < demo.truth["effect"]


def test_late_deliveries_halve_for_smb_from_march_2026_in_the_files(demo_data: Path) -> None:
    """The planted mechanism, from the Parquet files alone: within the same delivery
    team-months, SMB deliveries are late about as often as the control's before the pilot
    and about half as often during it."""
    events = pd.read_parquet(demo_data / "process_events.parquet")
    events = events[events["measure"] == "delivery_delay_days"]
    customers = pd.read_parquet(demo_data / "customers.parquet")
    segments = pd.read_parquet(demo_data / "segments.parquet")
    segment = customers["segment_id"].map(segments.set_index("segment_id")["key"])
    is_smb = pd.Series((segment == "smb").to_numpy(), index=customers["customer_id"])
    events = events.assign(
        smb=events["customer_id"].map(is_smb),
        late=events["value"] > 0,
        test=events["occurred_at"] >= pd.Timestamp(planted.TEST_START),
    )
    share = events.groupby(["test", "smb"])["late"].mean()
    before = share[(False, True)] / share[(False, False)]
    during = share[(True, True)] / share[(True, False)]
    assert 0.8 < before < 1.25, share
    assert 0.35 < during < 0.65, share


def test_seeding_again_keeps_one_pilot_and_a_recorded_decision(demo: Demo) -> None:
    [pilot] = listed(demo)
    decided = demo.api.patch(f"/pilots/{pilot['id']}", headers=demo.headers, json={
        "decision": "scale", "decision_note": "Offer slot booking to every SMB customer.",
        "rollout": [{"name": "North and south", "planned_on": "2026-12-01"}],
    })  # fmt: skip
    assert decided.status_code == 200, decided.text
    report = seed_demo_pilot(demo.sessions, WORKSPACE, demo.warehouse_url)
    [again] = listed(demo)
    assert report.pilot_id == again["id"] == pilot["id"]
    assert again["status"] == "decided" and again["decision"] == "scale"
    assert [step["name"] for step in again["rollout"]] == ["North and south"]
    assert again["evaluation"]["kpis"] == pilot["evaluation"]["kpis"]
    assert "evaluated: on-time delivery +" in describe(report)


def test_kano_demo_seeds_and_evaluates_the_pilot(tmp_path: Path) -> None:
    result = kano(tmp_path, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert f"Demo pilot 1 ({planted.PILOT_NAME}) evaluated" in result.stdout
    truth = yaml.safe_load((tmp_path / "demo-data" / "ground_truth.yaml").read_text("utf-8"))
    with sqlite3.connect(tmp_path / "kano.db") as db:
        rows = db.execute("SELECT name, status, evaluation FROM pilots").fetchall()
    assert [(name, status) for name, status, _ in rows] == [(planted.PILOT_NAME, "evaluated")]
    evaluated = json.loads(rows[0][2])["kpis"]["on_time_delivery"]
    assert evaluated["ci_low"] <= truth["pilot"]["effect"] <= evaluated["ci_high"]


def test_kano_generate_into_db_seeds_the_same_pilot_evaluated_the_same_way(
    demo: Demo, database_factory: DatabaseFactory, tmp_path: Path
) -> None:
    """``kano generate --into-db`` (the same company: size S, seed 1) into another
    workspace of a fresh database of the same engine ends with the demo's pilot, defined
    and evaluated as ``kano demo`` does it. The delivery manager is no member there (no
    strategy is imported), so the pilot has no owner."""
    url = database_factory.fresh(demo.engine)
    env = {**os.environ, "KANO_DATABASE_URL": url, "COLUMNS": "200",
           "KANO_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'w.duckdb'}"}  # fmt: skip
    try:
        result = subprocess.run(
            [sys.executable, "-m", "kano", "generate", "--seed", "1", "--out",
             str(tmp_path / "company"), "--into-db", "--workspace", "northwind"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert f"Demo pilot 1 ({planted.PILOT_NAME}) evaluated" in result.stdout
        engine = create_engine(url)
        with Session(engine) as session:
            [row] = session.scalars(select(PilotRow)).all()
            slug = session.scalar(select(Workspace.slug).where(Workspace.id == row.workspace_id))
            session.expunge_all()
        engine.dispose()
    finally:
        database_factory.drop(url)
    [seeded] = listed(demo)
    assert slug == "northwind" and row.status == "evaluated" and row.owner_user_id is None
    for field in ("name", "hypothesis", "pilot_group", "control_group", "kpis",
                  "baseline_start", "baseline_end", "test_start", "test_end",
                  "target_effect"):  # fmt: skip
        value = getattr(row, field)
        assert (value.isoformat() if isinstance(value, date) else value) == seeded[field], field
    assert row.evaluation is not None
    ours, theirs = (e["kpis"]["on_time_delivery"] for e in (row.evaluation, seeded["evaluation"]))
    for key in ("effect", "ci_low", "ci_high", "p_value", "pilot_units", "control_units"):
        assert ours[key] == pytest.approx(theirs[key], rel=1e-9), key
    assert ours["ci_low"] <= demo.truth["effect"] <= ours["ci_high"]

