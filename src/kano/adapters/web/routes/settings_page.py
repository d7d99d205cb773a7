"""The workspace settings page (``/settings``) as one template with its sections, rendered
by every route that answers on it: the page itself, and a form's errors shown next to the
field (status 422) or a refusal (403).

Sections: "Surveys", "Money" and a link to "Products" (everyone in the workspace sees
what holds; owners and admins change them), and "Acknowledgement e-mail", "Members",
"API tokens" and "Webhooks" (owners and admins only: the others neither see them nor may use
their forms: their routes declare ``AcknowledgementAdminPage``, ``AdminPage`` or
``MembersAdminPage``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any

from babel.core import get_global
from babel.numbers import get_territory_currencies
from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.api_tokens import live_api_tokens
from kano.adapters.db.feedback_settings import feedback_settings
from kano.adapters.db.members import workspace_members
from kano.adapters.db.webhook_endpoints import webhook_endpoints
from kano.adapters.db.workspace_currency import workspace_currency
from kano.adapters.web import acknowledgement_form
from kano.adapters.web.currency_names import currency_choice
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import no_workspace
from kano.adapters.web.viewer import WorkspaceChoice
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
    currency = _stored_currency(db, workspace_id)
    acknowledgement = acknowledgement_form.acknowledgement_forms(
        db, workspace_id, context.pop("ack_submitted", None), context.pop("ack_error", None),
        opened=_opened_language(context.get("notice")),
    ) if administer else []  # fmt: skip
    return page.render(
        "settings/index.html", status_code=status_code, active="settings", found=found,
        policy=found.policy, form=form, fields=SURVEY_FIELDS, can_change=administer,
        fatigue_range=FATIGUE_DAYS, reminder_range=REMINDER_DAYS,
        tokens=live_api_tokens(db, workspace_id) if administer else [],
        webhooks=webhook_endpoints(db, workspace_id) if administer else [],
        members=workspace_members(db, workspace_id) if administer else [],
        acknowledgement=acknowledgement, part_labels=acknowledgement_form.PART_LABELS,
        variant_labels=acknowledgement_form.VARIANT_LABELS,
        error_texts=acknowledgement_form.ERROR_TEXTS,
        placeholder_help=acknowledgement_form.PLACEHOLDER_HELP,
        placeholders_of=acknowledgement_form.placeholders_of,
        currency=currency, currency_choices=_currency_choices(page, currency),
        **{"error": None, "saved": False, "refused": False, "access_refused": False,
           "notice": None, "token_form": None, "token_error": None, "webhook_form": None,
           "webhook_error": None, "member_form": None, "member_error": None,
           "members_refused": False, "ack_refused": False, "currency_form": None,
           "currency_error": None, "currency_refused": False, "products_refused": False,
           **context},
    )


def _stored_currency(db: Session, workspace_id: int) -> str:
    """Read from the database, not the viewer: a change in this request is there."""
    return workspace_currency(db, workspace_id)


@cache
def currencies_in_use() -> tuple[str, ...]:
    """The codes some country pays with today (CLDR): the choices the "Money" form offers
    (the API accepts any code CLDR knows)."""
    today = date.today()
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return tuple(sorted(codes))


def _currency_choices(page: SignedInPageContext, current: str) -> list[tuple[str, str]]:
    """(code, "HUF – magyar forint") for the form's list in the page's language, the current
    code always in it."""
    codes = sorted({*currencies_in_use(), current})
    return [(code, currency_choice(code, page.language.code, page.gettext)) for code in codes]


def _opened_language(notice: object) -> str | None:
    """The language whose acknowledgement form a notice is about (it is shown open)."""
    if isinstance(notice, str) and notice.startswith("acknowledgement-"):
        return notice.rsplit("-", 1)[-1]
    return None


class AdministrationRefused(Exception):
    """Raised by ``AdminPage`` / ``MembersAdminPage`` instead of handing the route its page.

    A FastAPI dependency cannot answer the request itself, so it raises this with the
    answer already rendered (the settings page needs the request's database session, which
    is closed by the time an exception handler runs); ``answer_refusal`` sends it as is.
    """

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def answer_refusal(_request: Request, error: Exception) -> Response:
    """The exception handler for :class:`AdministrationRefused` (see ``install_web``)."""
    assert isinstance(error, AdministrationRefused)
    return error.response


@dataclass(frozen=True)
class AdminPageContext(SignedInPageContext):
    """The page of an owner or admin of the current workspace, which therefore is there."""

    @property
    def workspace(self) -> WorkspaceChoice:
        workspace = self.viewer.workspace
        assert workspace is not None
        return workspace


def _administering(refusal: str) -> Callable[..., AdminPageContext]:
    """The dependency that lets only owners and admins on: without a workspace the
    "no workspace" page; anyone else gets the settings page with a 403, ``refusal`` naming
    the section that says why.

    A dependency rather than a helper each route calls first: the route's signature says
    who may use it, it cannot forget the check, and its page has a workspace (no asserts).
    The price is :class:`AdministrationRefused` and its handler, as ``LoginRequired`` does
    for the login.
    """

    def admin_page(page: SignedInPage, db: DbSession) -> AdminPageContext:
        if page.workspace is None:
            raise AdministrationRefused(no_workspace(page))
        if not may_administer(page):
            said: dict[str, Any] = {refusal: True}
            raise AdministrationRefused(render_settings(page, db, status_code=403, **said))
        return AdminPageContext(page.request, page.web, page.language, page.viewer)

    return admin_page


# FastAPI solves a route's ``dependencies=[CsrfChecked]`` before these, so a forged request
# is still refused as forged. Like the login check of ``SignedInPage``, they run before the
# route's own path and form values are validated.
AdminPage = Annotated[AdminPageContext, Depends(_administering("access_refused"))]
"""For the "API tokens" and "Webhooks" routes (their refusal names tokens and webhooks)."""
MembersAdminPage = Annotated[AdminPageContext, Depends(_administering("members_refused"))]
"""For the "Members" routes (the refusal is said in the "Members" section)."""
SurveysAdminPage = Annotated[AdminPageContext, Depends(_administering("refused"))]
"""For the "Surveys" form (the refusal is said in that section)."""
AcknowledgementAdminPage = Annotated[AdminPageContext, Depends(_administering("ack_refused"))]
"""For the "Acknowledgement e-mail" forms (the refusal is said at the top of the page)."""
CurrencyAdminPage = Annotated[AdminPageContext, Depends(_administering("currency_refused"))]
"""For the "Money" form (the refusal is said in that section)."""
ProductsAdminPage = Annotated[AdminPageContext, Depends(_administering("products_refused"))]
"""For the "Products" forms (the refusal is said at the top of the settings page)."""
