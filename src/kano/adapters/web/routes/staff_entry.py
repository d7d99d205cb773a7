"""Staff entry of a response heard in a call, a meeting or an account review (issue 6).

``/responses/new?survey=KEY`` shows the survey's questions (the same form controls as the
public page), the channel and the customer, found by external id or e-mail (created when
unknown, as every channel does). The answers go through ``survey_store.submit_answers`` —
the intake that queues the acknowledgement and opens a case for an unhappy answer.
Managers, analysts, admins and owners enter responses; viewers do not.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.survey_store import Respondent, defined_survey, submit_answers, surveys_of
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.i18n import LANGUAGES
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.survey_public import answer_problem
from kano.adapters.web.routes.survey_public_base import EMAIL_PATTERN
from kano.adapters.web.routes.surveys import refuse_edit
from kano.adapters.web.strategy_access import can_edit, no_workspace
from kano.domain.feedback.surveys import answers_to, text_in
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()

STAFF_CHANNELS = {
    "call": N_("Phone call"),
    "meeting": N_("Meeting"),
    "account-review": N_("Account review"),
}
STAFF_MESSAGES = {
    "customer": N_("Give the customer's e-mail address or external id."),
    "email": N_("Check the e-mail address."),
    "channel": N_("Choose where you heard it: call, meeting or account review."),
    "survey": N_("Choose a survey that has questions."),
}
MANAGERS_ONLY = N_("Viewers cannot enter responses; ask a manager or an admin.")


def _page(page: SignedInPageContext, db: Session, survey_key: str, *,
          form: dict[str, Any] | None = None, error: dict[str, str] | None = None,
          status_code: int = 200, entered: str = "", case: str = "") -> Response:
    assert page.workspace is not None
    surveys = [s for s in surveys_of(db, page.workspace.id) if s.questions]
    chosen = next((s for s in surveys if s.key == survey_key), surveys[0] if surveys else None)
    survey = defined_survey(db, page.workspace.id, chosen.key) if chosen else None
    language = page.language.code
    return page.render(
        "surveys/staff_entry.html", status_code=status_code, active="surveys",
        surveys=surveys, survey=survey, channels=STAFF_CHANNELS,
        local=lambda texts: text_in(texts, language),
        form=form or {"channel": "call", "email": "", "external_id": "", "name": "",
                      "language": language, "values": {}},
        error=error, entered=entered, case=case, response_languages=LANGUAGES,
    )


@router.get("/responses/new")
def new_response(page: SignedInPage, db: DbSession, survey: str = "", entered: str = "",
                 case: str = "") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page, MANAGERS_ONLY)
    return _page(page, db, survey, entered=entered if entered.isdigit() else "",
                 case=case if case.isdigit() else "")


@router.post("/responses/new", dependencies=[CsrfChecked])
async def enter_response(request: Request, page: SignedInPage, db: DbSession) -> Response:
    form = await request.form()
    return await run_in_threadpool(_enter, page, db, form)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _enter(page: SignedInPageContext, db: Session, form: FormData) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page, MANAGERS_ONLY)
    survey_key = _text(form, "survey")
    values: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if name.startswith("q-") and isinstance(value, str):
            values.setdefault(name, []).append(value)
    state: dict[str, Any] = {
        "channel": _text(form, "channel"), "email": _text(form, "email"),
        "external_id": _text(form, "external_id"), "name": _text(form, "name"),
        "language": _text(form, "language"), "values": values,
    }

    def refuse(key: str, message: str, question: str = "") -> Response:
        db.rollback()
        return _page(page, db, survey_key, form=state, status_code=422,
                     error={"key": key, "question": question, "message": message})

    try:
        survey = defined_survey(db, page.workspace.id, survey_key)
    except NotFound:
        return refuse("survey", STAFF_MESSAGES["survey"])
    if not survey.definition.questions:
        return refuse("survey", STAFF_MESSAGES["survey"])
    if state["channel"] not in STAFF_CHANNELS:
        return refuse("channel", STAFF_MESSAGES["channel"])
    if not state["email"] and not state["external_id"]:
        return refuse("customer", STAFF_MESSAGES["customer"])
    if state["email"] and not EMAIL_PATTERN.match(state["email"]):
        return refuse("customer", STAFF_MESSAGES["email"])
    raw = {name[2:]: answer for name, answer in values.items()}
    try:
        answers = answers_to(survey.definition, raw)
        accepted = submit_answers(
            db, page.workspace.id, survey_key, state["channel"], answers,
            language=state["language"] if state["language"] in LANGUAGES else None,
            email_enabled=bool(page.web.container.settings.smtp_url),
            respondent=Respondent(email=state["email"] or None,
                                  external_id=state["external_id"] or None,
                                  name=state["name"] or None))
    except InvalidInput as error:
        problem = answer_problem(page.language.code, survey.definition, error)
        return refuse(problem["key"], problem["message"], problem["question"])
    response_id, case_id = accepted.response.id, accepted.case_id
    db.commit()
    query = {"survey": survey_key, "entered": str(response_id)}
    if case_id is not None:
        query["case"] = str(case_id)
    return page.redirect(f"/responses/new?{urlencode(query)}")
