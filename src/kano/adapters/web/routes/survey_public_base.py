"""What the public link page (``survey_public``) and the widget (``survey_widget``) share:
rate limits and the body limit of their POSTs, the page renderer in the respondent's
language, the survey and e-mail invitation a link token opens, and the quota a response
would meet as far as it is known before the answers.

Both POSTs are rate-limited per client address and per link token (429 with Retry-After;
the counts are shared by every server process on PostgreSQL, see ``rate_limit.py``) and
refuse bodies over 32 KiB (413).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.invitations import OpenInvitation, find_invitation
from kano.adapters.db.quotas import customer_segment, quotas_of
from kano.adapters.db.survey_store import DefinedSurvey, Respondent, defined_survey
from kano.adapters.web.deps import WebState
from kano.adapters.web.i18n import LANGUAGES, choose_language
from kano.adapters.web.rate_limit import RateLimit, rate_limiter_for
from kano.adapters.web.survey_links import SurveyLinks
from kano.domain.feedback.quotas import Quota, ResponseFacts, first_full
from kano.domain.shared.errors import NotFound

BODY_LIMIT_BYTES = 32 * 1024
POSTS_PER_MINUTE_PER_IP = 30
POSTS_PER_MINUTE_PER_TOKEN = 600
READS_PER_MINUTE_PER_IP = 240  # the page and the widget script, per client address
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]{1,189}\.[^@\s<>\"]{2,}$")


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


def retry_after(request: Request, token: str) -> int | None:
    """Seconds to wait before another POST from this address or with this token, or None."""
    limits = limits_of(request)
    client = request.client.host if request.client else "unknown"
    return limits.per_ip.hit(f"ip:{client}") or limits.per_token.hit(f"token:{token[:200]}")


def read_retry_after(request: Request) -> int | None:
    client = request.client.host if request.client else "unknown"
    return limits_of(request).reads_per_ip.hit(f"ip:{client}")


class BodyTooLarge(Exception):
    pass


async def limited_body(request: Request) -> bytes:
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


def open_survey(db: Session, web: WebState, key: str, token: str) -> DefinedSurvey | None:
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


def invitation_of(db: Session, web: WebState, survey: DefinedSurvey,
                  token: str) -> OpenInvitation | None:
    """The e-mail invitation behind the token (None for a plain link token)."""
    nonce = _links(web).invitation_of(token, survey.row.key)
    if nonce is None:
        return None
    found = find_invitation(db, survey.row.workspace_id, survey.row.id, nonce)
    if found is None:
        raise InvitationGone
    return found


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


def respondent_for(invitation: OpenInvitation | None, email: str | None) -> Respondent:
    if invitation is not None:
        return Respondent(external_id=invitation.customer_external_id)
    return Respondent(email=email)


def email_enabled(web: WebState) -> bool:
    return bool(web.container.settings.smtp_url)
