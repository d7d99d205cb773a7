"""The import's ``COPY`` on PostgreSQL: stored while the next batch is prepared, with the
foreign keys checked a batch at a time where the role may turn the per-row triggers off
(:mod:`kano.adapters.db.copy_pipeline`). Turning them off must not weaken anything: a
referenced row that is missing still fails the batch and stores nothing, the triggers are
back for the rest of the transaction, and the table has no trigger that would be skipped
besides its foreign keys'."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.batch_keys import parent_keys
from kano.adapters.db.copy_pipeline import CopyPipeline
from kano.adapters.db.feedback_bulk import CASE_EVENTS, CASES, OUTBOX, RESPONSES
from kano.adapters.db.orm import FeedbackResponse
from tests.integration.api.seed import SeededWorkspace

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def response_columns(acme: SeededWorkspace, customer_ids: list[int]) -> dict[str, list[object]]:
    size = len(customer_ids)
    now = datetime(2026, 12, 5, 9, 0)
    return {
        "workspace_id": [acme.workspace_id] * size,
        "customer_id": customer_ids,
        "channel": ["import"] * size,
        "submitted_at": [now] * size,
        "nps": [3] * size,
        "created_at": [now] * size,
    }


def stored(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count(FeedbackResponse.id))) or 0)


@pytest.mark.parametrize("keys_per_batch", [True, False], ids=["per-batch", "per-row"])
def test_a_missing_customer_fails_the_batch_either_way(
    acme: SeededWorkspace, sessions: sessionmaker[Session], keys_per_batch: bool
) -> None:
    before = stored(sessions)
    gone = max(acme.customer_ids) + 1_000  # e.g. deleted while the file was imported
    with sessions() as session:
        pipeline = CopyPipeline(session)
        assert pipeline.keys_per_batch  # the tests' role is a superuser
        pipeline.keys_per_batch = keys_per_batch
        with pytest.raises(IntegrityError, match="customer_id"), pipeline:
            pipeline.submit(RESPONSES, response_columns(acme, [acme.customer_ids[0], gone]))
        session.rollback()
    assert stored(sessions) == before


def test_the_rows_are_stored_and_the_triggers_are_back_after_the_copy(
    acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    before = stored(sessions)
    with sessions() as session:
        with CopyPipeline(session) as pipeline:
            pipeline.submit(RESPONSES, response_columns(acme, acme.customer_ids * 3))
        role = session.execute(text("SHOW session_replication_role")).scalar_one()
        assert role == "origin"
        session.commit()
    assert stored(sessions) == before + 3 * len(acme.customer_ids)


@pytest.mark.parametrize("table", [RESPONSES, OUTBOX, CASES, CASE_EVENTS], ids=lambda t: t.name)
def test_the_tables_written_with_keys_per_batch_have_no_trigger_but_their_foreign_keys(
    acme: SeededWorkspace, sessions: sessionmaker[Session], table: Table
) -> None:
    """Every trigger on a table the bulk path and the import write with the per-row
    triggers off belongs to a foreign key, and the batch check covers the same keys as the
    database (a new key or trigger must be seen to)."""
    with sessions() as session:
        triggers = session.execute(
            text(
                "SELECT t.tgname, c.contype FROM pg_trigger t "
                "LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint "
                "WHERE t.tgrelid = CAST(:table AS regclass)"
            ),
            {"table": table.name},
        ).all()
        keys = set(
            session.scalars(
                text(
                    "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a "
                    "ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
                    "WHERE c.conrelid = CAST(:table AS regclass) AND c.contype = 'f'"
                ),
                {"table": table.name},
            )
        )
    assert triggers and {contype for _, contype in triggers} == {"f"}
    every_column = {column.name: [1] for column in table.columns}
    assert {parent.column for parent in parent_keys(table, every_column)} == keys


def test_a_role_needs_the_grant_to_skip_the_per_row_triggers(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    role = f"kano_import_{os.getpid()}"
    with sessions() as session:
        session.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        session.commit()
    engine = create_engine(make_url(db_url).set(username=role, password=None))
    try:
        with Session(engine) as plain, CopyPipeline(plain) as pipeline:
            assert not pipeline.keys_per_batch
        with sessions() as session:
            session.execute(text(f'GRANT SET ON PARAMETER session_replication_role TO "{role}"'))
            session.commit()
        with Session(engine) as granted, CopyPipeline(granted) as pipeline:
            assert pipeline.keys_per_batch
    finally:
        engine.dispose()
        with sessions() as session:
            session.execute(
                text(f'REVOKE SET ON PARAMETER session_replication_role FROM "{role}"')
            )
            session.execute(text(f'DROP ROLE "{role}"'))
            session.commit()


def test_a_trigger_of_someone_elses_on_the_table_still_fires(
    acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """An audit trigger a DBA added must not be skipped with the foreign keys' triggers."""
    with sessions.begin() as session:
        session.execute(text(
            "CREATE FUNCTION refuse_import() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audited: refused'; END $$"
        ))
        session.execute(text(
            "CREATE TRIGGER refuse_import BEFORE INSERT ON feedback_responses "
            "FOR EACH ROW EXECUTE FUNCTION refuse_import()"
        ))
    before = stored(sessions)
    with sessions() as session:
        pipeline = CopyPipeline(session)
        assert pipeline.keys_per_batch
        with pytest.raises(DBAPIError, match="audited: refused"), pipeline:
            pipeline.submit(RESPONSES, response_columns(acme, acme.customer_ids))
        session.rollback()
    assert stored(sessions) == before
