"""Who may change the strategy in the web UI, and the pages that say no.

The rule is the API's (``kano.domain.workspaces.may_change_owned``): viewers read;
managers and analysts change what they own — scorecard objectives and OKR objectives whose
owner they are, with the measures, values and key results of those; admins and owners
change everything, the structure included (perspectives, cause–effect links, closing a
cycle). The server checks every edit (``strategy_edits.Editor``); ``EditRights`` only hides
the controls a reader may not use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.orm import ObjectiveRow, OkrObjectiveRow
from kano.adapters.web.deps import SignedInPageContext
from kano.adapters.web.strategy_edits import Editor
from kano.adapters.web.strategy_formats import LABELS, STATUS_LABELS, StrategyFormats
from kano.domain.shared.currency import DEFAULT_CURRENCY
from kano.domain.workspaces import Role, may_change_everything, may_change_owned, role_allows

EDITING_ROLE = Role.MANAGER


def can_edit(page: SignedInPageContext) -> bool:
    """Whether the viewer edits at all (managers and up): they may add objectives they own."""
    workspace = page.workspace
    return workspace is not None and role_allows(workspace.role, EDITING_ROLE)


def editor_of(page: SignedInPageContext) -> Editor | None:
    """The editor behind this request, or None when the viewer may only read."""
    if page.workspace is None or not can_edit(page):
        return None
    return Editor(page.workspace.id, page.viewer.user_id, page.viewer.email, page.workspace.role,
                  page.language.code)


@dataclass(frozen=True)
class EditRights:
    """What the reader may change on a page: which controls to show."""

    role: Role | None  # None without a workspace
    user_id: int
    objective_owners: Mapping[int, int | None] = field(default_factory=dict)
    okr_owners: Mapping[int, int | None] = field(default_factory=dict)

    @property
    def structure(self) -> bool:
        """Perspectives, cause–effect links, closing a cycle: admins and owners."""
        return self.role is not None and may_change_everything(self.role)

    def _owns(self, owner: int | None) -> bool:
        return self.role is not None and may_change_owned(self.role, self.user_id, [owner])

    def objective(self, objective_id: int) -> bool:
        """A scorecard objective, its measures and their values."""
        return self._owns(self.objective_owners.get(objective_id))

    def okr(self, okr_objective_id: int) -> bool:
        """An OKR objective and the check-ins of its key results."""
        return self._owns(self.okr_owners.get(okr_objective_id))


def edit_rights(page: SignedInPageContext, db: Session) -> EditRights:
    workspace = page.workspace
    if workspace is None:
        return EditRights(None, page.viewer.user_id)
    objectives = db.execute(select(ObjectiveRow.id, ObjectiveRow.owner_user_id)
                            .where(ObjectiveRow.workspace_id == workspace.id))
    okrs = db.execute(select(OkrObjectiveRow.id, OkrObjectiveRow.owner_user_id)
                      .where(OkrObjectiveRow.workspace_id == workspace.id))
    return EditRights(workspace.role, page.viewer.user_id,
                      {row_id: owner for row_id, owner in objectives},
                      {row_id: owner for row_id, owner in okrs})


def refuse_edit(page: SignedInPageContext, needs: str = "editor") -> Response:
    """403: ``needs`` says what the change takes — ``editor`` (a viewer tried), ``owner``
    (a manager tried to change what someone else owns) or ``admin`` (the structure)."""
    return page.render("strategy/forbidden.html", status_code=403, needs=needs)


def not_found(page: SignedInPageContext, active: str) -> Response:
    return page.render("strategy/not_found.html", status_code=404, active=active)


def no_workspace(page: SignedInPageContext) -> Response:
    return page.render("home/no_workspace.html", active="home")


def formats_of(page: SignedInPageContext) -> StrategyFormats:
    """The page's number formats, money in the workspace's currency."""
    currency = page.workspace.currency if page.workspace else DEFAULT_CURRENCY
    return StrategyFormats(page.language.code, currency, page.ngettext)


def strategy_context(page: SignedInPageContext, db: Session | None = None) -> dict[str, Any]:
    """What every strategy template uses: number formats, status words, edit rights (the
    per-item rights, ``rights``, when the page passes its database session)."""
    return {
        "fmt": formats_of(page),
        "status_labels": STATUS_LABELS,
        "labels": LABELS,
        "can_edit": can_edit(page),
        "rights": edit_rights(page, db) if db is not None else EditRights(None, 0),
    }
