"""The demo's example segments (``kano.demo.segment_examples``) on the demo company (size
S, seed 1), once per engine: each holds exactly the customers an independent pandas
reading of the app database's orders puts there (RFM quintiles, the top-20 % revenue tier,
key accounts without an order for 60 days), the matrix cell holds the accounts the value
analysis places in it, and refreshing again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, Segment, Transaction, Workspace
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.warehouse import AppDatabaseSource, connect
from kano.analytics.value import views
from kano.bootstrap import build_container
from kano.config import Settings
from kano.demo.segment_examples import AT_RISK_DAYS, seed_demo_segments
from tests.conftest import ENGINES
from tests.databases import DatabaseFactory, require_engine
from tests.warehouses import load_into

WORKSPACE = "demo"


@dataclass
class Demo:
    sessions: sessionmaker[Session]
    backend: Any
    workspace_id: int
    as_of: datetime
    orders: pd.DataFrame  # customer_id, occurred_at, amount


@pytest.fixture(scope="module", params=ENGINES)
def demo(
    request: pytest.FixtureRequest, database_factory: DatabaseFactory, demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Demo]:  # fmt: skip
    engine: str = request.param
    require_engine(engine)
    url = database_factory.fresh(engine)
    warehouse_url = f"duckdb:///{tmp_path_factory.mktemp('warehouse') / 'w.duckdb'}"
    container = build_container(Settings(
        database_url=url, warehouse_url=warehouse_url,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data),
    ))  # fmt: skip
    load_company(container.sessions, demo_data, WORKSPACE, "Northwind (demo)")
    with container.sessions() as session:
        workspace_id = session.scalar(select(Workspace.id).where(Workspace.slug == WORKSPACE))
        assert workspace_id is not None
        orders = pd.DataFrame(
            session.execute(
                select(Transaction.customer_id, Transaction.occurred_at, Transaction.amount)
                .where(Transaction.workspace_id == workspace_id)
            ).all(),
            columns=["customer_id", "occurred_at", "amount"],
        )  # fmt: skip
    load_into(warehouse_url, AppDatabaseSource(container.engine), workspace_id)
    backend = connect(warehouse_url, read_only=True)
    report = seed_demo_segments(container.sessions, WORKSPACE, backend)
    assert report is not None and not [s for s in report.segments if s.skipped]
    yield Demo(container.sessions, backend, workspace_id, report.as_of, orders)
    backend.disconnect()
    container.close()
    database_factory.drop(url)


def members(demo: Demo, key: str) -> set[int]:
    with demo.sessions() as session:
        return set(session.scalars(segments.customers_in_segment(demo.workspace_id, key)))


def window(demo: Demo) -> pd.DataFrame:
    o = demo.orders
    since = demo.as_of - timedelta(days=365)
    return o[(o.occurred_at >= since) & (o.occurred_at < demo.as_of)]


def scores(values: pd.Series, higher_is_better: bool) -> pd.Series:
    """1 + ⌊5 · (customers strictly worse) / n⌋, written independently of the analysis."""
    keyed = values if higher_is_better else -values
    ordered = np.sort(keyed.to_numpy())
    worse = np.searchsorted(ordered, keyed.to_numpy(), side="left")
    return pd.Series(1 + (5 * worse) // len(values), index=values.index)


def test_champions_are_the_rfm_champions_of_an_independent_pandas_scoring(demo: Demo) -> None:
    recent = window(demo).groupby("customer_id")
    days = (demo.as_of - recent.occurred_at.max()) / pd.Timedelta(days=1)
    r = scores(days, higher_is_better=False)
    f = scores(recent.size().astype(float), higher_is_better=True)
    m = scores(recent.amount.sum(), higher_is_better=True)
    fm = (f + m + 1) // 2
    expected = set(r[(r >= 4) & (fm >= 4)].index)
    assert len(expected) > 20
    assert members(demo, "champions") == expected


def test_tier_a_is_the_top_fifth_by_twelve_month_revenue(demo: Demo) -> None:
    revenue = window(demo).groupby("customer_id").amount.sum()
    above = revenue.apply(lambda v: int((revenue > v).sum())) / len(revenue)
    expected = set(above[above < 0.2].index)
    # fewer than 20 % of customers above: the top ⌈20 % of n⌉ when no tie straddles the cut
    assert len(expected) == int(np.ceil(0.2 * len(revenue)))
    assert members(demo, "tier-a") == expected


def test_matrix_cell_holds_the_accounts_the_value_analysis_places_there(demo: Demo) -> None:
    view = views.matrix_view(demo.backend, demo.workspace_id, as_of=demo.as_of.date())
    cell = ("high", "low")
    expected = {int(a["customer_id"]) for a in view.accounts
                if (a["attractiveness_level"], a["relationship_level"]) == cell}  # fmt: skip
    assert expected
    assert members(demo, "attractive-weak-relationship") == expected


def test_key_accounts_at_risk_have_not_ordered_for_sixty_days(demo: Demo) -> None:
    with demo.sessions() as session:
        keyed = set(session.scalars(
            select(Customer.id).join(Segment, Segment.id == Customer.segment_id)
            .where(Customer.workspace_id == demo.workspace_id, Segment.key == "key_account")
        ))  # fmt: skip
    before = demo.orders[demo.orders.occurred_at < demo.as_of]
    last = before.groupby("customer_id").occurred_at.max()
    quiet = set(last[last <= demo.as_of - timedelta(days=AT_RISK_DAYS)].index)
    expected = keyed & quiet
    assert expected and expected != keyed
    assert members(demo, "key-accounts-at-risk") == expected


def test_a_second_refresh_on_the_same_day_changes_nothing(demo: Demo) -> None:
    with transaction(demo.sessions) as session:
        report = segments.refresh_segments(session, demo.workspace_id, demo.as_of,
                                           warehouse=demo.backend)  # fmt: skip
    assert report.changed == 0
    assert {s.key for s in report.segments} >= {"champions", "tier-a", "key_account"}
