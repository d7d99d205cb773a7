"""Checks that need the whole document and the database: repeated keys, references to
objectives, scorecards and key results, parent chains that loop, and the members, teams
and employees the file names (owners and authors must be members, as in the API), and
the MBO rules of the API and the MBO page (one sheet per employee and period, a status
that moves one step at a time), and keys that a row in a scorecard or cycle the file does
not list holds already (``_check_moves``). With these, no unique key or index of the
tables the import writes can refuse a write of a file that passed — short of another
writer taking a key meanwhile, which the importer reports by running the checks again.

A reference may point into the file or to a stored row that the import keeps (one in a
scorecard or cycle the file does not mention); a stored row the import would delete does
not count, so a file never ends up pointing at something it removed.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from kano.adapters.db.mbo_store import allowed_move
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code.entries import Entry
from kano.adapters.strategy_code.schema import StrategyDocument
from kano.adapters.strategy_code.snapshot import People, Snapshot, stale_identities
from kano.adapters.strategy_code.source import DocumentError, LoadedYaml
from kano.domain.shared.errors import InvalidInput


@dataclass
class Universe:
    """Everything a reference may point to after the import, file and database merged."""

    scorecard_parent: dict[str, str | None]
    objective_scorecard: dict[str, str]
    okr_parent: dict[str, str | None]
    kr_origin: dict[str, str | None]

    def ancestors(self, scorecard: str) -> list[str]:
        chain: list[str] = []
        current = self.scorecard_parent.get(scorecard)
        while current is not None and current not in chain and current != scorecard:
            chain.append(current)
            current = self.scorecard_parent.get(current)
        return chain


def _scorecard_of(objective: Entry) -> str:
    """An objective's parent is its perspective, identified as (scorecard, perspective)."""
    return cast(tuple[str, str], objective.parent)[0]


def build_universe(entries: dict[str, dict[Hashable, Entry]], snapshot: Snapshot) -> Universe:
    declared = {entity: set(found) for entity, found in entries.items()}
    stale = stale_identities(snapshot, declared)

    def kept(entity: str) -> dict[Any, Any]:
        return {
            identity: row
            for identity, row in snapshot.rows[entity].items()
            if identity not in stale[entity]
        }

    scorecard_parent: dict[str, str | None] = {
        key: snapshot.key_of(e.SCORECARD, row.parent_id) for key, row in kept(e.SCORECARD).items()
    }
    scorecard_parent |= {x.model.key: x.model.parent for x in entries[e.SCORECARD].values()}
    perspective_of = snapshot.parents[e.OBJECTIVE]
    objective_scorecard: dict[str, str] = {
        key: cast(tuple[str, str], perspective_of[key])[0] for key in kept(e.OBJECTIVE)
    }
    objective_scorecard |= {x.model.key: _scorecard_of(x) for x in entries[e.OBJECTIVE].values()}
    okr_parent: dict[str, str | None] = {
        key: snapshot.key_of(e.OKR_OBJECTIVE, row.parent_id)
        for key, row in kept(e.OKR_OBJECTIVE).items()
    }
    okr_parent |= {x.model.key: x.model.parent for x in entries[e.OKR_OBJECTIVE].values()}
    kr_origin: dict[str, str | None] = {
        key: snapshot.key_of(e.KEY_RESULT, row.carried_over_from_id)
        for key, row in kept(e.KEY_RESULT).items()
    }
    kr_origin |= {x.model.key: x.model.carried_over_from for x in entries[e.KEY_RESULT].values()}
    return Universe(scorecard_parent, objective_scorecard, okr_parent, kr_origin)


def check_document(
    document: StrategyDocument, loaded: LoadedYaml, snapshot: Snapshot, people: People
) -> list[DocumentError]:
    """Every cross-reference problem of a document whose entries are each valid."""
    errors: list[DocumentError] = []
    first: dict[str, dict[Hashable, Entry]] = {entity: {} for entity in e.ENTITIES}
    for entry in e.walk(document):
        earlier = first[entry.entity].setdefault(entry.identity, entry)
        if earlier is not entry:
            line = loaded.line_of(earlier.key_loc)
            message = f"{entry.label} appears twice (first at line {line})"
            errors.append(loaded.error(entry.key_loc, message))
    universe = build_universe(first, snapshot)
    checker = _ReferenceChecker(loaded, universe, people, errors)
    for entry in e.walk(document):
        checker.check(entry)
    _check_sheets(list(first[e.MBO_SHEET].values()), loaded, snapshot, people, errors)
    _check_moves(first, loaded, snapshot, errors)
    return errors


# Entities whose keys are unique in the whole workspace while they live inside a scorecard
# or cycle: the file may move such a row from one scorecard (cycle) to another, but only
# from one it lists. Taking the row out of a scorecard the file does not mention would
# change that scorecard behind the user's back — its measures or key results the file does
# not list deleted, its links and alignments left pointing across scorecards — when the
# user most likely reused the key by mistake.
_MOVABLE = (e.OBJECTIVE, e.MEASURE, e.INITIATIVE, e.OKR_OBJECTIVE, e.KEY_RESULT)
_TOP_LABEL = {e.SCORECARD: "scorecard", e.OKR_CYCLE: "cycle"}


def _top_of(snapshot: Snapshot, entity: str, identity: Hashable) -> tuple[str, Hashable]:
    """The scorecard or cycle a stored row lives in, as (entity, key)."""
    while (parent_entity := e.PARENT_OF[entity]) is not None:
        identity = snapshot.parents[entity][identity]
        entity = parent_entity
    return entity, identity


def _check_moves(first: dict[str, dict[Hashable, Entry]], loaded: LoadedYaml,
                 snapshot: Snapshot, errors: list[DocumentError]) -> None:
    """A key the file uses that a stored row in a scorecard or cycle the file does not list
    holds already is refused on the entry's key."""
    for entity in _MOVABLE:
        for identity, x in first[entity].items():
            if identity not in snapshot.rows[entity]:
                continue
            top_entity, top = _top_of(snapshot, entity, identity)
            if top in first[top_entity]:
                continue
            what = _TOP_LABEL[top_entity]
            errors.append(loaded.error(x.key_loc, (
                f"{x.label} exists already in {what} '{top}', which this file does not "
                f"list: give this one another key, or list {what} '{top}' too to move it")))


def _check_sheets(sheets: list[Entry], loaded: LoadedYaml, snapshot: Snapshot, people: People,
                  errors: list[DocumentError]) -> None:
    """The MBO page's and the API's rules (``mbo_store``): one sheet per employee and
    period — among the file's sheets and the stored ones it keeps — and a stored sheet's
    status moves one step at a time."""
    stored = snapshot.rows.get(e.MBO_SHEET, {})
    in_file = {x.model.key for x in sheets}
    holder: dict[tuple[int | str, str], str] = {
        (row.employee_id, row.period_label): key for key, row in stored.items()
        if key not in in_file}
    for x in sheets:
        sheet = x.model
        employee = people.employees.get(sheet.employee, sheet.employee)
        taken = holder.setdefault((employee, sheet.period), sheet.key)
        if taken != sheet.key:
            errors.append(loaded.error((*x.loc, "period"), (
                f"employee '{sheet.employee}' has a sheet for period '{sheet.period}' already "
                f"('{taken}'): one sheet per employee and period")))
        before = stored.get(sheet.key)
        if before is not None:
            try:
                allowed_move(before.status, sheet.status)
            except InvalidInput as refused:
                errors.append(loaded.error((*x.loc, "status"), refused.message))


@dataclass
class _ReferenceChecker:
    loaded: LoadedYaml
    universe: Universe
    people: People
    errors: list[DocumentError]

    def fail(self, entry: Entry, field: str | None, message: str) -> None:
        loc = entry.loc if field is None else (*entry.loc, field)
        self.errors.append(self.loaded.error(loc, message))

    def check(self, entry: Entry) -> None:
        model = entry.model
        if entry.entity == e.SCORECARD:
            self._known(entry, "parent", model.parent, self.universe.scorecard_parent, "scorecard")
            self._no_loop(entry, "parent", model.key, self.universe.scorecard_parent)
            self._team(entry, "owner_team", model.owner_team)
        elif entry.entity == e.OBJECTIVE:
            self._aligned_to_an_ancestor(entry)
            self._user(entry, "owner", model.owner)
            self._team(entry, "owner_team", model.owner_team)
        elif entry.entity == e.LINK:
            for end in ("cause", "effect"):
                key = getattr(model, end)
                self._known(entry, end, key, self.universe.objective_scorecard, "objective")
        elif entry.entity == e.INITIATIVE:
            self._user(entry, "owner", model.owner)
            self._team(entry, "owner_team", model.owner_team)
        elif entry.entity == e.INITIATIVE_OBJECTIVE:
            if model not in self.universe.objective_scorecard:
                self.fail(entry, None, f"unknown objective '{model}'")
        elif entry.entity == e.OKR_OBJECTIVE:
            self._known(entry, "parent", model.parent, self.universe.okr_parent, "OKR objective")
            self._no_loop(entry, "parent", model.key, self.universe.okr_parent)
            objectives = self.universe.objective_scorecard
            self._known(
                entry, "scorecard_objective", model.scorecard_objective, objectives, "objective"
            )
            self._team(entry, "team", model.team)
            self._user(entry, "owner", model.owner)
        elif entry.entity == e.KEY_RESULT:
            origins = self.universe.kr_origin
            self._known(entry, "carried_over_from", model.carried_over_from, origins, "key result")
            self._no_loop(entry, "carried_over_from", model.key, origins)
        elif entry.entity == e.CHECK_IN:
            self._user(entry, "author", model.author)
        elif entry.entity == e.MBO_SHEET:
            if model.employee not in self.people.employees:
                self.fail(
                    entry, "employee", f"no employee with id '{model.employee}' in this workspace"
                )
        elif entry.entity == e.MBO_OBJECTIVE:
            okrs, objectives = self.universe.okr_parent, self.universe.objective_scorecard
            self._known(entry, "okr_objective", model.okr_objective, okrs, "OKR objective")
            self._known(
                entry, "scorecard_objective", model.scorecard_objective, objectives, "objective"
            )

    def _known(
        self, entry: Entry, field: str, key: str | None, known: Mapping[str, object], what: str
    ) -> None:
        if key is not None and key not in known:
            self.fail(entry, field, f"unknown {what} '{key}'")

    def _no_loop(
        self, entry: Entry, field: str, start: str, parent_of: Mapping[str, str | None]
    ) -> None:
        seen = {start}
        current = parent_of.get(start)
        while current is not None:
            if current == start:
                self.fail(entry, field, f"following '{field}' from '{start}' comes back to it")
                return
            if current in seen:
                return  # a loop further up, reported on its own members
            seen.add(current)
            current = parent_of.get(current)

    def _aligned_to_an_ancestor(self, entry: Entry) -> None:
        target = entry.model.aligned_to
        if target is None:
            return
        objectives = self.universe.objective_scorecard
        if target not in objectives:
            self.fail(entry, "aligned_to", f"unknown objective '{target}'")
            return
        own_card = _scorecard_of(entry)
        if objectives[target] not in self.universe.ancestors(own_card):
            self.fail(
                entry,
                "aligned_to",
                f"objective '{target}' is in scorecard '{objectives[target]}', which is not "
                f"a parent of scorecard '{own_card}'",
            )

    def _user(self, entry: Entry, field: str, email: str | None) -> None:
        if email is not None and email not in self.people.users:
            self.fail(entry, field, f"no member with e-mail '{email}' in this workspace")

    def _team(self, entry: Entry, field: str, key: str | None) -> None:
        if key is not None and key not in self.people.teams:
            self.fail(entry, field, f"no team with key '{key}' in this workspace")
