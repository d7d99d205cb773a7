"""Stored rows hand their numbers to the domain, and check-in edits leave an audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import (
    AuditEntry,
    CheckInRow,
    KeyResultRow,
    MboObjectiveRow,
    MeasureRow,
    OkrObjectiveRow,
)
from kano.domain.mbo.model import weighted_achievement
from kano.domain.okr.model import Commitment, Confidence, grade_objective, objective_progress
from kano.domain.shared.scores import Status
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, import_text


@pytest.fixture
def imported(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    seed_people(sessions)
    import_text(sessions, example_text())
    return sessions


def test_measure_rows_score_through_the_domain(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        measures = {m.key: m for m in session.scalars(select(MeasureRow))}
    assert measures["nps"].score(40).status is Status.GREEN
    assert measures["nps"].score(29).status is Status.RED
    assert measures["churn-rate"].score(2.2).status is Status.AMBER  # lower is better
    margin = measures["gross-margin"]
    assert margin.thresholds().band_low == 38.0
    assert margin.score(41).score == 10.0 and margin.score(47).status is Status.AMBER
    assert measures["nps"].metric_slice == {"segment": "b2b"}


def test_key_result_rows_give_progress_and_grades(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        krs = {k.key: k for k in session.scalars(select(KeyResultRow))}
        team = session.scalars(
            select(OkrObjectiveRow).where(OkrObjectiveRow.key == "service-first-time-right")
        ).one()
        team_krs = [k.to_domain() for k in krs.values() if k.okr_objective_id == team.id]
    assert krs["nps-to-40"].to_domain().progress() == pytest.approx((37.2 - 31) / 9)
    assert krs["churn-below-2"].to_domain().progress() == 1.0
    # Milestones 6/10 weighted 2, the callback launched (1.0) weighted 1.
    assert objective_progress(team_krs) == pytest.approx((2 * 0.6 + 1.0) / 3)
    assert team.commitment_kind() is Commitment.ASPIRATIONAL
    assert grade_objective(team_krs, team.commitment_kind()).success


def test_mbo_rows_give_the_review_score(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        objectives = [o.to_domain() for o in session.scalars(select(MboObjectiveRow))]
    assert weighted_achievement(objectives) == pytest.approx(0.40 * 75 + 0.25 * 100)


def test_check_in_edits_and_deletions_are_audited_with_old_values(
    imported: sessionmaker[Session],
) -> None:
    with imported() as session:
        bands = sorted(c.confidence_band() for c in session.scalars(select(CheckInRow)))
    assert bands.count(Confidence.ON_TRACK) == 2

    edited = (
        example_text()
        .replace("comment: Survey wave 1 is in; slow start.", "comment: Wave 1 in.")
        .replace("                comment: Two agents started late.\n", "")
    )
    without_second = edited.replace(
        "              - at: 2026-08-15 09:00:00\n"
        "                value: 37.2\n"
        "                confidence: 8\n"
        "                author: ceo@acme.example\n",
        "",
    )
    result = import_text(imported, without_second)
    assert result.summary.table() == [("check-in", 0, 2, 1)]
    with imported() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "check_in").order_by(AuditEntry.id)
        ).all()
    changes = {
        (entry.action, detail["before"]["comment"], detail.get("after", {}).get("comment"))
        for entry in entries
        if (detail := entry.detail)
    }
    assert changes == {
        ("update", "Survey wave 1 is in; slow start.", "Wave 1 in."),
        ("update", "Two agents started late.", None),
        ("delete", None, None),  # the 15 August check-in had no comment
    }
    assert {entry.actor for entry in entries} == {"cli"}
    assert all(entry.entity_id and entry.detail for entry in entries)
