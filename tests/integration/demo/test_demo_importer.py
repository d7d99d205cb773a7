"""``kano demo`` imports the demo strategy as the demo's owner: the audit log names the
demo login (``demo@kano.local``) on every row the import writes, as ``kano strategy
import`` names the workspace's owner — not an anonymous ``kano demo`` operator.

The company is generated (size S, seed 1) and loaded per engine; the owner is made a
member and the strategy imported by the same two calls ``kano demo`` makes
(``ensure_demo_owner``, then the demo strategy's import).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kano.adapters.cli.company import DEMO_EMAIL, ensure_demo_owner
from kano.adapters.db.orm import AuditEntry, Membership, User
from kano.adapters.importers.company_parquet import load_company
from kano.bootstrap import build_container
from kano.config import Settings
from kano.demo.strategy import import_demo_strategy
from tests.conftest import ENGINES
from tests.databases import DatabaseFactory, require_engine

WORKSPACE = "demo"


@pytest.mark.parametrize("engine", ENGINES)
def test_the_demo_strategy_is_imported_and_audited_as_the_demo_owner(
    engine: str, database_factory: DatabaseFactory, demo_data: Path, tmp_path: Path
) -> None:
    require_engine(engine)
    url = database_factory.fresh(engine)
    container = build_container(Settings(
        database_url=url, warehouse_url=f"duckdb:///{tmp_path / 'w.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data),
    ))  # fmt: skip
    try:
        sessions = container.sessions
        load_company(sessions, demo_data, WORKSPACE, "Northwind Industrial Supply (demo)")
        with sessions() as session:
            start = session.scalar(select(func.max(AuditEntry.id))) or 0

        ensure_demo_owner(sessions, WORKSPACE)
        first = import_demo_strategy(sessions, demo_data, WORKSPACE)
        ensure_demo_owner(sessions, WORKSPACE)  # a refresh of the demo: nothing changes
        again = import_demo_strategy(sessions, demo_data, WORKSPACE)

        assert first.actor == DEMO_EMAIL and first.changed
        assert not again.changed
        with sessions() as session:
            owner = session.execute(
                select(User.id, Membership.role).join(Membership, Membership.user_id == User.id)
                .where(User.email == DEMO_EMAIL)).one()
            entries = session.execute(
                select(AuditEntry.actor, AuditEntry.user_id, AuditEntry.entity,
                       AuditEntry.action)
                .where(AuditEntry.id > start, AuditEntry.entity != "membership")).all()
        assert owner.role == "owner"
        written = {entity for _, _, entity, _ in entries}
        # the stores' entries (scorecard side) and the import's summary; the memberships
        # the demo grants (its login, the people the strategy names) are left out
        assert {"objective", "measure", "measure_value", "cause_effect_link",
                "strategy"} <= written
        assert {(actor, user_id) for actor, user_id, _, _ in entries} == {
            (DEMO_EMAIL, owner.id)}
    finally:
        container.close()
        database_factory.drop(url)
