"""A loyalty-programme export becomes behaviour data: purchases are orders that RFM, CLV and
churn count, other events are loyalty activity the churn model can use; a file with bad
rows stores nothing and names each row; re-importing adds nothing twice."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from kano.adapters.db.orm import Customer, ProcessEvent, Transaction
from kano.adapters.importers.loyalty import LoyaltyColumns, import_loyalty
from kano.adapters.warehouse import AppDatabaseSource, connect
from kano.analytics.value import views
from kano.analytics.value.inputs import ValueReader, churn_datasets, churn_features
from kano.bootstrap import Container
from kano.config import get_settings
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.warehouses import load_into

__all__ = ["demo_data", "live"]


def _members(live: Container, count: int) -> list[tuple[int, str]]:
    with live.sessions() as session:
        rows = session.execute(
            select(Customer.id, Customer.external_id)
            .where(Customer.workspace_id == workspace_id(live.sessions))
            .order_by(Customer.id).limit(count)
        ).all()  # fmt: skip
    return [(int(id_), str(key)) for id_, key in rows]


def _export(path: Path, members: list[tuple[int, str]], start: datetime,
            rows: int) -> list[dict[str, Any]]:  # fmt: skip
    """``rows`` loyalty events 36 hours apart: every fourth a purchase."""
    records = []
    for i in range(rows):
        _id, member = members[i % len(members)]
        kind = ("purchase", "earn", "visit", "redeem")[i % 4]
        records.append({
            "member_id": member, "date": f"{start + timedelta(hours=36 * i):%Y-%m-%d %H:%M}",
            "type": kind, "amount": f"{20 + i % 50}.50" if kind == "purchase" else "",
            "points": "" if kind == "visit" else str(10 + i % 7),
        })  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return records


def _counts(live: Container) -> tuple[int, int]:
    with live.sessions() as session:
        orders = session.scalar(select(func.count()).select_from(Transaction)
                                .where(Transaction.channel == "loyalty"))  # fmt: skip
        events = session.scalar(select(func.count()).select_from(ProcessEvent)
                                .where(ProcessEvent.process == "loyalty"))  # fmt: skip
    return int(orders or 0), int(events or 0)


def test_a_file_with_three_bad_rows_stores_nothing_and_names_them(
    live: Container, tmp_path: Path
) -> None:
    path = tmp_path / "loyalty.csv"
    records = _export(path, _members(live, 50), datetime(2026, 6, 1), 1000)
    records[10]["member_id"] = "NOBODY-1"
    records[400]["date"] = "31/31/2026"
    records[801]["amount"] = "twelve"
    records[801]["type"] = "purchase"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)

    with live.sessions() as session:
        report = import_loyalty(session, workspace_id(live.sessions), path, LoyaltyColumns(),
                                margin_share=0.3)  # fmt: skip
        session.commit()

    assert sorted((p.row, p.column) for p in report.problems) == [
        (12, "member_id"), (402, "date"), (803, "amount")]  # fmt: skip
    assert _counts(live) == (0, 0)


def test_purchases_and_events_are_stored_once_and_reach_the_analyses(
    live: Container, tmp_path: Path
) -> None:
    workspace = workspace_id(live.sessions)
    members = _members(live, 39)  # 39: each member gets every kind of event
    before = connect(live.settings.resolved_warehouse_url(), read_only=True)
    try:
        end = ValueReader(before, workspace).data_end().to_pydatetime()
        revenue_before = {int(r["customer_id"]): r["monetary"]
                          for r in views.rfm_view(before, workspace).customers}  # fmt: skip
    finally:
        before.disconnect()
    path = tmp_path / "loyalty.csv"
    records = _export(path, members, end - timedelta(days=600), 400)

    result = _run_cli(live, ["value", "import-loyalty", str(path), "--margin-share", "0.3"])
    again = _run_cli(live, ["value", "import-loyalty", str(path), "--margin-share", "0.3"])

    assert result.exit_code == 0, result.output
    assert _counts(live) == (100, 300)
    assert again.exit_code == 0, again.output
    assert re.search(r"skipped, already imported\W+400\b", again.output), again.output
    assert _counts(live) == (100, 300)
    url = f"duckdb:///{tmp_path / 'after.duckdb'}"
    load_into(url, AppDatabaseSource(live.engine), workspace)
    after = connect(url, read_only=True)
    try:
        rfm = {int(r["customer_id"]): r["monetary"] for r in views.rfm_view(after, workspace,
               as_of=(end + timedelta(days=1)).date()).customers}  # fmt: skip
        train, _holdout, current = churn_datasets(ValueReader(after, workspace))
    finally:
        after.disconnect()
    member_id, member_key = members[0]
    window = end + timedelta(days=1) - timedelta(days=365)
    bought = sum(float(r["amount"]) for r in records if r["member_id"] == member_key
                 and r["type"] == "purchase" and datetime.fromisoformat(r["date"]) >= window)
    assert rfm[member_id] - revenue_before.get(member_id, 0.0) >= bought - 1e-6 > 0
    assert "loyalty_activity_recent" in churn_features(train)
    assert current.loc[member_id, "loyalty_activity_recent"] > 0


def test_unknown_members_need_create_members(live: Container, tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    path.write_text("member_id,date,type,amount,points\nL-NEW-1,2026-05-01,visit,,\n",
                    encoding="utf-8")  # fmt: skip
    columns = LoyaltyColumns()
    workspace = workspace_id(live.sessions)
    with live.sessions() as session:
        refused = import_loyalty(session, workspace, path, columns)
        created = import_loyalty(session, workspace, path, columns, create_members=True)
        found = session.scalar(select(Customer.id).where(Customer.external_id == "L-NEW-1"))
        session.rollback()

    assert [(p.row, p.column) for p in refused.problems] == [(2, "member_id")]
    assert created.created_members == 1 and created.events == 1 and found is not None


def _run_cli(live: Container, arguments: list[str]) -> Any:
    """``kano …`` in-process against this test's databases (the process-wide settings are
    cached, so they are cleared before and after)."""
    from kano.adapters.cli.main import app

    env = {"KANO_DATABASE_URL": live.settings.database_url,
           "KANO_WAREHOUSE_URL": live.settings.resolved_warehouse_url(),
           "KANO_SECRET_KEY": "test-secret-key-0123456789abcdef"}  # fmt: skip
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, arguments, env=env)
    finally:
        get_settings.cache_clear()
