"""The scorecard side of an import — scorecards, perspectives, objectives, measures, their
values and the map's links — written through the stores that the API and the web pages
use (``kano.adapters.db``: ``scorecard_store``, ``strategy_store``, ``measure_store``,
``measure_value_store``, ``link_store``), so a file is held to the same rules, stored
trimmed the same way and audited in the same shape as a form or an API call, with the
importer as the author. A row a store refuses is an ``EntryRefused`` naming the entry's
path in the file; the importer rolls the whole import back.

A store is called only for an entry that differs from its row (texts compared as the
store keeps them: trimmed, blank as none), so importing the same file twice calls no
store and writes no audit entry. Order keeps every step valid for the store's own checks:
scorecards parents first (a parent is never set to a card whose chain is not final yet),
objectives scorecard by scorecard in that order (``aligned_to`` points into an ancestor
scorecard, already written). New rows go to the store in batches — a scorecard's new
objectives, then all new measures, all new values and all new links, one call each
(``create_objectives``, ``create_measures``, ``create_values``, ``create_links``: the
same checks and audit entries per row as one at a time, the rows they name looked up at
once, one flush) — so a first import of hundreds of objectives costs a few round trips
per batch rather than several per row. Changed rows go in batches too, each with what
differs, as a PATCH (a measure with all its columns): a scorecard's changed objectives,
then all changed measures, values and links, one call each (``update_objectives``,
``update_measures``, ``update_values``, ``update_links``), so the ORM sends rows that
change the same columns as one executemany; scorecards and perspectives (a few) one by
one.
Deletions remove only the topmost stale row of each branch — as a form's delete does,
the database's cascade takes its children along; stale links go in one store call
(``delete_links``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel

from kano.adapters.db import (
    link_store,
    measure_store,
    measure_value_store,
    scorecard_store,
    strategy_store,
)
from kano.adapters.db.strategy_store import AlreadyExists
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code.entries import Entry
from kano.adapters.strategy_code.source import (
    DocumentError,
    LoadedYaml,
    Loc,
    format_loc,
    parse_loc,
)
from kano.domain.shared.errors import InvalidInput, KanoError

if TYPE_CHECKING:
    from kano.adapters.strategy_code.apply import _Writer

# The entities written here; the importer's own writer keeps initiatives, OKRs and MBO
# sheets (they have no store yet).
STORED = (e.SCORECARD, e.PERSPECTIVE, e.OBJECTIVE, e.MEASURE, e.MEASURE_VALUE, e.LINK)


class EntryRefused(KanoError):
    """A store refused an entry of the file: ``error`` names its path and line."""

    def __init__(self, error: DocumentError) -> None:
        super().__init__(f"line {error.line}: {error.path}: {error.message}")
        self.error = error


def _loc(entry: Entry, field: str) -> Loc:
    """The store's field as a path in the file: the entry's own field when the file has
    one of that name (``owner``, ``metric.id``), else the entry (``perspective``)."""
    parts = parse_loc(field) if field else ()
    model = type(entry.model)
    if parts and isinstance(entry.model, BaseModel) and parts[0] in model.model_fields:
        return (*entry.loc, *parts)
    return entry.loc


@contextmanager
def _writing(loaded: LoadedYaml, entry: Entry) -> Iterator[None]:
    try:
        yield
    except EntryRefused:
        raise
    except AlreadyExists as taken:
        raise EntryRefused(loaded.error(_loc(entry, taken.field), str(taken))) from None
    except InvalidInput as invalid:
        raise EntryRefused(loaded.error(_loc(entry, invalid.field), invalid.message)) from None
    except KanoError as refused:  # a role or a row the checks let through: not expected
        raise EntryRefused(loaded.error(entry.loc, str(refused))) from None


def _as_stored(value: Any) -> Any:
    """A text as the stores keep it (``strategy_store.text``): trimmed, blank is none."""
    return (value.strip() or None) if isinstance(value, str) else value


def _changed(row: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items()
            if getattr(row, name) != _as_stored(value)}


def _upsert(w: _Writer, x: Entry, values: Mapping[str, Any], create: Any, update: Any) -> None:
    """``create()`` a missing row, or ``update(row, changed)`` one whose ``values`` differ,
    given only those that differ, as an API client PATCHes it (and the store checks only
    that); counts a row as updated only when the store changed it."""
    rows = w.snapshot.rows[x.entity]
    row = rows.get(x.identity)
    if row is None:
        with _writing(w.loaded, x):
            rows[x.identity] = create()
        w.summary.created[x.entity] += 1
        return
    changed = _changed(row, values)
    if not changed:
        return
    before = [getattr(row, name) for name in values]
    with _writing(w.loaded, x):
        update(row, changed)
    if before != [getattr(row, name) for name in values]:
        w.summary.updated[x.entity] += 1


def _new_and_changed(
    w: _Writer, entries: Iterable[Entry], columns: Callable[[Entry], dict[str, Any]], *,
    whole: bool = False,
) -> tuple[list[Entry], list[tuple[Entry, dict[str, Any]]]]:
    """The entries without a row, and those whose row differs with the columns to send:
    those that differ (a PATCH), or all of them when ``whole``."""
    fresh: list[Entry] = []
    changed: list[tuple[Entry, dict[str, Any]]] = []
    for x in entries:
        row = w.snapshot.rows[x.entity].get(x.identity)
        if row is None:
            fresh.append(x)
            continue
        values = columns(x)
        if differs := _changed(row, values):
            changed.append((x, values if whole else differs))
    return fresh, changed


def _update_batch(
    w: _Writer, changed: list[tuple[Entry, dict[str, Any]]], listed: str,
    update: Callable[[list[tuple[Any, dict[str, Any]]]], Any],
) -> None:
    """Changed rows in one store call, ``update([(row, columns), …])``, named as
    ``_in_batch``; counts a row as updated only when the store changed it (it may keep
    what a file leaves out, such as a bound metric's unit)."""
    if not changed:
        return
    rows = [w.snapshot.rows[x.entity][x.identity] for x, _ in changed]
    before = [[getattr(row, name) for name in values]
              for row, (_, values) in zip(rows, changed, strict=True)]
    items = [(row, values) for row, (_, values) in zip(rows, changed, strict=True)]
    _in_batch(w, [x for x, _ in changed], listed, lambda: update(items))
    for row, (x, values), old in zip(rows, changed, before, strict=True):
        if old != [getattr(row, name) for name in values]:
            w.summary.updated[x.entity] += 1


def _parents_first(cards: list[Entry]) -> list[Entry]:
    """The file's scorecards, each after its parent (the checks refused loops)."""
    by_key = {x.model.key: x for x in cards}
    placed: set[str] = set()
    order: list[Entry] = []

    def place(x: Entry) -> None:
        if x.model.key in placed:
            return
        placed.add(x.model.key)
        if (parent := by_key.get(x.model.parent)) is not None:
            place(parent)
        order.append(x)

    for card in cards:
        place(card)
    return order


def write_scorecards(w: _Writer, found: dict[str, dict[Hashable, Entry]]) -> None:
    db, author = w.session, w.author
    cards = _parents_first(list(found[e.SCORECARD].values()))
    for x in cards:
        card = {"name": x.model.name, "level": x.model.level,
                "parent_id": w.id_of(e.SCORECARD, x.model.parent),
                "owner_team_id": w.team(x.model.owner_team)}
        _upsert(w, x, card,
                lambda c=card, k=x.model.key: scorecard_store.create_scorecard(
                    db, author, key=k, **c),
                lambda row, c: scorecard_store.update_scorecard(db, author, row.id, c))
    for x in found[e.PERSPECTIVE].values():
        band = {"name": x.model.name, "position": x.position}
        card_id = w.id_of(e.SCORECARD, x.parent)
        _upsert(w, x, band,
                lambda b=band, c=card_id, k=x.model.key: scorecard_store.create_perspective(
                    db, author, scorecard_id=c, key=k, **b),
                lambda row, b: scorecard_store.update_perspective(db, author, row.id, b))
    for card in cards:  # aligned_to points into an ancestor: its batch came before
        _write_objectives(w, [x for x in found[e.OBJECTIVE].values()
                              if cast(tuple[str, str], x.parent)[0] == card.identity])
    _write_measures(w, found)
    fresh, changed = _new_and_changed(w, found[e.LINK].values(), lambda x: {
        "hypothesis": x.model.hypothesis, "lag_months": x.model.lag_months})
    _update_batch(w, changed, "links", lambda items: link_store.update_links(
        db, author, [(row.id, values) for row, values in items]))
    if fresh:
        links = [_link_ends(w, x) | {"hypothesis": x.model.hypothesis,
                                     "lag_months": x.model.lag_months} for x in fresh]
        _create_batch(w, fresh, "links", lambda: link_store.create_links(db, author, links))


def _link_ends(w: _Writer, x: Entry) -> dict[str, Any]:
    card, cause, effect = cast(tuple[str, str, str], x.identity)
    return {"scorecard_id": w.id_of(e.SCORECARD, card),
            "cause_id": w.id_of(e.OBJECTIVE, cause), "effect_id": w.id_of(e.OBJECTIVE, effect)}


def _write_objectives(w: _Writer, objectives: list[Entry]) -> None:
    """One scorecard's objectives: changed ones updated in one store call (each with what
    differs, as a PATCH), then new ones created in one store call."""
    db, author = w.session, w.author
    fresh, changed = _new_and_changed(w, objectives, lambda x: _objective_columns(w, x))
    _update_batch(w, changed, "objectives", lambda items: strategy_store.update_objectives(
        db, author, [(row.id, values) for row, values in items], across_scorecards=True))
    if fresh:
        items = [{"key": x.model.key} | _objective_columns(w, x) for x in fresh]
        _create_batch(w, fresh, "objectives",
                      lambda: strategy_store.create_objectives(db, author, items))


def _objective_columns(w: _Writer, x: Entry) -> dict[str, Any]:
    o = x.model
    return {"perspective_id": w.id_of(e.PERSPECTIVE, x.parent), "title": o.title,
            "description": o.description, "customer_voice": o.customer_voice,
            "owner_user_id": w.user(o.owner), "owner_team_id": w.team(o.owner_team),
            "aligned_to_id": w.id_of(e.OBJECTIVE, o.aligned_to), "position": x.position}


def _write_measures(w: _Writer, found: dict[str, dict[Hashable, Entry]]) -> None:
    db, author = w.session, w.author
    # One catalogue for the import's bindings, changed and new: loading it (the custom
    # metrics, just stored, read and parsed) once per bound measure cost the most.
    catalogue = measure_store.BindingCatalogue(db, author.workspace_id)
    # A measure's changed row gets all its columns: its unit goes with its metric, which
    # may give it one.
    fresh, changed = _new_and_changed(w, found[e.MEASURE].values(),
                                      lambda x: _measure_columns(w, x), whole=True)
    _update_batch(w, changed, "measures", lambda items: measure_store.update_measures(
        db, author, [(row.id, values) for row, values in items], catalogue))
    if fresh:
        measures = [{"key": x.model.key} | _measure_columns(w, x) for x in fresh]
        _create_batch(w, fresh, "measures",
                      lambda: measure_store.create_measures(db, author, measures, catalogue))
    new, changed = _new_and_changed(w, found[e.MEASURE_VALUE].values(), _value_columns)
    _update_batch(w, changed, "values", lambda items: measure_value_store.update_values(
        db, author, [(row.measure_id, row.period_start, values) for row, values in items]))
    if new:
        items = [(w.id_of(e.MEASURE, x.parent), x.model.period, _value_columns(x)) for x in new]
        _create_batch(w, new, "values",
                      lambda: measure_value_store.create_values(db, author, items))


def _measure_columns(w: _Writer, x: Entry) -> dict[str, Any]:
    m = x.model
    values: dict[str, Any] = m.model_dump(
        include={"name", "unit", "baseline", "target", "amber_from", "green_from"}
        | {"band_low", "band_high", "tolerance", "weight", "frequency", "kind"}
    )
    return values | {
        "direction": m.direction.value, "objective_id": w.id_of(e.OBJECTIVE, x.parent),
        "metric_id": None if m.metric is None else m.metric.id,
        "metric_slice": None if m.metric is None else m.metric.slice,
        "position": x.position,
    }


def _value_columns(x: Entry) -> dict[str, Any]:
    values: dict[str, Any] = x.model.model_dump(
        include={"actual", "target", "source", "n", "ci_low", "ci_high"})
    values["computed_at"] = x.model.computed_at
    return values


def _in_batch(w: _Writer, batch: list[Entry], listed: str, write: Any) -> Any:
    """``write()``, a store call for all of ``batch``; the store names a refused entry by
    its place in the batch (``values[2].ci_low``), turned into its entry's path."""
    with _writing(w.loaded, batch[0]):  # a refusal not about one row: not expected
        try:
            return write()
        except (InvalidInput, AlreadyExists) as refused:
            parts = parse_loc(refused.field)  # LISTED[INDEX].FIELD
            if parts[:1] != (listed,) or not isinstance(parts[1], int):
                raise
            x = batch[parts[1]]
            message = refused.message if isinstance(refused, InvalidInput) else str(refused)
            raise EntryRefused(w.loaded.error(_loc(x, format_loc(parts[2:])), message)) from None


def _create_batch(w: _Writer, batch: list[Entry], listed: str, create: Any) -> None:
    """New rows of one parent in one store call (``create()``), named as ``_in_batch``."""
    rows = _in_batch(w, batch, listed, create)
    for x, row in zip(batch, rows, strict=True):
        w.snapshot.rows[x.entity][x.identity] = row
        w.summary.created[x.entity] += 1


def delete_stale(w: _Writer, entity: str, stale: dict[str, set[Hashable]]) -> None:
    """Delete the stale rows of ``entity`` whose parent stays (a stale parent's delete
    takes them along); every stale row counts as deleted."""
    parent_entity = e.PARENT_OF[entity]
    parents = w.snapshot.parents[entity]
    db, author = w.session, w.author
    links: list[int] = []  # stale links: one store call for all of them, in this order
    for identity in sorted(stale[entity], key=repr):
        row = w.snapshot.rows[entity].pop(identity)
        w.summary.deleted[entity] += 1
        if parent_entity is not None and parents.get(identity) in stale[parent_entity]:
            continue
        if entity == e.MEASURE_VALUE:
            measure_value_store.delete_value(db, author, row.measure_id, row.period_start)
        elif entity == e.MEASURE:
            measure_store.delete_measure(db, author, row.id)
        elif entity == e.LINK:
            links.append(row.id)
        elif entity == e.OBJECTIVE:
            strategy_store.delete_objective(db, author, row.id)
        elif entity == e.PERSPECTIVE:
            scorecard_store.delete_perspective(db, author, row.id)
        else:  # top-level scorecards are never stale
            raise AssertionError(entity)
    link_store.delete_links(db, author, links)
