"""The workspace settings page (``/settings``) as one template with its sections, rendered
by every route that answers on it: the page itself, and a form's errors shown next to the
field (status 422) or a refusal (403).

Sections: "Surveys" (everyone in the workspace sees what holds; owners and admins change
it), and "Members", "API tokens" and "Webhooks" (owners and admins only: the others neither
see them nor may use their forms).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.api_tokens import live_api_tokens
from kano.adapters.db.feedback_settings import feedback_settings
from kano.adapters.db.members import workspace_members
from kano.adapters.db.webhook_endpoints import webhook_endpoints
from kano.adapters.web.deps import SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.domain.feedback.invitation_policy import FATIGUE_DAYS, REMINDER_DAYS
from kano.domain.workspaces import may_change_everything

SURVEY_FIELDS = {
    "survey_fatigue_days": N_("Survey fatigue window (days)"),
    "survey_reminder_days": N_("Reminder after (days)"),
}


def may_administer(page: SignedInPageContext) -> bool:
    """Owners and admins change the settings and manage tokens and webhooks."""
    return page.workspace is not None and may_change_everything(page.workspace.role)


def render_settings(page: SignedInPageContext, db: Session, *, status_code: int = 200,
                    form: dict[str, str] | None = None, **context: Any) -> Response:
    """The settings page; ``context`` carries a section's form state, error or notice."""
    assert page.workspace is not None
    workspace_id = page.workspace.id
    found = feedback_settings(db, workspace_id, page.web.container.settings)
    if form is None:
        form = {name: "" if getattr(found, name) is None else str(getattr(found, name))
                for name in SURVEY_FIELDS}
    administer = may_administer(page)
    return page.render(
        "settings/index.html", status_code=status_code, active="settings", found=found,
        policy=found.policy, form=form, fields=SURVEY_FIELDS, can_change=administer,
        fatigue_range=FATIGUE_DAYS, reminder_range=REMINDER_DAYS,
        tokens=live_api_tokens(db, workspace_id) if administer else [],
        webhooks=webhook_endpoints(db, workspace_id) if administer else [],
        members=workspace_members(db, workspace_id) if administer else [],
        **{"error": None, "saved": False, "refused": False, "access_refused": False,
           "notice": None, "token_form": None, "token_error": None, "webhook_form": None,
           "webhook_error": None, "member_form": None, "member_error": None,
           "members_refused": False, **context},
    )


def refuse_administration(page: SignedInPageContext, db: Session) -> Response:
    """A viewer, analyst or manager tried a token or webhook action: 403, with the page."""
    return render_settings(page, db, status_code=403, access_refused=True)
