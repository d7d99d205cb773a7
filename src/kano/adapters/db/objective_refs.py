"""The rows an objective's checks and audit entry name — its perspective and scorecard,
the scorecards above it, its owner, its team, the objective it is aligned to — looked up
in one workspace and remembered.

A form's one objective asks for each as it goes (one small query each, as before); a
strategy file's many objectives are ``prefetch``-ed first, a few ``IN`` queries for all
of them, so checking hundreds of objectives does not cost hundreds of round trips. Both
go through the same checks in ``strategy_store``: this only decides how rows are found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import Membership, ObjectiveRow, PerspectiveRow, ScorecardRow, Team, User


class ObjectiveRefs:
    """Lookups in workspace ``workspace_id``; each answers None for a row not in it."""

    def __init__(self, db: Session, workspace_id: int) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self._perspectives: dict[int, PerspectiveRow | None] = {}
        self._cards: dict[int, tuple[str, int | None] | None] = {}  # id: key, parent id
        self._members: dict[int, str | None] = {}  # user id: e-mail of a member
        self._teams: dict[int, str | None] = {}  # team id: key
        self._objectives: dict[int, tuple[str, int] | None] = {}  # id: key, scorecard id

    def perspective(self, perspective_id: int) -> PerspectiveRow | None:
        if perspective_id not in self._perspectives:
            self._perspectives[perspective_id] = self.db.scalar(select(PerspectiveRow).where(
                PerspectiveRow.id == perspective_id,
                PerspectiveRow.workspace_id == self.workspace_id))
        return self._perspectives[perspective_id]

    def card(self, card_id: int) -> tuple[str, int | None] | None:
        """A scorecard's key and parent's id."""
        if card_id not in self._cards:
            found = self.db.execute(select(ScorecardRow.key, ScorecardRow.parent_id).where(
                ScorecardRow.id == card_id, ScorecardRow.workspace_id == self.workspace_id
            )).first()
            self._cards[card_id] = None if found is None else (found.key, found.parent_id)
        return self._cards[card_id]

    def ancestors(self, card_id: int) -> list[int]:
        """The scorecards above this one in the cascade (parent first), stopping at a loop."""
        chain: list[int] = []
        own = self.card(card_id)
        current = None if own is None else own[1]
        while current is not None and current not in chain and current != card_id:
            chain.append(current)
            above = self.card(current)
            current = None if above is None else above[1]
        return chain

    def member_email(self, user_id: int) -> str | None:
        """The e-mail of a member of the workspace (None: not a member)."""
        if user_id not in self._members:
            self._members[user_id] = self.db.scalar(
                select(User.email).join(Membership, Membership.user_id == User.id).where(
                    Membership.workspace_id == self.workspace_id, User.id == user_id))
        return self._members[user_id]

    def team_key(self, team_id: int) -> str | None:
        if team_id not in self._teams:
            self._teams[team_id] = self.db.scalar(select(Team.key).where(
                Team.id == team_id, Team.workspace_id == self.workspace_id))
        return self._teams[team_id]

    def objective(self, objective_id: int) -> tuple[str, int] | None:
        """An objective's key and the id of its scorecard."""
        if objective_id not in self._objectives:
            found = self.db.execute(
                select(ObjectiveRow.key, PerspectiveRow.scorecard_id)
                .join(PerspectiveRow, PerspectiveRow.id == ObjectiveRow.perspective_id)
                .where(ObjectiveRow.id == objective_id,
                       ObjectiveRow.workspace_id == self.workspace_id)).first()
            self._objectives[objective_id] = None if found is None else (
                found.key, found.scorecard_id)
        return self._objectives[objective_id]

    def prefetch(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Look up at once what ``items`` (objectives' column values) name, and every
        scorecard of the workspace (a cascade has few)."""
        items = list(items)
        ws = self.workspace_id

        def ids(column: str) -> set[int]:
            return {item[column] for item in items if item.get(column) is not None}

        perspectives, owners = ids("perspective_id"), ids("owner_user_id")
        teams, aligned = ids("owner_team_id"), ids("aligned_to_id")
        self._perspectives |= dict.fromkeys(perspectives)
        self._perspectives |= {row.id: row for row in self.db.scalars(select(PerspectiveRow).where(
            PerspectiveRow.workspace_id == ws, PerspectiveRow.id.in_(perspectives)))}
        self._cards |= {row.id: (row.key, row.parent_id) for row in self.db.execute(
            select(ScorecardRow.id, ScorecardRow.key, ScorecardRow.parent_id)
            .where(ScorecardRow.workspace_id == ws))}
        self._members |= dict.fromkeys(owners)
        self._members |= dict(self.db.execute(
            select(User.id, User.email).join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == ws, User.id.in_(owners))).all())
        self._teams |= dict.fromkeys(teams)
        self._teams |= dict(self.db.execute(select(Team.id, Team.key).where(
            Team.workspace_id == ws, Team.id.in_(teams))).all())
        self._objectives |= dict.fromkeys(aligned)
        self._objectives |= {row.id: (row.key, row.scorecard_id) for row in self.db.execute(
            select(ObjectiveRow.id, ObjectiveRow.key, PerspectiveRow.scorecard_id)
            .join(PerspectiveRow, PerspectiveRow.id == ObjectiveRow.perspective_id)
            .where(ObjectiveRow.workspace_id == ws, ObjectiveRow.id.in_(aligned)))}
