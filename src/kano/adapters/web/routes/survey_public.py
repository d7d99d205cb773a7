"""The public survey link page and the embeddable widget (issue 6, channels "link", "widget").

``GET /s/{key}?t=TOKEN`` shows the survey as a plain HTML form that works without
JavaScript; ``POST /s/{key}`` stores the answers through ``survey_store.submit_answers``
(the intake: acknowledgement outbox and cases) and redirects to a thank-you page, or shows
the form again (422) naming every question that needs another look, in a summary at the
top and next to each question. The workspace comes from
the signed token (``survey_links.py``). The respondent's language is ``?lang=`` (or the
form's ``lang``), else the browser's Accept-Language, else English.

``GET /s/{key}/widget.js?t=TOKEN`` is a small script without a framework that draws an NPS
question and a comment box where it is included and posts JSON to ``POST /s/{key}/widget``
(channel "widget"); only that endpoint answers cross-origin requests (CORS, no cookies).

A full quota (``kano.domain.feedback.quotas``) refuses further matching responses on
both: the page shows a translated "this survey has reached its number of responses"
page (409 to a POST, and already instead of the form when the quota is known to be full)
and stores nothing; the widget endpoint answers 409 problem+json naming the quota, and
the widget script shows the same text.

A survey its builder closed (``kano.domain.feedback.survey_status``) shows "This survey
is closed" in the respondent's language instead of the form (410, to the page and its
POST); the widget endpoint answers 410 problem+json naming the survey (code
``survey_closed``) and the widget script says the same.

Both POSTs are rate-limited per client address and per link token (429 with Retry-After;
the counts are shared by every server process on PostgreSQL, see ``rate_limit.py``) and
refuse bodies over 32 KiB (413). There is no CSRF token: the form is anonymous and
there is no session to ride on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from kano.adapters.db.invitations import OpenInvitation, claim_answer, find_invitation
from kano.adapters.db.quotas import customer_segment, quotas_of
from kano.adapters.db.survey_store import (
    DefinedSurvey,
    Respondent,
    acknowledgement_emailed,
    defined_survey,
    submit_answers,
)
from kano.adapters.web.deps import DbSession, Web, WebState
from kano.adapters.web.i18n import LANGUAGES, choose_language
from kano.adapters.web.rate_limit import RateLimit, rate_limiter_for
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.survey_links import SurveyLinks
from kano.domain.feedback.quotas import Quota, QuotaFull, ResponseFacts, first_full
from kano.domain.feedback.survey_status import SurveyClosed
from kano.domain.feedback.surveys import (
    DYSFUNCTIONAL_SUFFIX,
    SurveyDefinition,
    answers_to,
    text_in,
)
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()

BODY_LIMIT_BYTES = 32 * 1024
POSTS_PER_MINUTE_PER_IP = 30
POSTS_PER_MINUTE_PER_TOKEN = 600
READS_PER_MINUTE_PER_IP = 240  # the page and the widget script, per client address
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]{1,189}\.[^@\s<>\"]{2,}$")
WIDGET_SCRIPT = Path(__file__).parent.parent / "static" / "js" / "survey-widget.js"

MESSAGES = {  # the answers' own refusals come from the domain (problem_texts)
    "email": N_("Check the e-mail address, or leave it empty."),
}
WIDGET_TEXTS = {
    "low": N_("Not at all likely"),
    "high": N_("Extremely likely"),
    "send": N_("Send my answers"),
    "thanks": N_("Thank you!"),
    "failed": N_("Your answer could not be sent. Please try again."),
    "choose": N_("Please answer this question."),
    "full": N_("This survey has reached its number of responses. Thank you for your time!"),
    "ended": N_("This survey is closed. Thank you for your interest!"),
}
SURVEY_CLOSED = N_("This survey link is not valid, or the survey is not open.")
TOO_MANY = N_("Too many answers from your connection. Please try again in a minute.")
ALREADY_ANSWERED = N_("This invitation has been answered already. Thank you!")
QUOTA_FULL_HEADING = N_("Thank you for your interest")
QUOTA_FULL = N_("This survey has reached its number of responses. Thank you for your time!")
CLOSED_HEADING = N_("This survey is closed")
CLOSED = N_("This survey is closed. Thank you for your interest!")


@dataclass(frozen=True)
class PublicLimits:
    """The limiters of one application (``app.state.kano_public_limits``)."""

    per_ip: RateLimit
    per_token: RateLimit
    reads_per_ip: RateLimit


def limits_of(request: Request) -> PublicLimits:
    limits: PublicLimits | None = getattr(request.app.state, "kano_public_limits", None)
    if limits is None:
        engine = request.app.state.kano_web.container.engine
        limits = PublicLimits(rate_limiter_for(engine, POSTS_PER_MINUTE_PER_IP, "posts"),
                              rate_limiter_for(engine, POSTS_PER_MINUTE_PER_TOKEN, "posts"),
                              rate_limiter_for(engine, READS_PER_MINUTE_PER_IP, "reads"))
        request.app.state.kano_public_limits = limits
    return limits


def _retry_after(request: Request, token: str) -> int | None:
    limits = limits_of(request)
    client = request.client.host if request.client else "unknown"
    return limits.per_ip.hit(f"ip:{client}") or limits.per_token.hit(f"token:{token[:200]}")


def _read_retry_after(request: Request) -> int | None:
    client = request.client.host if request.client else "unknown"
    return limits_of(request).reads_per_ip.hit(f"ip:{client}")


class BodyTooLarge(Exception):
    pass


async def _limited_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > BODY_LIMIT_BYTES):
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > BODY_LIMIT_BYTES:
            raise BodyTooLarge
    return bytes(body)


@dataclass(frozen=True)
class PublicPage:
    """Renders the public pages in the respondent's language (no session, no layout)."""

    request: Request
    web: WebState
    language: str

    def gettext(self, message: str) -> str:
        return self.web.templates.gettext(self.language, message)

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> Response:
        path = self.request.url.path  # the page itself (a POST's error page: the form)
        keep = {k: v for k, v in self.request.query_params.items()
                if k in ("t", "confirmation")}
        if "t" not in keep and "token" in context:
            keep["t"] = context["token"]
        links = {code: f"{path}?{urlencode({**keep, 'lang': code})}" for code in LANGUAGES}
        html = self.web.templates.render(self.language, template, {
            "public_language_links": links, **context})
        response = Response(html, status_code=status_code, media_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    def message(self, heading: str, message: str, status_code: int) -> Response:
        return self.render("surveys/public_message.html", status_code=status_code,
                           heading=self.gettext(heading), message=self.gettext(message))


def respondent_language(request: Request, asked: str | None) -> str:
    return choose_language(query=asked, cookie=None, user_language=None,
                           accept_language=request.headers.get("accept-language"),
                           default="en").code


def _links(web: WebState) -> SurveyLinks:
    return SurveyLinks(web.container.settings.secret_key)


def _open_survey(db: Session, web: WebState, key: str, token: str) -> DefinedSurvey | None:
    """The survey a valid token opens, with at least one question; else None."""
    workspace_id = _links(web).workspace_of(token, key)
    if workspace_id is None:
        return None
    try:
        survey = defined_survey(db, workspace_id, key)
    except NotFound:
        return None
    return survey if survey.definition.questions else None


class InvitationGone(Exception):
    """An invitation token whose invitation no longer exists."""


def _invitation(db: Session, web: WebState, survey: DefinedSurvey,
                token: str) -> OpenInvitation | None:
    """The e-mail invitation behind the token (None for a plain link token)."""
    nonce = _links(web).invitation_of(token, survey.row.key)
    if nonce is None:
        return None
    found = find_invitation(db, survey.row.workspace_id, survey.row.id, nonce)
    if found is None:
        raise InvitationGone
    return found


def _already_answered(page: PublicPage, status_code: int) -> Response:
    return page.message(N_("Already answered"), ALREADY_ANSWERED, status_code)


def _quota_full(page: PublicPage, status_code: int) -> Response:
    return page.message(QUOTA_FULL_HEADING, QUOTA_FULL, status_code)


def _closed(page: PublicPage) -> Response:
    """A survey its builder closed (``survey_status.py``): 410 to the page and its POST;
    nothing is stored."""
    return page.message(CLOSED_HEADING, CLOSED, 410)


def known_full_quota(db: Session, survey: DefinedSurvey, channel: str, language: str,
                     invitation: OpenInvitation | None) -> Quota | None:
    """A full quota that a response through this page would meet, as far as it is known
    before the answers (an anonymous respondent's segment is not): read only, one query
    when the survey has quotas, none of them full or not. The POST decides for sure."""
    workspace_id = survey.row.workspace_id
    quotas = quotas_of(db, workspace_id, [survey.row.id]).get(survey.row.id, [])
    full = [q for q in quotas if q.full]
    if not full:
        return None
    segment = None
    if invitation is not None and any(q.condition.needs_segment for q in full):
        segment = customer_segment(db, workspace_id, invitation.customer_external_id)
    return first_full(full, ResponseFacts(channel, language, segment,
                                          survey.row.touchpoint_id))


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
    wait = _read_retry_after(request)
    if wait is not None:
        response = page.message(N_("Please wait a moment"), TOO_MANY, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    survey = _open_survey(db, web, survey_key, t)
    if survey is None:
        return page.message(N_("Survey not found"), SURVEY_CLOSED, 404)
    try:
        invitation = _invitation(db, web, survey, t)
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
        body = await _limited_body(request)
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
    wait = await run_in_threadpool(_retry_after, request, token)  # may ask the database
    if wait is not None:
        response = page.message(N_("Please wait a moment"), TOO_MANY, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    return await run_in_threadpool(_store_form, page, db, survey_key, token, fields)


def _store_form(page: PublicPage, db: Session, survey_key: str, token: str,
                fields: dict[str, list[str]]) -> Response:
    survey = _open_survey(db, page.web, survey_key, token)
    if survey is None:
        return page.message(N_("Survey not found"), SURVEY_CLOSED, 404)
    try:
        invitation = _invitation(db, page.web, survey, token)
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
            answers, language=page.language, email_enabled=_email_enabled(page.web),
            respondent=_respondent(invitation, email or None), refuse_when_full=True)
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


def _respondent(invitation: OpenInvitation | None, email: str | None) -> Respondent:
    if invitation is not None:
        return Respondent(external_id=invitation.customer_external_id)
    return Respondent(email=email)


def _email_enabled(web: WebState) -> bool:
    return bool(web.container.settings.smtp_url)


# --- the widget -------------------------------------------------------------------------

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


def _problem(status: int, field: str, detail: str, **headers: str) -> JSONResponse:
    return JSONResponse({"status": status, "field": field, "detail": detail},
                        status_code=status, media_type="application/problem+json",
                        headers={**CORS_HEADERS, **headers})


def _closed_problem(survey_key: str) -> JSONResponse:
    return JSONResponse(
        {"status": 410, "field": "survey", "survey": survey_key, "code": "survey_closed",
         "detail": f"the survey {survey_key!r} is closed and takes no answers; nothing "
                   f"was stored"},
        status_code=410, media_type="application/problem+json", headers=CORS_HEADERS)


@router.get("/s/{survey_key}/widget.js")
def widget_script(request: Request, web: Web, db: DbSession, survey_key: str, t: str = "",
                  lang: str = "") -> Response:
    language = respondent_language(request, lang)
    headers = {"Cache-Control": "public, max-age=300",
               "Cross-Origin-Resource-Policy": "cross-origin"}
    wait = _read_retry_after(request)
    if wait is not None:
        return Response("", status_code=429, media_type="text/javascript",
                        headers={**headers, "Retry-After": str(wait), "Cache-Control": "no-store"})
    survey = _open_survey(db, web, survey_key, t)
    nps = survey.definition.nps_question() if survey else None
    if survey is None or nps is None or not survey.definition.fits_widget():
        return Response("console.error('Kano: this survey link is not valid');", status_code=404,
                        media_type="text/javascript", headers=headers)
    comment = survey.definition.comment_question()
    config: dict[str, str] = {
        "endpoint": str(request.url_for("submit_widget", survey_key=survey_key)),
        "token": t,
        "lang": language,
        "question": text_in(nps.text, language),
        "npsKey": nps.key,
        "commentKey": comment.key if comment else "",
        "comment": text_in(comment.text, language) if comment else "",
        # a closed survey or a widget quota known to be full: the script says so instead
        # of asking ("ended": closed, "1": full)
        "closed": "ended" if survey.closed else (
            "1" if known_full_quota(db, survey, "widget", language, None) else ""),
    }
    for name, text in WIDGET_TEXTS.items():
        config[name] = web.templates.gettext(language, text)
    # JSON inside a script: escape "<" so a text can never close the script element.
    literal = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    script = WIDGET_SCRIPT.read_text(encoding="utf-8").replace("__KANO_CONFIG__", literal)
    return Response(script, media_type="text/javascript", headers=headers)


@router.options("/s/{survey_key}/widget")
def widget_preflight(survey_key: str) -> Response:
    return Response(status_code=204, headers=CORS_HEADERS)


@router.post("/s/{survey_key}/widget", name="submit_widget")
async def submit_widget(request: Request, web: Web, db: DbSession, survey_key: str) -> Response:
    try:
        body = await _limited_body(request)
    except BodyTooLarge:
        return _problem(413, "body", f"send at most {BODY_LIMIT_BYTES} bytes")
    try:
        document = json.loads(body or b"null")
    except ValueError:
        return _problem(400, "body", "send a JSON object")
    if not isinstance(document, dict):
        return _problem(400, "body", "send a JSON object")
    given = document.get("t")
    token = given if isinstance(given, str) else ""
    wait = await run_in_threadpool(_retry_after, request, token)  # may ask the database
    if wait is not None:
        return _problem(429, "body", "too many requests; try again later", **{
            "Retry-After": str(wait)})
    return await run_in_threadpool(_store_widget, request, web, db, survey_key, token, document)


def _store_widget(request: Request, web: WebState, db: Session, survey_key: str, token: str,
                  document: dict[str, Any]) -> Response:
    survey = _open_survey(db, web, survey_key, token)
    if survey is None:
        return _problem(404, "t", "this survey link is not valid")
    try:
        invitation = _invitation(db, web, survey, token)
    except InvitationGone:
        return _problem(404, "t", "this survey link is not valid")
    if invitation is not None and invitation.answered:
        return _problem(422, "t", "this invitation has been answered already")
    if survey.closed:
        return _closed_problem(survey_key)
    answers_raw = document.get("answers")
    if not isinstance(answers_raw, dict):
        return _problem(422, "answers", "must be an object of answers by question key")
    email = document.get("email")
    if email is not None and (not isinstance(email, str) or not EMAIL_PATTERN.match(email)):
        return _problem(422, "email", "is not an e-mail address")
    language = respondent_language(request, document.get("lang")
                                   if isinstance(document.get("lang"), str) else None)
    try:
        answers = answers_to(survey.definition, answers_raw)
        accepted = submit_answers(db, survey.row.workspace_id, survey_key, "widget", answers,
                                  language=language, email_enabled=_email_enabled(web),
                                  respondent=_respondent(invitation, email),
                                  refuse_when_full=True)
        db.flush()
        response_id = accepted.response.id
        if invitation is not None and not claim_answer(db, invitation.id, response_id):
            db.rollback()
            return _problem(422, "t", "this invitation has been answered already")
    except QuotaFull as full:
        db.rollback()
        return JSONResponse(
            {"status": 409, "field": "quota", "quota": full.quota,
             "detail": f"the survey has reached its number of responses (quota "
                       f"{full.quota!r} is full); nothing was stored"},
            status_code=409, media_type="application/problem+json", headers=CORS_HEADERS)
    except SurveyClosed:  # closed since the check above
        db.rollback()
        return _closed_problem(survey_key)
    except InvalidInput as error:
        db.rollback()
        return _problem(422, error.field, error.message)
    db.commit()
    return JSONResponse({"id": response_id, "acknowledgement": accepted.acknowledgement},
                        status_code=201, headers=CORS_HEADERS)
