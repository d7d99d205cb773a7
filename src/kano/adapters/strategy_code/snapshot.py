"""What a workspace holds now, keyed by the same identities as the file's entries.

The import compares the file with this snapshot to know what to create, update or delete,
and which references resolve; the export reads the snapshot back into a document. One
query per table: strategy data is small (hundreds to a few thousand rows per workspace).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    CauseEffectLinkRow,
    CheckInRow,
    Employee,
    InitiativeObjectiveRow,
    InitiativeRow,
    KeyResultRow,
    MboObjectiveRow,
    MboSheetRow,
    MeasureRow,
    MeasureValueRow,
    Membership,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
    Team,
    User,
)
from kano.adapters.strategy_code import entries as e


@dataclass
class Snapshot:
    """Stored rows by entity and identity, with each row's parent identity."""

    rows: dict[str, dict[Hashable, Any]] = field(default_factory=dict)
    parents: dict[str, dict[Hashable, Hashable]] = field(default_factory=dict)
    identity_of_id: dict[str, dict[int, Hashable]] = field(default_factory=dict)

    def add(self, entity: str, identity: Hashable, parent: Hashable, row: Any) -> None:
        self.rows.setdefault(entity, {})[identity] = row
        self.parents.setdefault(entity, {})[identity] = parent
        self.identity_of_id.setdefault(entity, {})[row.id] = identity

    def key_of(self, entity: str, row_id: int | None) -> Any:
        return None if row_id is None else self.identity_of_id[entity][row_id]


# entity → (table, identity of a row, parent identity of a row); parents come first, so
# the identities a row needs from its parent are already known when it is read.
_Spec = tuple[type[Any], Callable[[Any, Snapshot], Hashable], Callable[[Any, Snapshot], Any]]
_SPECS: dict[str, _Spec] = {
    e.SCORECARD: (ScorecardRow, lambda r, s: r.key, lambda r, s: None),
    e.PERSPECTIVE: (
        PerspectiveRow,
        lambda r, s: (s.key_of(e.SCORECARD, r.scorecard_id), r.key),
        lambda r, s: s.key_of(e.SCORECARD, r.scorecard_id),
    ),
    e.OBJECTIVE: (
        ObjectiveRow,
        lambda r, s: r.key,
        lambda r, s: s.key_of(e.PERSPECTIVE, r.perspective_id),
    ),
    e.MEASURE: (MeasureRow, lambda r, s: r.key, lambda r, s: s.key_of(e.OBJECTIVE, r.objective_id)),
    e.MEASURE_VALUE: (
        MeasureValueRow,
        lambda r, s: (s.key_of(e.MEASURE, r.measure_id), r.period_start),
        lambda r, s: s.key_of(e.MEASURE, r.measure_id),
    ),
    e.LINK: (
        CauseEffectLinkRow,
        lambda r, s: (
            s.key_of(e.SCORECARD, r.scorecard_id),
            s.key_of(e.OBJECTIVE, r.cause_id),
            s.key_of(e.OBJECTIVE, r.effect_id),
        ),
        lambda r, s: s.key_of(e.SCORECARD, r.scorecard_id),
    ),
    e.INITIATIVE: (
        InitiativeRow,
        lambda r, s: r.key,
        lambda r, s: s.key_of(e.SCORECARD, r.scorecard_id),
    ),
    e.INITIATIVE_OBJECTIVE: (
        InitiativeObjectiveRow,
        lambda r, s: (
            s.key_of(e.INITIATIVE, r.initiative_id),
            s.key_of(e.OBJECTIVE, r.objective_id),
        ),
        lambda r, s: s.key_of(e.INITIATIVE, r.initiative_id),
    ),
    e.OKR_CYCLE: (OkrCycleRow, lambda r, s: r.key, lambda r, s: None),
    e.OKR_OBJECTIVE: (
        OkrObjectiveRow,
        lambda r, s: r.key,
        lambda r, s: s.key_of(e.OKR_CYCLE, r.cycle_id),
    ),
    e.KEY_RESULT: (
        KeyResultRow,
        lambda r, s: r.key,
        lambda r, s: s.key_of(e.OKR_OBJECTIVE, r.okr_objective_id),
    ),
    e.CHECK_IN: (
        CheckInRow,
        lambda r, s: (s.key_of(e.KEY_RESULT, r.key_result_id), r.at),
        lambda r, s: s.key_of(e.KEY_RESULT, r.key_result_id),
    ),
    e.MBO_SHEET: (MboSheetRow, lambda r, s: r.key, lambda r, s: None),
    e.MBO_OBJECTIVE: (
        MboObjectiveRow,
        lambda r, s: (s.key_of(e.MBO_SHEET, r.sheet_id), r.key),
        lambda r, s: s.key_of(e.MBO_SHEET, r.sheet_id),
    ),
}
TABLE_OF: dict[str, type[Any]] = {entity: spec[0] for entity, spec in _SPECS.items()}


def load_snapshot(session: Session, workspace_id: int) -> Snapshot:
    snapshot = Snapshot()
    for entity in e.ENTITIES:
        table, identity_of, parent_of = _SPECS[entity]
        snapshot.rows[entity], snapshot.parents[entity] = {}, {}
        snapshot.identity_of_id[entity] = {}
        for row in session.scalars(select(table).where(table.workspace_id == workspace_id)):
            snapshot.add(entity, identity_of(row, snapshot), parent_of(row, snapshot), row)
    return snapshot


def stale_identities(
    snapshot: Snapshot, declared: dict[str, set[Hashable]]
) -> dict[str, set[Hashable]]:
    """Stored rows the import deletes: absent from the file while their parent is in the
    file or deleted itself. Top-level scorecards, cycles and sheets are never deleted, so a
    file about one scorecard leaves the others alone."""
    stale: dict[str, set[Hashable]] = {}
    for entity, parent_entity in e.PARENT_OF.items():
        if parent_entity is None:
            stale[entity] = set()
            continue
        in_scope = declared[parent_entity] | stale[parent_entity]
        stale[entity] = {
            identity
            for identity, parent in snapshot.parents[entity].items()
            if identity not in declared[entity] and parent in in_scope
        }
    return stale


@dataclass
class People:
    """Members, teams and employees that the file names, by their natural keys."""

    users: dict[str, int] = field(default_factory=dict)  # e-mail of a member → user id
    teams: dict[str, int] = field(default_factory=dict)  # team key → id
    employees: dict[str, int] = field(default_factory=dict)  # employee external id → id


def load_people(
    session: Session,
    workspace_id: int,
    emails: Iterable[str],
    team_keys: Iterable[str],
    employee_ids: Iterable[str],
) -> People:
    people = People()
    if emails := sorted(set(emails)):
        # Members only, as the API and the stores require of owners and authors.
        rows = session.execute(
            select(User.email, User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspace_id, User.email.in_(emails))
        )
        people.users = {email: user_id for email, user_id in rows}
    if team_keys := sorted(set(team_keys)):
        rows = session.execute(
            select(Team.key, Team.id).where(
                Team.workspace_id == workspace_id, Team.key.in_(team_keys)
            )
        )
        people.teams = {key: team_id for key, team_id in rows}
    if employee_ids := sorted(set(employee_ids)):
        rows = session.execute(
            select(Employee.external_id, Employee.id).where(
                Employee.workspace_id == workspace_id, Employee.external_id.in_(employee_ids)
            )
        )
        people.employees = {key: employee_id for key, employee_id in rows}
    return people


@dataclass
class PeopleNames:
    """The reverse of People, for the export: id → e-mail / team key / employee id."""

    users: dict[int, str]
    teams: dict[int, str]
    employees: dict[int, str]


def load_people_names(session: Session, workspace_id: int) -> PeopleNames:
    teams = select(Team.id, Team.key).where(Team.workspace_id == workspace_id)
    employees = select(Employee.id, Employee.external_id).where(
        Employee.workspace_id == workspace_id
    )
    return PeopleNames(
        users={user_id: email for user_id, email in session.execute(select(User.id, User.email))},
        teams={team_id: key for team_id, key in session.execute(teams)},
        employees={employee_id: key for employee_id, key in session.execute(employees)},
    )
