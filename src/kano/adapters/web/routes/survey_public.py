"""The public survey link page (issue 6, channel "link", and e-mail invitation links).

``GET /s/{key}?t=TOKEN`` shows the survey as a plain HTML form that works without
JavaScript; ``POST /s/{key}`` stores the answers through ``survey_store.submit_answers``
(the intake: acknowledgement outbox and cases) and redirects to a thank-you page, or shows
the form again (422) naming every question that needs another look, in a summary at the
top and next to each question. The workspace comes from
the signed token (``survey_links.py``). The respondent's language is ``?lang=`` (or the
form's ``lang``), else the browser's Accept-Language, else English. The embeddable widget
is ``survey_widget``; what both share (limits, the page renderer, the token's survey and
invitation) is ``survey_public_base``.

A full quota (``kano.domain.feedback.quotas``) refuses further matching responses: the
page shows a translated "this survey has reached its number of responses" page (409 to a
POST, and already instead of the form when the quota is known to be full) and stores
nothing.

A survey its builder closed (``kano.domain.feedback.survey_status``) shows "This survey
is closed" in the respondent's language instead of the form (410, to the page and its
POST).

The POST is rate-limited per client address and per link token (429 with Retry-After)
and refuses bodies over 32 KiB (413). There is no CSRF token: the form is anonymous and
there is no session to ride on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kano.adapters.db.invitations import claim_answer
from kano.adapters.db.survey_store import (
    DefinedSurvey,
    acknowledgement_emailed,
    submit_answers,
)
from kano.adapters.web.deps import DbSession, Web
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.survey_public_base import (
    EMAIL_PATTERN,
    BodyTooLarge,
    InvitationGone,
    PublicPage,
    email_enabled,
    invitation_of,
    known_full_quota,
    limited_body,
    open_survey,
    read_retry_after,
    respondent_for,
    respondent_language,
    retry_after,
)
from kano.domain.feedback.quotas import QuotaFull
from kano.domain.feedback.survey_status import SurveyClosed
from kano.domain.feedback.surveys import (
    DYSFUNCTIONAL_SUFFIX,
    SurveyDefinition,
    answers_to,
    text_in,
)
from kano.domain.shared.errors import InvalidInput

router = APIRouter()

MESSAGES = {  # the answers' own refusals come from the domain (problem_texts)
    "email": N_("Check the e-mail address, or leave it empty."),
}
SURVEY_CLOSED = N_("This survey link is not valid, or the survey is not open. Check that you "
                   "opened the whole link from your invitation, or ask the sender for a new one.")
TOO_MANY = N_("Too many answers from your connection. Please try again in a minute.")
ALREADY_ANSWERED = N_("This invitation has been answered already. Thank you!")
QUOTA_FULL_HEADING = N_("Thank you for your interest")
QUOTA_FULL = N_("This survey has reached its number of responses. Thank you for your time!")
CLOSED_HEADING = N_("This survey is closed")
CLOSED = N_("This survey is closed. Thank you for your interest!")


def _already_answered(page: PublicPage, status_code: int) -> Response:
    return page.message(N_("Already answered"), ALREADY_ANSWERED, status_code)


def _quota_full(page: PublicPage, status_code: int) -> Response:
    return page.message(QUOTA_FULL_HEADING, QUOTA_FULL, status_code)


def _closed(page: PublicPage) -> Response:
    """A survey its builder closed (``survey_status.py``): 410 to the page and its POST;
    nothing is stored."""
    return page.message(CLOSED_HEADING, CLOSED, 410)


def answer_problem(language: str, definition: SurveyDefinition,
                   error: InvalidInput) -> dict[str, str]:
    """What to tell the respondent about ``error``: the question, in their language, and the
    domain's refusal, which the page says in their language (the ``refusal`` filter)."""
    parts = error.field.split(".", 1)
    key = parts[1].removesuffix(DYSFUNCTIONAL_SUFFIX) if len(parts) == 2 else ""
    question = definition.question(key)
    if question is None:
        return {"key": "", "question": "", "message": error.message}
    return {"key": question.key, "question": text_in(question.text, language),
            "message": error.message}


def answer_problems(language: str, definition: SurveyDefinition,
                    raw: Mapping[str, list[str]]) -> list[dict[str, str]]:
    """Every question the answers ``raw`` leave unanswered or answer wrongly, in the order
    of the survey (empty: they are fine). The domain stops at the first refusal, so each
    refused question is set aside (its answer dropped, not required) and the rest checked
    again, at most once a question."""
    problems: list[dict[str, str]] = []
    current, given = definition, dict(raw)
    for _ in range(len(definition.questions) + 1):
        try:
            answers_to(current, given)
            break
        except InvalidInput as error:
            problem = answer_problem(language, definition, error)
        key = problem["key"]
        if not key or any(p["key"] == key for p in problems):
            if not problems:  # "answer at least one question", an unknown field …
                problems.append(problem)
            break
        problems.append(problem)
        given.pop(key, None)
        given.pop(key + DYSFUNCTIONAL_SUFFIX, None)
        current = replace(current, questions=tuple(
            replace(q, required=False) if q.key == key else q for q in current.questions))
    order = {q.key: i for i, q in enumerate(definition.questions)}
    return sorted(problems, key=lambda p: order.get(p["key"], -1))


def _form_page(page: PublicPage, survey: DefinedSurvey, token: str, *,
               values: dict[str, list[str]] | None = None, email: str = "",
               errors: list[dict[str, str]] | None = None, status_code: int = 200,
               invited: bool = False) -> Response:
    """``invited``: an e-mail invitation's link; the customer is known, so the page asks
    for no e-mail address (one typed there would not be used)."""
    language = page.language
    return page.render(
        "surveys/public.html", status_code=status_code,
        survey_name=survey.definition.title_in(language, survey.row.name),
        questions=survey.definition.questions,
        local=lambda texts: text_in(texts, language), values=values or {}, email=email,
        errors=errors or [], token=token, action=f"/s/{survey.row.key}", invited=invited,
    )


@router.get("/s/{survey_key}")
def public_survey(request: Request, web: Web, db: DbSession, survey_key: str, t: str = "",
                  lang: str = "") -> Response:
    page = PublicPage(request, web, respondent_language(request, lang))
    wait = read_retry_after(request)
    if wait is not None:
        response = page.message(N_("Please wait a moment"), TOO_MANY, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    survey = open_survey(db, web, survey_key, t)
    if survey is None:
        return page.message(N_("Survey not found"), SURVEY_CLOSED, 404)
    try:
        invitation = invitation_of(db, web, survey, t)
    except InvitationGone:
        return page.message(N_("Survey not found"), SURVEY_CLOSED, 404)
    if invitation is not None and invitation.answered:
        return _already_answered(page, 200)
    if survey.closed:
        return _closed(page)
    channel = "link" if invitation is None else "email"
    if known_full_quota(db, survey, channel, page.language, invitation) is not None:
        return _quota_full(page, 200)
    return _form_page(page, survey, t, invited=invitation is not None)


THANKS_CONFIRMED = N_("We have received your answers. A confirmation is on its way to your "
                      "e-mail address, and we will come back to you if something needs "
                      "fixing.")
THANKS = N_("We have received your answers. Thank you for your time.")


@router.get("/s/{survey_key}/thanks")
def thanks(request: Request, web: Web, survey_key: str, lang: str = "",
           confirmation: str = "") -> Response:
    """``confirmation=email``: an acknowledgement e-mail is queued for the response; only
    then does the page promise one (no mail server, no address, an opted-out customer: no
    e-mail is sent, and nobody can come back to an anonymous respondent)."""
    page = PublicPage(request, web, respondent_language(request, lang))
    text = THANKS_CONFIRMED if confirmation == "email" else THANKS
    return page.message(N_("Thank you!"), text, 200)


@router.post("/s/{survey_key}")
async def submit_public_survey(request: Request, web: Web, db: DbSession,
                               survey_key: str) -> Response:
    language = respondent_language(request, request.query_params.get("lang"))
    try:
        body = await limited_body(request)
    except BodyTooLarge:
        page = PublicPage(request, web, language)
        return page.message(N_("Your answers were not sent"),
                            N_("The answers are too long to send."), 413)
    fields: dict[str, list[str]] = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    token = (fields.get("t") or [""])[0]
    asked = (fields.get("lang") or [""])[0] or request.query_params.get("lang")
    language = respondent_language(request, asked)
    page = PublicPage(request, web, language)
    wait = await run_in_threadpool(retry_after, request, token)  # may ask the database
    if wait is not None:
        response = page.message(N_("Please wait a moment"), TOO_MANY, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    return await run_in_threadpool(_store_form, page, db, survey_key, token, fields)


def _store_form(page: PublicPage, db: Session, survey_key: str, token: str,
                fields: dict[str, list[str]]) -> Response:
    survey = open_survey(db, page.web, survey_key, token)
    if survey is None:
        return page.message(N_("Survey not found"), SURVEY_CLOSED, 404)
    try:
        invitation = invitation_of(db, page.web, survey, token)
    except InvitationGone:
        return page.message(N_("Survey not found"), SURVEY_CLOSED, 404)
    if invitation is not None and invitation.answered:
        return _already_answered(page, 422)
    if survey.closed:
        return _closed(page)
    raw = {name[2:]: values for name, values in fields.items() if name.startswith("q-")}
    email = (fields.get("email") or [""])[0].strip()
    if invitation is not None:
        email = ""  # the invited customer is known; the answer is theirs
    errors: list[dict[str, str]] = []
    try:
        answers = answers_to(survey.definition, raw)
    except InvalidInput:  # name every question that needs another look, not the first
        errors = answer_problems(page.language, survey.definition, raw)
    if email and not EMAIL_PATTERN.match(email):
        tr = page.gettext  # not a gettext call babel would extract: the key is no text
        errors.append({"key": "@email", "question": tr(N_("E-mail address")),
                       "message": MESSAGES["email"]})  # the page translates it: |refusal
    if errors:  # the e-mail field comes last on the page, and so in the summary
        return _form_page(page, survey, token, values=fields, email=email, errors=errors,
                          status_code=422, invited=invitation is not None)
    try:
        accepted = submit_answers(
            db, survey.row.workspace_id, survey_key, "link" if invitation is None else "email",
            answers, language=page.language, email_enabled=email_enabled(page.web),
            respondent=respondent_for(invitation, email or None), refuse_when_full=True)
        if invitation is not None and not claim_answer(db, invitation.id, accepted.response.id):
            db.rollback()  # a concurrent answer through the same invitation came first
            return _already_answered(page, 422)
    except QuotaFull:
        db.rollback()  # nothing of this response is kept
        return _quota_full(page, 409)
    except SurveyClosed:  # closed since the check above
        db.rollback()
        return _closed(page)
    except InvalidInput as error:
        db.rollback()
        problem = answer_problem(page.language, survey.definition, error)
        return _form_page(page, survey, token, values=fields, email=email, errors=[problem],
                          status_code=422, invited=invitation is not None)
    emailed = acknowledgement_emailed(db, survey.row.workspace_id, accepted.response.id)
    db.commit()
    query = urlencode({"lang": page.language, **({"confirmation": "email"} if emailed else {})})
    return RedirectResponse(f"/s/{survey_key}/thanks?{query}", status_code=303)
