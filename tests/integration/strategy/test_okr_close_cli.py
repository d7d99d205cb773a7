"""``kano okr close`` as a user runs it: a real subprocess grades the example quarter and
carries its unfinished key results over; a second close and unknown names exit with 2."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.accounts import get_workspace
from kano.adapters.db.orm import AuditEntry, KeyResultRow, OkrCycleRow, OkrObjectiveRow
from tests.integration.cli.test_access_commands import kano
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, import_text


def _example_with_a_next_quarter(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, example_text(), "acme")
    with sessions() as session:
        acme = get_workspace(session, "acme")
        session.add(OkrCycleRow(workspace_id=acme.id, key="2026-q4", name="Q4 2026",
                                starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)))
        session.commit()


def test_close_prints_the_grades_and_carries_over(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    _example_with_a_next_quarter(sessions)

    result = kano(db_url, "okr", "close", "2026-q3", "--workspace", "acme",
                  "--carry-over-to", "2026-q4")

    assert result.returncode == 0, result.stderr
    assert "Grades of cycle 2026-q3 (acme)" in result.stdout
    rows = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:5]]
            for line in result.stdout.splitlines() if line.count("│") == 5}
    assert rows["Delight our B2B customers"] == ["committed", "0.8", "no"]
    assert rows["Get it right the first time"] == ["aspirational", "0.7", "yes"]
    assert rows["Coach every new agent"] == ["committed", "0.4", "no"]
    assert "3 unfinished key results carried over to 2026-q4" in result.stdout
    assert "nps-to-40 → nps-to-40-2026-q4 (delight-b2b-2026-q4)" in result.stdout
    with sessions() as session:
        grades = dict(session.execute(select(OkrObjectiveRow.key, OkrObjectiveRow.grade)
                                      .where(OkrObjectiveRow.grade.is_not(None))).all())
        copies = set(session.scalars(select(KeyResultRow.key).where(
            KeyResultRow.carried_over_from_id.is_not(None))))
        actor = session.scalar(select(AuditEntry.actor).where(AuditEntry.action == "close"))
    assert grades == {"delight-b2b": 0.8, "service-first-time-right": 0.7, "ana-coaching": 0.4}
    assert copies == {"nps-to-40-2026-q4", "fcr-playbooks-2026-q4",
                      "ana-coaching-sessions-2026-q4"}
    assert actor == "cli"

    again = kano(db_url, "okr", "close", "2026-q3", "--workspace", "acme")

    assert again.returncode == 2
    assert "already closed" in again.stderr and "Traceback" not in again.stderr


def test_close_without_carry_over_and_unknown_names(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    _example_with_a_next_quarter(sessions)

    unknown_cycle = kano(db_url, "okr", "close", "1999-q1", "--workspace", "acme")
    unknown_target = kano(db_url, "okr", "close", "2026-q3", "--workspace", "acme",
                          "--carry-over-to", "nowhere")
    unknown_workspace = kano(db_url, "okr", "close", "2026-q3", "--workspace", "nobody")
    closed = kano(db_url, "okr", "close", "2026-q3", "--workspace", "acme")

    for failed, words in ((unknown_cycle, "cycle '1999-q1' does not exist"),
                          (unknown_target, "carry_over_to: no cycle 'nowhere'"),
                          (unknown_workspace, "workspace 'nobody' does not exist")):
        assert failed.returncode == 2, failed.stdout
        assert words in failed.stderr and "Traceback" not in failed.stderr
    assert closed.returncode == 0, closed.stderr
    assert "Cycle 2026-q3 is closed." in closed.stdout
    with sessions() as session:
        assert session.scalar(select(KeyResultRow).where(
            KeyResultRow.carried_over_from_id.is_not(None))) is None
