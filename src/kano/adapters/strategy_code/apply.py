"""Write a checked document into a workspace: upsert by identity, then delete what the file
no longer lists, all inside the caller's transaction.

The scorecard side (scorecards, perspectives, objectives, measures, values, links) goes
through the stores that forms and the API use (``stored.py``); initiatives, OKRs and MBO
sheets, which have no store yet, are written here. Rows are updated only where a value
differs, so importing the same file twice changes nothing — no row, no audit entry.
Updates run before deletions: an objective that moved to another perspective is
re-parented first, and the old perspective can then go without its cascade taking the
objective along. Deletions run children first for the same reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.audit_batch import audit_entries_in_bulk
from kano.adapters.db.strategy_store import Author
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code.entries import Entry
from kano.adapters.strategy_code.metrics import write_metrics
from kano.adapters.strategy_code.schema import MetricBinding, StrategyDocument
from kano.adapters.strategy_code.snapshot import TABLE_OF, People, Snapshot, stale_identities
from kano.adapters.strategy_code.source import LoadedYaml
from kano.adapters.strategy_code.stored import STORED, delete_stale, write_scorecards
from kano.domain.okr.model import due_on_or_cycle_end


@dataclass
class ChangeSummary:
    """Rows created, updated and deleted per entity (what ``--dry-run`` prints)."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)

    def is_empty(self) -> bool:
        return not (self.created or self.updated or self.deleted)

    def table(self) -> list[tuple[str, int, int, int]]:
        """(entity, created, updated, deleted) for every entity that changes, in file order."""
        return [
            (entity, self.created[entity], self.updated[entity], self.deleted[entity])
            for entity in (e.CUSTOM_METRIC, *e.ENTITIES)
            if self.created[entity] or self.updated[entity] or self.deleted[entity]
        ]

    def as_detail(self) -> dict[str, dict[str, int]]:
        return {
            entity: {"created": c, "updated": u, "deleted": d} for entity, c, u, d in self.table()
        }


def _binding(metric: MetricBinding | None) -> dict[str, Any]:
    if metric is None:
        return {"metric_id": None, "metric_slice": None}
    return {"metric_id": metric.id, "metric_slice": metric.slice}


@dataclass
class _Writer:
    session: Session
    author: Author
    loaded: LoadedYaml
    snapshot: Snapshot
    people: People
    summary: ChangeSummary = field(default_factory=ChangeSummary)
    _created: set[tuple[str, Hashable]] = field(default_factory=set)
    _updated: set[tuple[str, Hashable]] = field(default_factory=set)

    def upsert(self, entity: str, identity: Hashable, values: dict[str, Any]) -> None:
        row = self.snapshot.rows[entity].get(identity)
        if row is None:
            row = TABLE_OF[entity](workspace_id=self.author.workspace_id, **values)
            self.session.add(row)
            self.snapshot.rows[entity][identity] = row
            self._created.add((entity, identity))
            self.summary.created[entity] += 1
        else:
            self.update(entity, identity, values)

    def update(self, entity: str, identity: Hashable, values: dict[str, Any]) -> None:
        row = self.snapshot.rows[entity][identity]
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if not changed:
            return
        fresh = (entity, identity) in self._created
        before = row.audit_snapshot() if entity == e.CHECK_IN and not fresh else None
        for name, value in changed.items():
            setattr(row, name, value)
        if before is not None:
            detail = {"before": before, "after": row.audit_snapshot(), "via": "strategy import"}
            self.audit("update", row.id, detail)
        if not fresh and (entity, identity) not in self._updated:
            self._updated.add((entity, identity))
            self.summary.updated[entity] += 1

    def audit(self, action: str, check_in_id: int, detail: dict[str, Any]) -> None:
        """A check-in's audit entry (the stores write those of the scorecard side)."""
        author = self.author
        audit(self.session, author.workspace_id, author.actor, action, "check_in", check_in_id,
              detail, user_id=author.user_id)

    def id_of(self, entity: str, identity: Hashable | None) -> int | None:
        return None if identity is None else int(self.snapshot.rows[entity][identity].id)

    def user(self, email: str | None) -> int | None:
        return None if email is None else self.people.users[email]

    def team(self, key: str | None) -> int | None:
        return None if key is None else self.people.teams[key]

    def delete(self, entity: str, identities: set[Hashable]) -> None:
        for identity in sorted(identities, key=repr):
            row = self.snapshot.rows[entity].pop(identity)
            if entity == e.CHECK_IN:
                detail = {"before": row.audit_snapshot(), "via": "strategy import"}
                self.audit("delete", row.id, detail)
            self.session.delete(row)
            self.summary.deleted[entity] += 1
        self.session.flush()


def apply_document(
    session: Session,
    author: Author,
    document: StrategyDocument,
    loaded: LoadedYaml,
    snapshot: Snapshot,
    people: People,
) -> ChangeSummary:
    """Make the author's workspace hold what the (checked) document says; returns what
    changed. Custom metrics come first (bindings do not reference their rows, only their
    ids); the scorecard side goes through the stores (``stored.py``), whose refusal of an
    entry is an ``EntryRefused``.

    ``snapshot`` is consumed: it is updated with the rows created and deleted, so it must
    not be reused for another import.
    """
    found = e.first_entries(document)
    stale = stale_identities(snapshot, {entity: set(items) for entity, items in found.items()})
    writer = _Writer(session, author, loaded, snapshot, people)
    # Thousands of audit entries for a large file: written at each flush in one statement
    # without fetching their ids (on PostgreSQL the RETURNING statements cost more than
    # the rows they audit).
    with audit_entries_in_bulk(session):
        write_metrics(session, author, document, writer.summary)
        # The stores flush each row they write; their audit entries can wait for the next
        # row's flush instead of one of their own before every query (half the flushes).
        with session.no_autoflush:
            write_scorecards(writer, found)
        _write_initiatives(writer, found)
        _write_okrs(writer, found)
        _write_mbo(writer, found)
        for entity in reversed(e.ENTITIES):
            if entity in STORED:
                delete_stale(writer, entity, stale)
            else:
                writer.delete(entity, stale[entity])
    return writer.summary


def _each(found: dict[str, dict[Hashable, Entry]], entity: str) -> list[Entry]:
    return list(found[entity].values())


def _write_initiatives(w: _Writer, found: dict[str, dict[Hashable, Entry]]) -> None:
    for x in _each(found, e.INITIATIVE):
        i = x.model
        values = i.model_dump(include={"key", "name", "budget", "starts_on", "ends_on", "status"})
        values |= {"owner_user_id": w.user(i.owner), "owner_team_id": w.team(i.owner_team)}
        w.upsert(
            e.INITIATIVE, x.identity, values | {"scorecard_id": w.id_of(e.SCORECARD, x.parent)}
        )
    w.session.flush()
    for x in _each(found, e.INITIATIVE_OBJECTIVE):
        initiative, objective = cast(tuple[str, str], x.identity)
        values = {
            "initiative_id": w.id_of(e.INITIATIVE, initiative),
            "objective_id": w.id_of(e.OBJECTIVE, objective),
        }
        w.upsert(e.INITIATIVE_OBJECTIVE, x.identity, values)
    w.session.flush()


def _write_okrs(w: _Writer, found: dict[str, dict[Hashable, Entry]]) -> None:
    for x in _each(found, e.OKR_CYCLE):
        values = x.model.model_dump(
            include={"key", "name", "kind", "starts_on", "ends_on", "status"}
        )
        w.upsert(e.OKR_CYCLE, x.identity, values)
    w.session.flush()
    for x in _each(found, e.OKR_OBJECTIVE):
        o = x.model
        values = o.model_dump(include={"key", "title", "level", "grade"})
        values |= {
            "cycle_id": w.id_of(e.OKR_CYCLE, x.parent),
            "team_id": w.team(o.team),
            "owner_user_id": w.user(o.owner),
            "scorecard_objective_id": w.id_of(e.OBJECTIVE, o.scorecard_objective),
            "commitment": o.commitment.value,
            "position": x.position,
        }
        w.upsert(e.OKR_OBJECTIVE, x.identity, values)
    w.session.flush()
    for x in _each(found, e.OKR_OBJECTIVE):
        w.update(
            e.OKR_OBJECTIVE, x.identity, {"parent_id": w.id_of(e.OKR_OBJECTIVE, x.model.parent)}
        )
    for x in _each(found, e.KEY_RESULT):
        k = x.model
        values = k.model_dump(
            include={"key", "title", "unit", "start", "target", "current", "band_low", "band_high"}
            | {"milestones_done", "milestones_total", "done", "weight"}
        )
        cycle = found[e.OKR_CYCLE][found[e.OKR_OBJECTIVE][x.parent].parent].model
        values |= {
            "kind": k.kind.value,
            "okr_objective_id": w.id_of(e.OKR_OBJECTIVE, x.parent),
            "due_on": due_on_or_cycle_end(k.due_on, cycle.ends_on),
            "per": k.per.value,
        }
        w.upsert(e.KEY_RESULT, x.identity, values | _binding(k.metric) | {"position": x.position})
    w.session.flush()
    for x in _each(found, e.KEY_RESULT):
        origin = w.id_of(e.KEY_RESULT, x.model.carried_over_from)
        w.update(e.KEY_RESULT, x.identity, {"carried_over_from_id": origin})
    for x in _each(found, e.CHECK_IN):
        c = x.model
        values = {
            "key_result_id": w.id_of(e.KEY_RESULT, x.parent),
            "at": c.at,
            "value": c.value,
            "confidence": c.confidence,
            "comment": c.comment,
            "author_user_id": w.user(c.author),
        }
        w.upsert(e.CHECK_IN, x.identity, values)
    w.session.flush()


def _comment(text: str | None) -> str | None:
    """A comment as the MBO store keeps it: trimmed, blank is none."""
    return (text or "").strip() or None


def _free_moving_sheets(w: _Writer, sheets: list[Entry]) -> None:
    """Park the stored sheets that change employee or period on a placeholder period first.

    One sheet per (employee, period) is a unique index (``ix_mbo_sheets_employee_period``),
    checked row by row: a file that swaps the periods of two sheets (A H1→H2, B H2→H1), or
    moves A into the period B leaves, or gives a new sheet the period A leaves, breaks it
    half-way whatever the order of the updates. The checks have made sure the sheets' new
    places are free once the import is done; parking the moving sheets on a period no sheet
    can have (a control character, which the file refuses) makes them free at every step.
    The placeholder lives only inside the import's transaction.
    """
    moving = []
    for x in sheets:
        row = w.snapshot.rows[e.MBO_SHEET].get(x.identity)
        place = (w.people.employees[x.model.employee], x.model.period)
        if row is not None and (row.employee_id, row.period_label) != place:
            moving.append(row)
    for row in moving:
        row.period_label = f"\x01moving {row.id}"
    if moving:
        w.session.flush()


def _write_mbo(w: _Writer, found: dict[str, dict[Hashable, Entry]]) -> None:
    _free_moving_sheets(w, _each(found, e.MBO_SHEET))
    for x in _each(found, e.MBO_SHEET):
        s = x.model
        values = {
            "key": s.key,
            "employee_id": w.people.employees[s.employee],
            "period_label": s.period,
            "status": s.status,
            "review_comment": _comment(s.comment),
        }
        w.upsert(e.MBO_SHEET, x.identity, values)
    w.session.flush()
    for x in _each(found, e.MBO_OBJECTIVE):
        o = x.model
        values = {
            "sheet_id": w.id_of(e.MBO_SHEET, x.parent),
            "key": o.key,
            "title": o.title,
            "weight_percent": o.weight,
            "achievement_percent": o.achievement,
            "okr_objective_id": w.id_of(e.OKR_OBJECTIVE, o.okr_objective),
            "scorecard_objective_id": w.id_of(e.OBJECTIVE, o.scorecard_objective),
            "position": x.position,
            "review_comment": _comment(o.comment),
        }
        w.upsert(e.MBO_OBJECTIVE, x.identity, values)
    w.session.flush()
