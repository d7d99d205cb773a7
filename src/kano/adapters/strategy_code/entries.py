"""The document flattened into entries, each with the identity it has in the database.

An identity is what the import matches on: a workspace-wide key for objectives, measures,
initiatives, OKR objectives and key results; a key within its parent for perspectives and
MBO objectives; a natural pair for values (measure, period), links (map, cause, effect)
and check-ins (key result, time). The same identities come out of ``snapshot.py`` for
stored rows, so "what the file says" and "what the database holds" compare directly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from kano.adapters.strategy_code.schema import StrategyDocument
from kano.adapters.strategy_code.source import Loc

SCORECARD = "scorecard"
PERSPECTIVE = "perspective"
OBJECTIVE = "objective"
MEASURE = "measure"
MEASURE_VALUE = "measure value"
LINK = "link"
INITIATIVE = "initiative"
INITIATIVE_OBJECTIVE = "initiative objective"
OKR_CYCLE = "OKR cycle"
OKR_OBJECTIVE = "OKR objective"
KEY_RESULT = "key result"
CHECK_IN = "check-in"
MBO_SHEET = "MBO sheet"
MBO_OBJECTIVE = "MBO objective"

# Every entity with its parent entity, parents first (the order of creation and reports).
PARENT_OF: dict[str, str | None] = {
    SCORECARD: None,
    PERSPECTIVE: SCORECARD,
    OBJECTIVE: PERSPECTIVE,
    MEASURE: OBJECTIVE,
    MEASURE_VALUE: MEASURE,
    LINK: SCORECARD,
    INITIATIVE: SCORECARD,
    INITIATIVE_OBJECTIVE: INITIATIVE,
    OKR_CYCLE: None,
    OKR_OBJECTIVE: OKR_CYCLE,
    KEY_RESULT: OKR_OBJECTIVE,
    CHECK_IN: KEY_RESULT,
    MBO_SHEET: None,
    MBO_OBJECTIVE: MBO_SHEET,
}
ENTITIES: tuple[str, ...] = tuple(PARENT_OF)

# Custom metrics are entries of the file too, but not rows of the strategy tree: they are
# checked by the custom-metric parser and written by ``metrics.py`` (see there).
CUSTOM_METRIC = "custom metric"


@dataclass(frozen=True)
class Entry:
    """One thing the file declares. ``model`` is its schema model (a plain key for an
    initiative's objective); ``position`` its place among its siblings."""

    entity: str
    identity: Hashable
    parent: Hashable | None
    loc: Loc
    key_loc: Loc
    label: str
    model: Any
    position: int


def walk(document: StrategyDocument) -> Iterator[Entry]:
    """Every entry of the document, each parent before its children."""
    for s, card in enumerate(document.scorecards):
        at: Loc = ("scorecards", s)
        yield Entry(SCORECARD, card.key, None, at, (*at, "key"), f"scorecard '{card.key}'", card, s)
        yield from _scorecard_content(card, at)
    for c, cycle in enumerate(document.okr_cycles):
        at = ("okr_cycles", c)
        yield Entry(OKR_CYCLE, cycle.key, None, at, (*at, "key"), f"cycle '{cycle.key}'", cycle, c)
        for o, objective in enumerate(cycle.objectives):
            o_at = (*at, "objectives", o)
            label = f"OKR objective '{objective.key}'"
            yield Entry(
                OKR_OBJECTIVE, objective.key, cycle.key, o_at, (*o_at, "key"), label, objective, o
            )
            for k, kr in enumerate(objective.key_results):
                k_at = (*o_at, "key_results", k)
                label = f"key result '{kr.key}'"
                yield Entry(KEY_RESULT, kr.key, objective.key, k_at, (*k_at, "key"), label, kr, k)
                for i, check_in in enumerate(kr.check_ins):
                    i_at = (*k_at, "check_ins", i)
                    label = f"check-in at {check_in.at.isoformat(' ')}"
                    identity: Hashable = (kr.key, check_in.at)
                    yield Entry(CHECK_IN, identity, kr.key, i_at, (*i_at, "at"), label, check_in, i)
    for h, sheet in enumerate(document.mbo_sheets):
        at = ("mbo_sheets", h)
        yield Entry(
            MBO_SHEET, sheet.key, None, at, (*at, "key"), f"MBO sheet '{sheet.key}'", sheet, h
        )
        for o, item in enumerate(sheet.objectives):
            o_at = (*at, "objectives", o)
            label = f"MBO objective '{item.key}'"
            identity = (sheet.key, item.key)
            yield Entry(MBO_OBJECTIVE, identity, sheet.key, o_at, (*o_at, "key"), label, item, o)


def _scorecard_content(card: Any, at: Loc) -> Iterator[Entry]:
    for p, perspective in enumerate(card.perspectives):
        p_at = (*at, "perspectives", p)
        p_id = (card.key, perspective.key)
        label = f"perspective '{perspective.key}'"
        yield Entry(PERSPECTIVE, p_id, card.key, p_at, (*p_at, "key"), label, perspective, p)
        for o, objective in enumerate(perspective.objectives):
            o_at = (*p_at, "objectives", o)
            label = f"objective '{objective.key}'"
            yield Entry(OBJECTIVE, objective.key, p_id, o_at, (*o_at, "key"), label, objective, o)
            for m, measure in enumerate(objective.measures):
                m_at = (*o_at, "measures", m)
                label = f"measure '{measure.key}'"
                yield Entry(
                    MEASURE, measure.key, objective.key, m_at, (*m_at, "key"), label, measure, m
                )
                for v, value in enumerate(measure.values):
                    v_at = (*m_at, "values", v)
                    label = f"value for period {value.period.isoformat()}"
                    identity: Hashable = (measure.key, value.period)
                    yield Entry(
                        MEASURE_VALUE,
                        identity,
                        measure.key,
                        v_at,
                        (*v_at, "period"),
                        label,
                        value,
                        v,
                    )
    for n, link in enumerate(card.links):
        l_at = (*at, "links", n)
        identity = (card.key, link.cause, link.effect)
        label = f"link {link.cause} → {link.effect}"
        yield Entry(LINK, identity, card.key, l_at, l_at, label, link, n)
    for i, initiative in enumerate(card.initiatives):
        i_at = (*at, "initiatives", i)
        label = f"initiative '{initiative.key}'"
        yield Entry(
            INITIATIVE, initiative.key, card.key, i_at, (*i_at, "key"), label, initiative, i
        )
        for j, objective_key in enumerate(initiative.objectives):
            j_at = (*i_at, "objectives", j)
            identity = (initiative.key, objective_key)
            label = f"objective '{objective_key}' of this initiative"
            yield Entry(
                INITIATIVE_OBJECTIVE, identity, initiative.key, j_at, j_at, label, objective_key, j
            )


def first_entries(document: StrategyDocument) -> dict[str, dict[Hashable, Entry]]:
    """Entries by entity and identity; a repeated identity keeps its first entry (the
    repetition itself is an error that ``checks.py`` reports)."""
    found: dict[str, dict[Hashable, Entry]] = {entity: {} for entity in ENTITIES}
    for entry in walk(document):
        found[entry.entity].setdefault(entry.identity, entry)
    return found
