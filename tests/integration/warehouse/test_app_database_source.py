"""Loading from the app database (SQLite and PostgreSQL) gives the same warehouse as
loading the generator's files, and later loads pick up exactly what changed there."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, FeedbackResponse, Transaction, Workspace
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.warehouse import AppDatabaseSource, connect, open_store
from kano.adapters.warehouse.loader import load_warehouse
from kano.bootstrap import Container
from kano.metrics import built_in_catalogue, compute_metric
from tests.integration.warehouse.comparison import assert_same_rows
from tests.integration.warehouse.conftest import DEMO_WORKSPACE, DemoWarehouses
from tests.warehouses import WarehouseFactory, load_into

CATALOGUE = built_in_catalogue()


def _workspace_id(sessions: sessionmaker[Session], slug: str) -> int:
    with sessions() as session:
        return int(session.scalars(select(Workspace.id).where(Workspace.slug == slug)).one())


def test_app_database_load_matches_parquet_load_and_stays_incremental(
    container: Container,
    demo_dir: Path,
    demo_warehouses: DemoWarehouses,
    warehouse_factory: WarehouseFactory,
) -> None:
    load_company(container.sessions, demo_dir, "acme")
    workspace_id = _workspace_id(container.sessions, "acme")
    source = AppDatabaseSource(container.engine)
    url = warehouse_factory.new_url("duckdb")
    load_into(url, source, workspace_id)

    backend, reference = connect(url), demo_warehouses.backend("duckdb")
    for metric in CATALOGUE:
        by = ["month", "team" if metric.source in {"pulses", "employees"} else "segment"]
        ours = compute_metric(backend, metric, by=by, workspace_id=workspace_id)
        if metric.id == "share_of_wallet":  # the reference has test wallets, the app none
            assert ours == []
            continue
        expected = compute_metric(reference, metric, by=by, workspace_id=DEMO_WORKSPACE)
        assert_same_rows(expected, ours)

    responses = CATALOGUE.get("responses")
    total = compute_metric(backend, responses, workspace_id=workspace_id)[0].n
    with transaction(container.sessions) as session:
        template = session.scalars(select(FeedbackResponse).limit(1)).one()
        session.add(
            FeedbackResponse(
                workspace_id=workspace_id, customer_id=template.customer_id,
                touchpoint_id=template.touchpoint_id, channel="web",
                submitted_at=datetime(2026, 10, 30, 12), nps=10,
            )
        )  # fmt: skip
        customer = session.scalars(select(Customer).limit(1)).one()
        customer.attributes = {"wallet_estimate": 50_000}
        session.execute(delete(Transaction).where(Transaction.id == session.scalars(
            select(Transaction.id).order_by(Transaction.id).limit(1)).one()))  # fmt: skip

    store = open_store(url)
    try:
        report = load_warehouse(store, source, workspace_id)
    finally:
        store.close()
    assert report.appended["responses"] == 1 and "responses" not in report.replaced
    assert "transactions" in report.replaced, "a deleted row forces a reload of its table"
    assert report.appended["pulses"] == 0
    backend = connect(url)
    assert compute_metric(backend, responses, workspace_id=workspace_id)[0].n == total + 1
    wallet = compute_metric(backend, CATALOGUE.get("share_of_wallet"), workspace_id=workspace_id)
    assert len(wallet) == 1 and wallet[0].n > 0
