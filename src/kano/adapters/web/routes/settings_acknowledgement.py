"""The "Acknowledgement e-mail" section of ``/settings``: owners and admins write the
e-mail every accepted response gets in the workspace's own words, per language
(CSRF-checked, audit-logged through ``kano.adapters.db.acknowledgement_texts``), preview
it before saving (a button, and live while typing through htmx) and reset a language to
the built-in texts. A bad part is a 422 with the page, the error next to the part."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from starlette.responses import Response

from kano.adapters.db.acknowledgement_texts import change_acknowledgement_texts
from kano.adapters.web.acknowledgement_form import (
    ERROR_TEXTS,
    PART_LABELS,
    PLACEHOLDER_HELP,
    VARIANT_LABELS,
    acknowledgement_forms,
    form_changes,
    placeholders_of,
)
from kano.adapters.web.deps import CsrfChecked, DbSession
from kano.adapters.web.routes.settings_page import AcknowledgementAdminPage, render_settings
from kano.domain.feedback.acknowledgement_texts import LANGUAGES, InvalidText

router = APIRouter()

Text = Annotated[str, Form(max_length=5000)]


def _submitted(subject: str, greeting: str, sorry: str, contact: str, fine: str,
               closing: str, signature: str) -> dict[str, str]:
    return {"subject": subject, "greeting": greeting, "sorry": sorry, "contact": contact,
            "fine": fine, "closing": closing, "signature": signature}


@router.post("/settings/acknowledgement", dependencies=[CsrfChecked])
def change_acknowledgement(
    page: AcknowledgementAdminPage,
    db: DbSession,
    language: Annotated[str, Form()],
    action: Annotated[str, Form()] = "save",
    subject: Text = "", greeting: Text = "", sorry: Text = "", contact: Text = "",
    fine: Text = "", closing: Text = "", signature: Text = "",
) -> Response:
    """``action``: ``save`` the language's parts, ``preview`` them without saving, or
    ``reset`` the language to the built-in texts."""
    if language not in LANGUAGES or action not in ("save", "preview", "reset"):
        raise HTTPException(status_code=422)
    workspace_id = page.workspace.id
    if action == "reset":
        change_acknowledgement_texts(db, workspace_id, {language: None},
                                     actor=page.viewer.email, user_id=page.viewer.user_id)
        db.commit()
        return page.redirect(f"/settings?saved=acknowledgement-reset-{language}"
                             f"#acknowledgement-{language}")
    submitted = (language, _submitted(subject, greeting, sorry, contact, fine, closing,
                                      signature))
    try:
        changes = form_changes(*submitted)
        if action == "save":
            change_acknowledgement_texts(db, workspace_id, changes,
                                         actor=page.viewer.email, user_id=page.viewer.user_id)
    except InvalidText as problem:
        db.rollback()
        return render_settings(page, db, status_code=422, ack_submitted=submitted,
                               ack_error=problem)
    if action == "preview":
        return render_settings(page, db, ack_submitted=submitted)
    db.commit()
    return page.redirect(f"/settings?saved=acknowledgement-{language}#acknowledgement-{language}")


@router.post("/settings/acknowledgement/preview", dependencies=[CsrfChecked])
def preview_acknowledgement(
    page: AcknowledgementAdminPage,
    db: DbSession,
    language: Annotated[str, Form()],
    subject: Text = "", greeting: Text = "", sorry: Text = "", contact: Text = "",
    fine: Text = "", closing: Text = "", signature: Text = "",
) -> Response:
    """The preview block of one language for the texts typed so far (htmx, live)."""
    if language not in LANGUAGES:
        raise HTTPException(status_code=422)
    submitted = (language, _submitted(subject, greeting, sorry, contact, fine, closing,
                                      signature))
    error = None
    try:
        form_changes(*submitted)
    except InvalidText as problem:
        error = problem
    forms = acknowledgement_forms(db, page.workspace.id, submitted, error)
    (form,) = [form for form in forms if form.language == language]
    return page.render("settings/_acknowledgement_preview.html", form=form,
                       part_labels=PART_LABELS, variant_labels=VARIANT_LABELS,
                       error_texts=ERROR_TEXTS, placeholder_help=PLACEHOLDER_HELP,
                       placeholders_of=placeholders_of)  # fmt: skip
