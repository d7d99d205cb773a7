"""Membership spans travel from the app database (SQLite and PostgreSQL) to the warehouse:
every span, an open span for a customer filed under a segment without one, and a span
closed in the app closes in the warehouse at the next load (the table is replaced, never
appended twice). Rule segments then narrow metrics and value analyses to their members."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, SegmentMembership
from kano.adapters.warehouse import AppDatabaseSource, connect, open_store
from kano.adapters.warehouse.loader import load_warehouse
from kano.analytics.value.inputs import ValueReader, rfm_inputs
from kano.bootstrap import Container
from kano.metrics import built_in_catalogue, compute_metric
from tests.integration.db.segment_seed import DAY_ONE, SegmentWorld, add_order, seed_segment_world

CATALOGUE = built_in_catalogue()
REFRESHED = DAY_ONE + timedelta(days=30)
NORTH = {"all": [{"field": "region", "op": "eq", "value": "north"}]}
ORDERS = (("ACME", 5, 100.0), ("ACME", 12, 40.0), ("BOLT", 6, 70.0), ("CORA", 8, 25.0),
          ("DUNE", 9, 11.0))  # fmt: skip


def _load(container: Container, url: str, workspace_id: int) -> list[str]:
    store = open_store(url)
    try:
        report = load_warehouse(store, AppDatabaseSource(container.engine), workspace_id)
    finally:
        store.close()
    return report.replaced


def _spans(url: str, workspace_id: int, world: SegmentWorld) -> set[tuple[str, int, bool]]:
    """(customer, segment id, open?) of the warehouse's spans."""
    backend = connect(url)
    try:
        table = backend.table("segment_memberships")
        rows = table.filter(table.workspace_id == workspace_id).to_pyarrow().to_pylist()
    finally:
        backend.disconnect()
    by_id = {v: k for k, v in world.ids.items()}
    return {(by_id[r["customer_id"]], r["segment_id"], r["valid_to"] is None) for r in rows}


def _revenue(url: str, workspace_id: int, **options: object) -> dict[object, float]:
    backend = connect(url)
    try:
        rows = compute_metric(backend, CATALOGUE.get("revenue"), workspace_id=workspace_id,
                              **options)  # type: ignore[arg-type]  # fmt: skip
        return {row.key("segment") if "by" in options else None: row.value for row in rows}
    finally:
        backend.disconnect()


def test_app_spans_reach_the_warehouse_and_rule_segments_narrow_metrics_and_value(
    container: Container, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    world = seed_segment_world(sessions, "acme")
    with transaction(sessions) as session:
        for external_id, day, amount in ORDERS:
            add_order(session, world, external_id, DAY_ONE + timedelta(days=day), amount)
        north = segments.save_segment(session, world.workspace_id, {
            "key": "north", "name": "North", "source": "rule", "rule": NORTH}).id  # fmt: skip
        segments.refresh_segments(session, world.workspace_id, REFRESHED)
        key = segments.segment_id(session, world.workspace_id, "key")
        # BOLT was in the north once (history), and FINN is filed under "key" by an
        # import that wrote no span.
        session.add(SegmentMembership(workspace_id=world.workspace_id, segment_id=north,
                                      customer_id=world.ids["BOLT"], valid_from=DAY_ONE,
                                      valid_to=DAY_ONE + timedelta(days=3)))  # fmt: skip
        finn = Customer(workspace_id=world.workspace_id, external_id="FINN", kind="person",
                        name="acme FINN", segment_id=key)  # fmt: skip
        session.add(finn)
        session.flush()
        world.ids["FINN"] = finn.id
        add_order(session, world, "FINN", DAY_ONE + timedelta(days=10), 9.0)

    url = f"duckdb:///{tmp_path / 'segments.duckdb'}"
    _load(container, url, world.workspace_id)
    assert _spans(url, world.workspace_id, world) == {
        ("ACME", key, True), ("DUNE", key, True), ("FINN", key, True),
        ("ACME", north, True), ("CORA", north, True), ("BOLT", north, False),
    }  # fmt: skip

    # Orders of the current members only: ACME 140 + CORA 25 (not BOLT, a past member).
    assert _revenue(url, world.workspace_id, filters={"segment": ["north"]}) == {None: 165.0}
    by_segment = _revenue(url, world.workspace_id, by=["segment"])
    assert by_segment == {"key": 160.0, "north": 165.0, None: 70.0}  # ACME counts in both
    backend = connect(url)
    try:
        as_of = DAY_ONE + timedelta(days=20)
        rfm = rfm_inputs(ValueReader(backend, world.workspace_id, "north"), as_of=as_of)
    finally:
        backend.disconnect()
    got = dict(zip(rfm.customer_id.astype(int), rfm.monetary, strict=True))
    assert got.keys() == {world.ids["ACME"], world.ids["CORA"]}
    assert math.isclose(got[world.ids["ACME"]], 140.0)
    assert math.isclose(got[world.ids["CORA"]], 25.0)

    # CORA leaves the north in the app: the next load replaces the spans.
    with transaction(sessions) as session:
        session.execute(update(SegmentMembership).where(
            SegmentMembership.segment_id == north,
            SegmentMembership.customer_id == world.ids["CORA"]).values(
            valid_to=REFRESHED + timedelta(days=1)))  # fmt: skip
        assert session.scalar(select(Customer.region).where(Customer.id == world.ids["CORA"]))
    assert "segment_memberships" in _load(container, url, world.workspace_id)
    spans = _spans(url, world.workspace_id, world)
    assert ("CORA", north, False) in spans and ("CORA", north, True) not in spans
    assert len(spans) == 6
    assert _revenue(url, world.workspace_id, filters={"segment": ["north"]}) == {None: 140.0}
