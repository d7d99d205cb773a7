"""The "Invitations" section of the survey builder (``/surveys/{key}``): invite a
segment or a list of contacts by e-mail (or first check who would be invited), see the
survey's invitations, and the workspace's fatigue window and reminder delay.

Invitations go through ``kano.adapters.db.invitations.invite``, the API's path: contacts
who opted out, have no usable address, would meet a full quota or were invited within the
fatigue window are skipped, and the page says how many and why. A closed survey invites
nobody. Builders (owners, admins, analysts) invite; the fatigue window and reminder delay
hold for every survey of the workspace, so only owners and admins change them here (as on
the settings page), audited by ``feedback_settings.change_feedback_settings``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from kano.adapters.db.feedback_settings import change_feedback_settings, invitation_policy
from kano.adapters.db.invitations import invite
from kano.adapters.db.survey_store import defined_survey
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.settings_page import may_administer
from kano.adapters.web.routes.surveys import edit_page, may_build, refuse_edit
from kano.adapters.web.strategy_access import no_workspace, not_found
from kano.adapters.web.survey_invitation_flash import SENT_QUERY, remember_sent
from kano.adapters.web.survey_invitation_view import report_view
from kano.adapters.web.survey_links import invitation_links
from kano.domain.feedback.invitation_policy import SETTINGS
from kano.domain.feedback.survey_status import SurveyClosed
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()

INVITE_MESSAGES = {
    "segment": N_("Choose a segment of this workspace."),
    "customers": N_("Name at least one customer: external ids or e-mail addresses, one a "
                    "line (at most 50,000)."),
    "survey": N_("Save at least one question before inviting anyone."),
    "closed": N_("The survey is closed: reopen it to send invitations."),
}
SETTING_MESSAGES = {
    "survey_fatigue_days": N_("Give the fatigue window as a whole number of days from "
                              "%(low)s to %(high)s, or leave it empty for the server "
                              "default."),
    "survey_reminder_days": N_("Give the reminder delay as a whole number of days from "
                               "%(low)s to %(high)s, or leave it empty for the server "
                               "default."),
}
SETTINGS_ADMINS_ONLY = N_("Only workspace owners and admins change the fatigue window and "
                          "the reminder delay.")


def _guard(page: SignedInPageContext) -> Response | None:
    if page.workspace is None:
        return no_workspace(page)
    if not may_build(page):
        return refuse_edit(page)
    return None


def contacts_in(text: str) -> list[str]:
    """External ids or e-mail addresses, one a line or separated by commas or semicolons."""
    return [part.strip() for line in text.splitlines()
            for part in line.replace(";", ",").split(",") if part.strip()]


@router.post("/surveys/{key}/invitations", dependencies=[CsrfChecked])
def send_invitations(page: SignedInPage, db: DbSession, key: str,
                     audience: Annotated[str, Form()] = "segment",
                     segment: Annotated[str, Form()] = "",
                     contacts: Annotated[str, Form()] = "",
                     action: Annotated[str, Form()] = "check") -> Response:
    """``action=check``: who would be invited and who skipped, nothing sent, shown as
    this POST's page (it writes nothing, and the contacts, up to 200,000 characters of
    e-mail addresses, belong in neither a URL nor a server log);
    ``action=send``: the invitations go out (one e-mail each, through the outbox) and the
    answer is a 303 to the builder, which shows the report (``survey_invitation_flash``)."""
    refused = _guard(page)
    if refused is not None:
        return refused
    assert page.workspace is not None
    form = {"audience": "list" if audience == "list" else "segment",
            "segment": segment.strip()[:64], "contacts": contacts[:200_000]}
    settings = page.web.container.settings
    dry_run = action != "send"
    try:
        report = invite(
            db, page.workspace.id, key,
            invitation_links(settings.secret_key, settings.public_url)(page.workspace.id, key),
            invitation_policy(db, page.workspace.id, settings),
            segment=(form["segment"] or None) if form["audience"] == "segment" else None,
            customers=contacts_in(form["contacts"]) if form["audience"] == "list" else None,
            dry_run=dry_run, actor=page.viewer.email, user_id=page.viewer.user_id)
    except SurveyClosed:
        db.rollback()
        return _refused(page, db, key, "closed", form)
    except InvalidInput as error:
        db.rollback()
        if error.field == "survey" and "no survey" in error.message:
            return not_found(page, "surveys")
        field = error.field if error.field in INVITE_MESSAGES else "customers"
        return _refused(page, db, key, field, form)
    if not dry_run:
        db.commit()
        # POST → 303 → GET: a reload of the page it lands on shows the report, sends nothing
        response = page.redirect(f"/surveys/{key}?{SENT_QUERY}#survey-invitations")
        remember_sent(response, page, key, report)
        return response
    db.rollback()
    try:
        return edit_page(page, db, key, invite_report=report_view(report), invite_form=form)
    except NotFound:
        return not_found(page, "surveys")


def _refused(page: SignedInPageContext, db: DbSession, key: str, field: str,
             form: dict[str, str]) -> Response:
    try:
        return edit_page(page, db, key, status_code=422, invite_form=form, invite_error={
            "field": field, "message": INVITE_MESSAGES[field]})
    except NotFound:
        return not_found(page, "surveys")


@router.post("/surveys/{key}/invitation-settings", dependencies=[CsrfChecked])
def change_invitation_settings(page: SignedInPage, db: DbSession, key: str,
                               survey_fatigue_days: Annotated[str, Form()] = "",
                               survey_reminder_days: Annotated[str, Form()] = "") -> Response:
    """The workspace's fatigue window and reminder delay (empty: the server default)."""
    refused = _guard(page)
    if refused is not None:
        return refused
    assert page.workspace is not None
    try:
        if not may_administer(page):
            defined_survey(db, page.workspace.id, key)  # an unknown survey is a 404 first
            return edit_page(page, db, key, status_code=403, settings_error={
                "field": "", "message": SETTINGS_ADMINS_ONLY, "values": {}})
        form = {"survey_fatigue_days": survey_fatigue_days.strip()[:20],
                "survey_reminder_days": survey_reminder_days.strip()[:20]}
        try:
            changes: dict[str, int | None] = {}
            for name, text in form.items():
                if not text:
                    changes[name] = None
                elif text.isdecimal() and len(text) <= 6:
                    changes[name] = int(text)
                else:
                    raise InvalidInput(name, "not a whole number of days")
            defined_survey(db, page.workspace.id, key)  # NotFound before any write
            change_feedback_settings(db, page.workspace.id, page.web.container.settings,
                                     changes, actor=page.viewer.email,
                                     user_id=page.viewer.user_id)
        except InvalidInput as problem:
            db.rollback()
            field = problem.field if problem.field in SETTING_MESSAGES else "survey_fatigue_days"
            low, high = SETTINGS[field]
            return edit_page(page, db, key, status_code=422, settings_error={
                "field": field, "message": SETTING_MESSAGES[field],
                "values": {"low": low, "high": high}}, settings_form=form)
    except NotFound:
        return not_found(page, "surveys")
    db.commit()
    return page.redirect(f"/surveys/{key}?invitations=saved#survey-invitations")
