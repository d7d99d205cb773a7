"""Foreign keys checked once per batch of the bulk path (:class:`kano.adapters.db.batch_keys.
BatchKeys`): every row the batch refers to and did not write is locked ``FOR KEY SHARE``
(what the per-row triggers would do), each once; rows the batch wrote itself are not
locked (no other transaction can delete them before it commits); and a referenced row
that is missing still fails the write, even beside rows the batch wrote."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import feedback_bulk
from kano.adapters.db.batch_keys import BatchKeys
from kano.adapters.db.bulk_writes import inserted_column_ids
from kano.adapters.db.feedback_bulk import OUTBOX, RESPONSES, accept_responses
from kano.adapters.db.orm import FeedbackResponse
from tests.integration.api.seed import SeededWorkspace
from tests.integration.feedback_import.test_bulk_path import seeded, submissions

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)

NOW = datetime(2026, 12, 7, 9, 0)


def locked(session: Session, table: str, ids: list[int]) -> dict[int, bool]:
    """Whether each row carries a lock (or delete) of this transaction: ``xmax`` is the
    transaction's id once a row is locked ``FOR KEY SHARE``, 0 for a row never locked."""
    rows = session.execute(
        text(
            f"SELECT id, xmax = CAST(pg_current_xact_id() AS xid) FROM {table} WHERE id = ANY(:ids)"
        ),
        {"ids": ids},
    )
    return {row_id: row_locked for row_id, row_locked in rows}


def test_a_batch_locks_what_it_refers_to_and_nothing_it_wrote(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feedback_bulk, "KEYS_PER_BATCH_FROM", 1)
    workspace_id = seeded(sessions, "two")
    mine = select(func.count(FeedbackResponse.id)).where(
        FeedbackResponse.workspace_id == workspace_id
    )
    with sessions() as session:
        before = session.scalar(mine)
        stored = accept_responses(session, workspace_id, submissions("two"), email_enabled=True)
        customers = sorted({c for c in stored.customer_ids if c is not None})
        assert len(customers) >= 5 and stored.cases >= 1 and stored.messages >= 10
        assert all(locked(session, "customers", customers).values()), "every customer"
        assert locked(session, "workspaces", [workspace_id]) == {workspace_id: True}
        responses = locked(session, "feedback_responses", stored.ids)
        assert len(responses) == 10 and not any(responses.values()), "new rows left alone"
        case_ids = list(
            session.scalars(
                text("SELECT id FROM cases WHERE response_id = ANY(:ids)"), {"ids": stored.ids}
            )
        )
        assert case_ids and not any(locked(session, "cases", case_ids).values())
        role = session.execute(text("SHOW session_replication_role")).scalar_one()
        assert role == "origin"
        session.commit()
    with sessions() as session:
        assert session.scalar(mine) == before + 10


def test_a_missing_row_beside_the_batchs_own_fails_it(
    acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """The outbox rows point at a response the batch wrote (not locked) and at one that is
    not there: the ``COPY`` fails naming the key, as the per-row trigger would."""
    keys = BatchKeys()
    with sessions() as session:
        ids = inserted_column_ids(
            session,
            RESPONSES,
            {
                "workspace_id": [acme.workspace_id],
                "customer_id": [acme.customer_ids[0]],
                "channel": ["api"],
                "submitted_at": [NOW],
                "nps": [3],
                "created_at": [NOW],
            },
            copy=keys.copy,
        )
        gone = ids[0] + 1_000
        with pytest.raises(IntegrityError, match="response_id"):
            keys.copy(
                session,
                OUTBOX,
                {
                    "workspace_id": [acme.workspace_id] * 2,
                    "purpose": ["acknowledgement"] * 2,
                    "response_id": [ids[0], gone],
                    "status": ["pending"] * 2,
                    "attempts": [0] * 2,
                    "next_attempt_at": [NOW] * 2,
                    "created_at": [NOW] * 2,
                    "kind": ["email"] * 2,
                    "dedupe_key": ["ack-a", "ack-b"],
                    "recipient": ["a@example.com"] * 2,
                    "payload": [{"subject": "s"}] * 2,
                },
            )
        session.rollback()
        role = session.execute(text("SHOW session_replication_role")).scalar_one()
        assert role == "origin"
