"""Who may change the strategy in the web UI, and the pages that say no.

Roles come from the viewer's membership of the current workspace: managers and anyone
above them (analysts are their peers, see ``role_allows``) edit; viewers only read. The
check is made on the server for every edit; hiding the forms is only a courtesy.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from kano.adapters.web.deps import SignedInPageContext
from kano.adapters.web.strategy_edits import Editor
from kano.adapters.web.strategy_formats import LABELS, STATUS_LABELS, StrategyFormats
from kano.domain.workspaces import Role, role_allows

EDITING_ROLE = Role.MANAGER


def can_edit(page: SignedInPageContext) -> bool:
    workspace = page.workspace
    return workspace is not None and role_allows(workspace.role, EDITING_ROLE)


def editor_of(page: SignedInPageContext) -> Editor | None:
    """The editor behind this request, or None when the viewer may not edit."""
    if page.workspace is None or not can_edit(page):
        return None
    return Editor(page.workspace.id, page.viewer.user_id, page.viewer.email)


def refuse_edit(page: SignedInPageContext) -> Response:
    return page.render("strategy/forbidden.html", status_code=403)


def not_found(page: SignedInPageContext, active: str) -> Response:
    return page.render("strategy/not_found.html", status_code=404, active=active)


def no_workspace(page: SignedInPageContext) -> Response:
    return page.render("home/no_workspace.html", active="home")


def formats_of(page: SignedInPageContext) -> StrategyFormats:
    return StrategyFormats(page.language.code)


def strategy_context(page: SignedInPageContext) -> dict[str, Any]:
    """What every strategy template uses: number formats, status words, edit rights."""
    return {
        "fmt": formats_of(page),
        "status_labels": STATUS_LABELS,
        "labels": LABELS,
        "can_edit": can_edit(page),
    }
