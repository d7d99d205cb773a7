"""The cascade of scorecards (company → department → team) as the scorecard pages show it:
where a scorecard sits (the scorecards above it, its parent, its children, the tree it
belongs to), which objectives of the scorecards above an objective may be aligned to
(the store's rule: an ancestor's, ``strategy_store.objective_values``), and the
objectives aligned to one, each with the score and status its own scorecard shows.

Read side only, every query filtered by the workspace; the writes are the store's
(``scorecard_edits``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import ObjectiveRow, PerspectiveRow, ScorecardRow, Team
from kano.adapters.db.views.scorecard import (
    LEVEL_ORDER,
    ScorecardChoice,
    scorecard_view,
    team_names,
)
from kano.domain.shared.scores import Status

#: The levels a scorecard below another may have, as the form offers them.
CHILD_LEVELS = ("department", "team")


@dataclass(frozen=True)
class CascadeNode:
    card: ScorecardChoice
    children: tuple[CascadeNode, ...]


@dataclass(frozen=True)
class Cascade:
    """Where one scorecard sits in its workspace's cascade."""

    current: ScorecardChoice
    above: tuple[ScorecardChoice, ...]  # the top first, the parent last
    children: tuple[ScorecardChoice, ...]
    tree: CascadeNode  # from the top of the current scorecard's cascade

    @property
    def parent(self) -> ScorecardChoice | None:
        return self.above[-1] if self.above else None

    @property
    def child_level(self) -> str:
        """The level a new scorecard below this one starts with."""
        return "team" if self.current.level in ("department", "team") else "department"


def _cards(db: Session, workspace_id: int) -> dict[int, tuple[ScorecardChoice, int | None]]:
    rows = db.scalars(select(ScorecardRow).where(ScorecardRow.workspace_id == workspace_id))
    teams = team_names(db, workspace_id)
    return {row.id: (ScorecardChoice(row.id, row.key, row.name, row.level,
                                     teams.get(row.owner_team_id or 0)), row.parent_id)
            for row in rows}


@dataclass(frozen=True)
class TeamChoice:
    id: int
    name: str


def team_choices(db: Session, workspace_id: int) -> tuple[TeamChoice, ...]:
    """The teams a scorecard of the workspace may belong to, by name."""
    rows = db.execute(select(Team.id, Team.name).where(Team.workspace_id == workspace_id)
                      .order_by(Team.name, Team.id))
    return tuple(TeamChoice(team_id, name) for team_id, name in rows)


def owner_team_id(db: Session, workspace_id: int, card_id: int) -> int | None:
    """The id of the team that owns a scorecard (the edit form's choice)."""
    return db.scalar(select(ScorecardRow.owner_team_id).where(
        ScorecardRow.id == card_id, ScorecardRow.workspace_id == workspace_id))


def _ancestors(cards: dict[int, tuple[ScorecardChoice, int | None]], card_id: int) -> list[int]:
    """The ids above a scorecard, the parent first, stopping at a loop (the store refuses
    one, but a stored cascade is read as it is)."""
    chain: list[int] = []
    current = cards[card_id][1] if card_id in cards else None
    while current is not None and current in cards and current not in chain \
            and current != card_id:
        chain.append(current)
        current = cards[current][1]
    return chain


def _order(card: ScorecardChoice) -> tuple[int, str, int]:
    return LEVEL_ORDER.get(card.level, 9), card.name.casefold(), card.id


def cascade_of(db: Session, workspace_id: int, card: ScorecardChoice) -> Cascade:
    cards = _cards(db, workspace_id)
    below: dict[int, list[ScorecardChoice]] = defaultdict(list)
    for choice, parent_id in cards.values():
        if parent_id is not None and parent_id in cards:
            below[parent_id].append(choice)
    above_ids = _ancestors(cards, card.id)
    top = cards[above_ids[-1]][0] if above_ids else card

    def node(choice: ScorecardChoice, path: frozenset[int]) -> CascadeNode:
        return CascadeNode(choice, tuple(
            node(child, path | {child.id}) for child in sorted(below[choice.id], key=_order)
            if child.id not in path))

    return Cascade(
        current=card,
        above=tuple(cards[card_id][0] for card_id in reversed(above_ids)),
        children=tuple(sorted(below[card.id], key=_order)),
        tree=node(top, frozenset({top.id})),
    )


@dataclass(frozen=True)
class AlignmentTarget:
    id: int
    title: str


@dataclass(frozen=True)
class AlignmentGroup:
    """The objectives of one scorecard above, in the order of its perspectives."""

    card: ScorecardChoice
    objectives: tuple[AlignmentTarget, ...]


def alignment_choices(db: Session, workspace_id: int, card_id: int
                      ) -> tuple[AlignmentGroup, ...]:
    """What an objective of scorecard ``card_id`` may be aligned to: the objectives of
    each scorecard above it, the parent's first."""
    cards = _cards(db, workspace_id)
    above = _ancestors(cards, card_id)
    rows = db.execute(
        select(ObjectiveRow.id, ObjectiveRow.title, PerspectiveRow.scorecard_id)
        .join(PerspectiveRow, PerspectiveRow.id == ObjectiveRow.perspective_id)
        .where(ObjectiveRow.workspace_id == workspace_id,
               PerspectiveRow.scorecard_id.in_(above))
        .order_by(PerspectiveRow.position, PerspectiveRow.id, ObjectiveRow.position,
                  ObjectiveRow.id)
    ).all()
    by_card: dict[int, list[AlignmentTarget]] = defaultdict(list)
    for row in rows:
        by_card[row.scorecard_id].append(AlignmentTarget(row.id, row.title))
    return tuple(AlignmentGroup(cards[card][0], tuple(by_card[card]))
                 for card in above if by_card[card])


@dataclass(frozen=True)
class AlignedObjective:
    """An objective aligned to another, with the score its own scorecard gives it."""

    id: int
    title: str
    card: ScorecardChoice
    score: float | None
    status: Status


def aligned_objectives(db: Session, workspace_id: int, objective_id: int
                       ) -> tuple[AlignedObjective, ...]:
    """The objectives aligned to ``objective_id``, by scorecard then as their cards list
    them; their scores are the ones their scorecard pages show (``scorecard_view``)."""
    card_ids = sorted(set(db.scalars(
        select(PerspectiveRow.scorecard_id)
        .join(ObjectiveRow, ObjectiveRow.perspective_id == PerspectiveRow.id)
        .where(ObjectiveRow.workspace_id == workspace_id,
               ObjectiveRow.aligned_to_id == objective_id))))
    if not card_ids:
        return ()
    cards = _cards(db, workspace_id)
    found: list[AlignedObjective] = []
    for card_id in sorted(card_ids, key=lambda card_id: _order(cards[card_id][0])):
        view = scorecard_view(db, workspace_id, cards[card_id][0])
        found.extend(AlignedObjective(line.id, line.title, view.scorecard, line.score,
                                      line.status)
                     for line in view.objectives if line.aligned_to_id == objective_id)
    return tuple(found)
