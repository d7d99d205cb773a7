"""The embeddable survey widget (issue 6, channel "widget").

``GET /s/{key}/widget.js?t=TOKEN`` (the URL of the snippet users paste, so it never
changes) is a small loader: the survey's settings in the respondent's language, whether it
is closed or full, cached one minute. It loads the widget code — a script without a
framework that draws an NPS question and a comment box where the loader is included and
posts JSON to ``POST /s/{key}/widget`` — once per page from ``/widget/{digest}.js``, a URL
named by the code's content hash and cached for a year (``immutable``): a new Kano
version's code has a new URL, so no browser keeps an old one, and a returning respondent
downloads only the loader. Only the POST endpoint answers cross-origin requests (CORS, no
cookies). Its refusals are problem+json naming the field.

A full quota (``kano.domain.feedback.quotas``) makes the endpoint answer 409 naming the
quota, and the script shows "this survey has reached its number of responses" instead of
the question once the quota is known to be full. A survey its builder closed answers 410
(code ``survey_closed``) and the script says so. The rate and body limits are the link
page's (``survey_public_base``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kano.adapters.db.invitations import claim_answer
from kano.adapters.db.survey_store import submit_answers
from kano.adapters.web.deps import DbSession, Web, WebState
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.survey_public_base import (
    BODY_LIMIT_BYTES,
    EMAIL_PATTERN,
    BodyTooLarge,
    InvitationGone,
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
from kano.domain.feedback.surveys import answers_to, text_in
from kano.domain.shared.errors import InvalidInput

router = APIRouter()

WIDGET_CODE = (Path(__file__).parent.parent / "static" / "js" / "survey-widget.js").read_bytes()
WIDGET_DIGEST = hashlib.sha256(WIDGET_CODE).hexdigest()[:16]
"""The code's URL names its content: a change gives a new URL (nothing stale is cached)."""
WIDGET_LOADER = (Path(__file__).parent.parent / "static" / "js"
                 / "survey-widget-loader.js").read_text(encoding="utf-8")
LOADER_CACHE = "public, max-age=60"
"""The loader says whether the survey is closed or full: a short cache."""
CODE_CACHE = "public, max-age=31536000, immutable"
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
    headers = {"Cache-Control": LOADER_CACHE, "Cross-Origin-Resource-Policy": "cross-origin"}
    wait = read_retry_after(request)
    if wait is not None:
        return Response("", status_code=429, media_type="text/javascript",
                        headers={**headers, "Retry-After": str(wait), "Cache-Control": "no-store"})
    survey = open_survey(db, web, survey_key, t)
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
    script = (WIDGET_LOADER.replace("__KANO_CONFIG__", _script_literal(config))
              .replace("__KANO_SCRIPT__", _script_literal(
                  str(request.url_for("widget_code", digest=WIDGET_DIGEST)))))
    return Response(script, media_type="text/javascript", headers=headers)


def _script_literal(value: object) -> str:
    """JSON inside a script: "<" escaped so a text can never close the script element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


@router.get("/widget/{digest}.js", name="widget_code")
def widget_code(digest: str) -> Response:
    """The widget code, the same for every survey. Its current digest is cached for a year;
    another (a loader cached just before an upgrade) gets the current code, briefly
    cached — the loader's queue is the same in every version."""
    cache = CODE_CACHE if digest == WIDGET_DIGEST else LOADER_CACHE
    return Response(WIDGET_CODE, media_type="text/javascript", headers={
        "Cache-Control": cache, "Cross-Origin-Resource-Policy": "cross-origin"})


@router.options("/s/{survey_key}/widget")
def widget_preflight(survey_key: str) -> Response:
    return Response(status_code=204, headers=CORS_HEADERS)


@router.post("/s/{survey_key}/widget", name="submit_widget")
async def submit_widget(request: Request, web: Web, db: DbSession, survey_key: str) -> Response:
    try:
        body = await limited_body(request)
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
    wait = await run_in_threadpool(retry_after, request, token)  # may ask the database
    if wait is not None:
        return _problem(429, "body", "too many requests; try again later", **{
            "Retry-After": str(wait)})
    return await run_in_threadpool(_store_widget, request, web, db, survey_key, token, document)


def _store_widget(request: Request, web: WebState, db: Session, survey_key: str, token: str,
                  document: dict[str, Any]) -> Response:
    survey = open_survey(db, web, survey_key, token)
    if survey is None:
        return _problem(404, "t", "this survey link is not valid")
    try:
        invitation = invitation_of(db, web, survey, token)
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
                                  language=language, email_enabled=email_enabled(web),
                                  respondent=respondent_for(invitation, email),
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
