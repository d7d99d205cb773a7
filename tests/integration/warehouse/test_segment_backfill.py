"""Upgrading a shared warehouse: a workspace last loaded before membership spans existed
keeps its segments (its filed ones at once, every one after any workspace's next load
from the same app database backfills its spans), on every warehouse engine, with the app
database on SQLite and PostgreSQL.

The pre-upgrade state is made the way an older version left it: the workspace's rows of
``segment_memberships`` and its load state for that table are gone, while another
workspace's spans fill the table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from kano.adapters.warehouse import AppDatabaseSource, connect, open_store
from kano.adapters.warehouse.loader import LoadReport, load_warehouse
from kano.analytics.value.inputs import ValueReader, rfm_inputs
from kano.bootstrap import Container
from kano.metrics import built_in_catalogue, compute_metric
from kano.metrics.warehouse_schema import SEGMENT_MEMBERSHIPS
from tests.integration.db.segment_seed import DAY_ONE, SegmentWorld, add_order, seed_segment_world
from tests.warehouses import ENGINE_PARAMS, WarehouseFactory, require_engine

CATALOGUE = built_in_catalogue()
NORTH = {"all": [{"field": "region", "op": "eq", "value": "north"}]}
ORDERS = (("ACME", 5, 100.0), ("ACME", 12, 40.0), ("BOLT", 6, 70.0), ("CORA", 8, 25.0),
          ("DUNE", 9, 11.0))  # fmt: skip
# Filed under "key": ACME and DUNE; in the rule segment "north": ACME and CORA.
KEY_REVENUE, NORTH_REVENUE, OUTSIDE_NORTH = 151.0, 165.0, 81.0


def _world(sessions: sessionmaker[Session], slug: str, scale: float) -> SegmentWorld:
    world = seed_segment_world(sessions, slug)
    with transaction(sessions) as session:
        for external_id, day, amount in ORDERS:
            add_order(session, world, external_id, DAY_ONE + timedelta(days=day), amount * scale)
        segments.save_segment(session, world.workspace_id, {
            "key": "north", "name": "North", "source": "rule", "rule": NORTH})  # fmt: skip
        segments.refresh_segments(session, world.workspace_id, DAY_ONE + timedelta(days=30))
    return world


def _load(container: Container, url: str, workspace_id: int) -> LoadReport:
    store = open_store(url)
    try:
        return load_warehouse(store, AppDatabaseSource(container.engine), workspace_id)
    finally:
        store.close()


def _forget_spans(url: str, workspace_id: int) -> None:
    """What an older version left for ``workspace_id``: no spans, no state for them."""
    store = open_store(url)
    try:
        state = store.read_state(workspace_id)
        assert state.pop(SEGMENT_MEMBERSHIPS.name).row_count
        with store.transaction() as writer:
            writer.delete_workspace(SEGMENT_MEMBERSHIPS.name, workspace_id)
            writer.save_state(workspace_id, state)
    finally:
        store.close()


def _revenue(url: str, workspace_id: int, **options: Any) -> dict[object, float]:
    backend = connect(url)
    try:
        rows = compute_metric(backend, CATALOGUE.get("revenue"), workspace_id=workspace_id,
                              **options)  # fmt: skip
        return {row.key("segment") if "by" in options else None: row.value for row in rows}
    finally:
        backend.disconnect()  # a Spark backend keeps the shared session running


def _rfm_customers(url: str, workspace_id: int, segment: str) -> set[int]:
    backend = connect(url)
    try:
        rows = rfm_inputs(ValueReader(backend, workspace_id, segment),
                          as_of=DAY_ONE + timedelta(days=20))  # fmt: skip
    finally:
        backend.disconnect()  # a Spark backend keeps the shared session running
    return set(rows.customer_id.astype(int))


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_workspace_loaded_before_spans_keeps_its_segments_and_is_backfilled(
    container: Container, sessions: sessionmaker[Session], warehouse_factory: WarehouseFactory,
    engine: str,
) -> None:  # fmt: skip
    require_engine(engine)
    acme, bolt = _world(sessions, "acme", 1.0), _world(sessions, "bolt", 2.0)
    url = warehouse_factory.new_url(engine)
    _load(container, url, acme.workspace_id)
    _load(container, url, bolt.workspace_id)
    _forget_spans(url, bolt.workspace_id)

    # Before any new load: bolt's filed segment still narrows (not an empty answer),
    # and acme's spans are untouched.
    assert _revenue(url, bolt.workspace_id, filters={"segment": ["key"]}) == {
        None: 2 * KEY_REVENUE}
    assert _rfm_customers(url, bolt.workspace_id, "key") == {bolt.ids["ACME"], bolt.ids["DUNE"]}
    assert _revenue(url, acme.workspace_id, filters={"segment": ["north"]}) == {
        None: NORTH_REVENUE}

    # acme's next load backfills bolt's spans from the app database, rule segments too.
    report = _load(container, url, acme.workspace_id)
    assert report.backfilled == [bolt.workspace_id]
    assert _revenue(url, bolt.workspace_id, filters={"segment": ["north"]}) == {
        None: 2 * NORTH_REVENUE}
    assert _revenue(url, bolt.workspace_id, by=["segment"]) == {
        "key": 2 * KEY_REVENUE, "north": 2 * NORTH_REVENUE, None: 2 * 70.0}
    assert _revenue(url, bolt.workspace_id, where="segment != 'north'") == {
        None: 2 * OUTSIDE_NORTH}
    assert _rfm_customers(url, bolt.workspace_id, "north") == {
        bolt.ids["ACME"], bolt.ids["CORA"]}
    assert _revenue(url, acme.workspace_id, filters={"segment": ["north"]}) == {
        None: NORTH_REVENUE}

    # Done once: the state now records bolt's spans, so later loads leave them alone.
    assert _load(container, url, acme.workspace_id).backfilled == []
    store = open_store(url)
    try:
        assert store.read_state(bolt.workspace_id)[SEGMENT_MEMBERSHIPS.name].row_count == 4
    finally:
        store.close()
