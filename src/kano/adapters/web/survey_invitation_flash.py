"""The report of an invitation send, carried from the POST to the page it redirects to.

Sending invitations answers with a redirect (POST → 303 → GET) so that reloading the page
cannot post the send again. The report the page shows (how many invited, the skips by
reason, the first skipped contacts) travels in a short-lived signed cookie, as the login
page's "your password is set" notice does (``routes/set_password.py``): invitations have no
send or batch table to point at, and the audit entry of the send holds only totals.

The cookie is bound to the workspace, the person and the survey, is only read on the
redirect's URL (``?invitations=sent``), and stays valid for a few minutes, so reloading the
page shows the same report again and sends nothing. It holds skip-reason keys and at most
:data:`SKIPS_KEPT` skipped contacts (external ids or what was typed), trimmed to stay well
under a browser's 4 KB cookie limit.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from kano.adapters.db.invitations import InviteReport
from kano.adapters.web.deps import SignedInPageContext
from kano.adapters.web.survey_invitation_view import SHOWN, SKIP_LABELS, skip_label

COOKIE = "kano_invitations_sent"
PATH = "/surveys"
SALT = "kano.invitations-sent"
MAX_AGE_SECONDS = 10 * 60
SENT_QUERY = "invitations=sent"
SKIPS_KEPT = SHOWN
CONTACT_CHARS = 80
COOKIE_CHARS = 3_000
LABEL_KEYS = {label: key for key, label in SKIP_LABELS.items()}


def _serializer(page: SignedInPageContext) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(page.web.container.settings.secret_key, salt=SALT)


def _reason_key(reason: str) -> str:
    """The stable key of one of ``invite``'s reasons (its ``SKIP_LABELS`` start)."""
    return LABEL_KEYS.get(skip_label(reason), "")


def remember_sent(response: Response, page: SignedInPageContext, key: str,
                  report: InviteReport) -> None:
    """Set the cookie that lets the redirect's page show this send's report."""
    assert page.workspace is not None
    reasons = Counter(_reason_key(skip.reason) for skip in report.skipped)
    skips = [[skip.contact[:CONTACT_CHARS], _reason_key(skip.reason)]
             for skip in report.skipped[:SKIPS_KEPT]]
    serializer = _serializer(page)
    while True:
        signed = serializer.dumps({
            "w": page.workspace.id, "u": page.viewer.user_id, "s": key,
            "i": len(report.invited), "n": len(report.skipped), "r": dict(reasons),
            "k": skips})
        if len(signed) <= COOKIE_CHARS or not skips:
            break
        skips = skips[:len(skips) // 2]  # many long contacts: keep fewer of them
    response.set_cookie(COOKIE, signed, max_age=MAX_AGE_SECONDS, path=PATH, httponly=True,
                        samesite="lax", secure=page.web.container.settings.cookie_secure)


def sent_report(page: SignedInPageContext, key: str) -> dict[str, Any] | None:
    """The report of this person's latest send to this survey, in ``report_view``'s shape,
    on the redirect's URL while the cookie is fresh; None otherwise."""
    signed = page.request.cookies.get(COOKIE)
    if page.request.query_params.get("invitations") != "sent" or not signed \
            or page.workspace is None:
        return None
    try:
        data = _serializer(page).loads(signed[:COOKIE_CHARS * 2], max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or (data.get("w"), data.get("u"), data.get("s")) != (
            page.workspace.id, page.viewer.user_id, key):
        return None
    counts = {SKIP_LABELS[reason]: int(n) for reason, n in data["r"].items()
              if reason in SKIP_LABELS}
    return {
        "dry_run": False,
        "invited": int(data["i"]),
        "skipped": int(data["n"]),
        "reasons": sorted(counts.items(), key=lambda item: -item[1]),
        "skips": [(contact, SKIP_LABELS[reason], reason) for contact, reason in data["k"]
                  if reason in SKIP_LABELS],
    }
