"""Storing pilots: create, change (decision, rollout, status …), keep the last evaluation.

Every write checks the whole pilot again with ``kano.domain.pilots.model.checked_pilot``
(a change is merged into the stored pilot first), resolves the owner (a member's e-mail)
inside the workspace, checks the KPIs against the workspace's metric catalogue, is audited
with the values before and after, and leaves the commit to the caller.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import Membership, PilotRow, User, utcnow
from kano.domain.pilots.model import PilotDraft, checked_pilot
from kano.domain.shared.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class PilotLine:
    """A stored pilot as the API and the pages show it."""

    id: int
    name: str
    hypothesis: str | None
    pilot_group: dict[str, Any]
    control_group: dict[str, Any]
    kpis: list[str]
    baseline_start: date
    baseline_end: date
    test_start: date
    test_end: date
    owner: str | None
    status: str
    decision: str | None
    decision_note: str | None
    decided_at: datetime | None
    rollout: list[dict[str, Any]]
    target_effect: float | None
    evaluation: dict[str, Any] | None
    evaluated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def fields(self) -> dict[str, object]:
        """The pilot's editable fields, as ``checked_pilot`` reads them."""
        return {
            "name": self.name, "hypothesis": self.hypothesis,
            "pilot_group": self.pilot_group, "control_group": self.control_group,
            "kpis": self.kpis, "baseline_start": self.baseline_start,
            "baseline_end": self.baseline_end, "test_start": self.test_start,
            "test_end": self.test_end, "owner": self.owner, "status": self.status,
            "decision": self.decision, "decision_note": self.decision_note,
            "rollout": self.rollout, "target_effect": self.target_effect,
        }  # fmt: skip

    def snapshot(self) -> dict[str, object]:
        """The audit log's picture: the fields, dates as text."""
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in self.fields().items()}


def _lines(session: Session, workspace_id: int, pilot_id: int | None = None) -> list[PilotLine]:
    query = (
        select(PilotRow, User.email)
        .outerjoin(User, User.id == PilotRow.owner_user_id)
        .where(PilotRow.workspace_id == workspace_id)
        .order_by(PilotRow.test_start.desc(), PilotRow.id.desc())
    )
    if pilot_id is not None:
        query = query.where(PilotRow.id == pilot_id)
    return [
        PilotLine(
            id=row.id, name=row.name, hypothesis=row.hypothesis,
            pilot_group=row.pilot_group, control_group=row.control_group, kpis=list(row.kpis),
            baseline_start=row.baseline_start, baseline_end=row.baseline_end,
            test_start=row.test_start, test_end=row.test_end, owner=email, status=row.status,
            decision=row.decision, decision_note=row.decision_note, decided_at=row.decided_at,
            rollout=list(row.rollout or []), target_effect=row.target_effect,
            evaluation=row.evaluation, evaluated_at=row.evaluated_at,
            created_at=row.created_at, updated_at=row.updated_at,
        )
        for row, email in session.execute(query)
    ]


def list_pilots(session: Session, workspace_id: int) -> list[PilotLine]:
    """The workspace's pilots, latest test period first."""
    return _lines(session, workspace_id)


def get_pilot(session: Session, workspace_id: int, pilot_id: int) -> PilotLine:
    found = _lines(session, workspace_id, pilot_id)
    if not found:
        raise NotFound("pilot", pilot_id)
    return found[0]


def _owner_id(session: Session, workspace_id: int, email: str | None) -> int | None:
    if email is None:
        return None
    found = session.scalar(
        select(User.id).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, func.lower(User.email) == email.lower())
    )  # fmt: skip
    if found is None:
        raise InvalidInput("owner", f"{email!r} is not a member of this workspace")
    return found


def _check_kpis(draft: PilotDraft, metric_ids: Collection[str]) -> None:
    for kpi in draft.kpis:
        if kpi not in metric_ids:
            raise InvalidInput("kpis", f"{kpi!r} is not a metric of this workspace "
                               "(see the metric catalogue)")  # fmt: skip


def _check_name_free(session: Session, workspace_id: int, name: str, pilot_id: int | None) -> None:
    query = select(PilotRow.id).where(PilotRow.workspace_id == workspace_id,
                                      PilotRow.name == name)  # fmt: skip
    if pilot_id is not None:
        query = query.where(PilotRow.id != pilot_id)
    if session.scalar(query) is not None:
        raise InvalidInput("name", f"a pilot named {name!r} exists already")


def _values(session: Session, workspace_id: int, draft: PilotDraft) -> dict[str, object]:
    return {
        "name": draft.name, "hypothesis": draft.hypothesis,
        "pilot_group": draft.pilot_group.as_dict(),
        "control_group": draft.control_group.as_dict(), "kpis": list(draft.kpis),
        "baseline_start": draft.baseline_start, "baseline_end": draft.baseline_end,
        "test_start": draft.test_start, "test_end": draft.test_end,
        "owner_user_id": _owner_id(session, workspace_id, draft.owner),
        "status": draft.status.value,
        "decision": draft.decision.value if draft.decision else None,
        "decision_note": draft.decision_note,
        "rollout": [step.as_dict() for step in draft.rollout],
        "target_effect": draft.target_effect,
    }  # fmt: skip


def create_pilot(session: Session, workspace_id: int, raw: Mapping[str, object], *,
                 metric_ids: Collection[str], actor: str, user_id: int | None) -> PilotLine:
    draft = checked_pilot(raw)
    _check_kpis(draft, metric_ids)
    _check_name_free(session, workspace_id, draft.name, None)
    now = utcnow()
    row = PilotRow(workspace_id=workspace_id, created_at=now, updated_at=now,
                   decided_at=now if draft.decision else None,
                   **_values(session, workspace_id, draft))  # fmt: skip
    session.add(row)
    session.flush()
    line = get_pilot(session, workspace_id, row.id)
    audit(session, workspace_id, actor, "create", "pilot", row.id, {"after": line.snapshot()},
          user_id=user_id)  # fmt: skip
    return line


def update_pilot(session: Session, workspace_id: int, pilot_id: int,
                 changes: Mapping[str, object], *, metric_ids: Collection[str], actor: str,
                 user_id: int | None) -> PilotLine:  # fmt: skip
    """Change the given fields. A decision moves the pilot to *decided*; changing the
    groups, KPIs or periods drops the stored evaluation (it no longer describes them)."""
    before = get_pilot(session, workspace_id, pilot_id)
    draft = checked_pilot({**before.fields(), **changes})
    if set(draft.kpis) != set(before.kpis):
        _check_kpis(draft, metric_ids)
    _check_name_free(session, workspace_id, draft.name, pilot_id)
    row = session.get(PilotRow, pilot_id)
    assert row is not None and row.workspace_id == workspace_id
    values = _values(session, workspace_id, draft)
    design = ("pilot_group", "control_group", "kpis", "baseline_start", "baseline_end",
              "test_start", "test_end")  # fmt: skip
    if any(values[key] != getattr(row, key) for key in design):
        row.evaluation = None
        row.evaluated_at = None
        if values["status"] == "evaluated":
            values["status"] = "running"
    if values["decision"] != row.decision:
        row.decided_at = utcnow() if values["decision"] else None
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    after = get_pilot(session, workspace_id, pilot_id)
    audit(session, workspace_id, actor, "update", "pilot", pilot_id,
          {"before": before.snapshot(), "after": after.snapshot()}, user_id=user_id)
    return after


def save_evaluation(session: Session, workspace_id: int, pilot_id: int,
                    evaluation: dict[str, Any], *, actor: str, user_id: int | None
                    ) -> PilotLine:  # fmt: skip
    """Keep the evaluation's figures; a planned or running pilot becomes *evaluated*."""
    row = session.get(PilotRow, pilot_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("pilot", pilot_id)
    row.evaluation = evaluation
    row.evaluated_at = utcnow()
    if row.status in ("planned", "running"):
        row.status = "evaluated"
    row.updated_at = row.evaluated_at
    session.flush()
    summary = {kpi: {key: result.get(key) for key in ("effect", "ci_low", "ci_high", "p_value")}
               for kpi, result in evaluation.get("kpis", {}).items()}  # fmt: skip
    audit(session, workspace_id, actor, "evaluate", "pilot", pilot_id, {"results": summary},
          user_id=user_id)  # fmt: skip
    return get_pilot(session, workspace_id, pilot_id)
