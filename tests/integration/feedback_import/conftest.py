"""Fixtures for file import: a seeded workspace (survey ``after-delivery`` at touchpoint
``delivery-call``, customers C0000 … C0005) on each engine, and small helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    FeedbackResponse,
    OutboxMessageRow,
)
from tests.integration.api.seed import SeededWorkspace, seed_workspace

SAMPLES = Path(__file__).parent / "samples"
TABLES = {  # what to count (non-NULL values of a column)
    "responses": FeedbackResponse.id,
    "customers": Customer.id,
    "keys": FeedbackResponse.import_key,  # the import's row keys (migration 0013)
    "outbox": OutboxMessageRow.id,
    "cases": CaseRow.id,
}


@pytest.fixture
def acme(sessions: sessionmaker[Session]) -> SeededWorkspace:
    return seed_workspace(sessions, "acme")


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Rows in every table an import writes to, and the import keys stored."""
    with sessions() as session:
        return {
            name: int(session.scalar(select(func.count(table))) or 0)
            for name, table in TABLES.items()
        }


def imported(sessions: sessionmaker[Session], workspace_id: int) -> list[dict[str, Any]]:
    """The imported responses (channel ``import``) in id order, with customer keys."""
    with sessions() as session:
        rows = session.execute(
            select(FeedbackResponse, Customer.external_id, Customer.email)
            .outerjoin(Customer, Customer.id == FeedbackResponse.customer_id)
            .where(
                FeedbackResponse.workspace_id == workspace_id,
                FeedbackResponse.channel == "import",
            )
            .order_by(FeedbackResponse.id)
        ).all()
    return [
        {
            "nps": r.nps,
            "csat": r.csat,
            "ces": r.ces,
            "rating": r.rating,
            "comment": r.comment,
            "language": r.language,
            "submitted_at": r.submitted_at.isoformat(sep=" "),
            "external_id": external_id,
            "email": email,
        }
        for r, external_id, email in rows
    ]
