"""The case inbox keeps the newest cases that pass its filters, against a sort in Python.

``case_inbox`` picks the newest ``limit`` ids from the cases alone and then reads those
lines whole (bench/pages_at_scale.py: 5·10⁴ cases); these tests hold it to the plain
rule — filter, sort by opening time then id, newest first, keep ``limit`` — with ties in
the opening time, several statuses and teams, and another workspace's newer cases."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import CaseRow, Customer, Team
from kano.adapters.db.views.cases import OPEN, OPEN_STATUSES, CaseFilters, case_inbox

NOW = datetime(2026, 1, 10, 12)
STATUSES = ("new", "in_progress", "resolved", "closed")


def _seed(sessions: sessionmaker[Session]) -> tuple[int, list[dict[str, object]]]:
    rng = random.Random(5)
    with transaction(sessions) as db:
        workspace = accounts.ensure_workspace(db, "acme", "Acme")
        other = accounts.ensure_workspace(db, "globex", "Globex")
        teams = [Team(workspace_id=workspace.id, key=f"t{i}", name=f"Team {i}")
                 for i in range(2)]
        customer = Customer(workspace_id=workspace.id, external_id="C1", kind="person",
                            name="Customer 1")
        db.add_all([*teams, customer])
        db.flush()
        seeded: list[dict[str, object]] = []
        for i in range(90):
            opened = NOW - timedelta(hours=rng.randint(0, 30))  # many ties
            team = rng.choice([None, *teams])
            row = CaseRow(
                workspace_id=workspace.id, rule="detractor", title=f"Case {i}",
                status=rng.choice(STATUSES), opened_at=opened,
                customer_id=customer.id if i % 2 else None,
                owner_team_id=team.id if team else None,
                first_response_due_at=opened + timedelta(hours=4),
                resolution_due_at=opened + timedelta(days=2))
            db.add(row)
            db.flush()
            seeded.append({"id": row.id, "opened_at": opened, "status": row.status,
                           "team": team.key if team else None})
        for i in range(5):  # newer than every Acme case, never in Acme's inbox
            db.add(CaseRow(workspace_id=other.id, rule="detractor", title=f"Globex {i}",
                           status="new", opened_at=NOW + timedelta(days=1),
                           first_response_due_at=NOW, resolution_due_at=NOW))
        return workspace.id, seeded


def _newest(seeded: list[dict[str, object]], keep: object, limit: int) -> list[object]:
    chosen = [case for case in seeded if keep(case)]  # type: ignore[operator]
    chosen.sort(key=lambda case: (case["opened_at"], case["id"]), reverse=True)
    return [case["id"] for case in chosen[:limit]]


def test_inbox_keeps_the_newest_matching_cases(sessions: sessionmaker[Session]) -> None:
    workspace_id, seeded = _seed(sessions)
    checks = (
        (CaseFilters(), lambda case: True),
        (CaseFilters(status=OPEN), lambda case: case["status"] in OPEN_STATUSES),
        (CaseFilters(status="resolved"), lambda case: case["status"] == "resolved"),
        (CaseFilters(team="t1"), lambda case: case["team"] == "t1"),
        (CaseFilters(team="-"), lambda case: case["team"] is None),
    )

    with sessions() as db:
        for filters, keep in checks:
            for limit in (7, 200):
                inbox = case_inbox(db, workspace_id, filters, NOW, limit=limit)

                assert [line.id for line in inbox.lines] == _newest(seeded, keep, limit), (
                    filters, limit)
                assert inbox.total == len(_newest(seeded, keep, 10**6))
    assert len({case["opened_at"] for case in seeded}) < len(seeded)  # ties were drawn
