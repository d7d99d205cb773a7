"""``/bounces``: bounced e-mails forwarded over HTTP by a mail service.

The body is the raw returned message (``message/rfc822``, as the relay delivered it:
an RFC 3464 report or a free-text bounce). It is recorded as ``kano feedback bounces``
and the Maildir job record one (:func:`kano.adapters.db.bounces.record_bounce`), but only
a message of the token's workspace can match: another workspace's Message-ID is as
unknown as one Kano never sent, and one without this server's signature is ``unsigned``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kano.adapters.api.deps import SessionDep, WriteAccess, container_of
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.bounces import BounceOutcome
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.db.bounces import BounceOutcome as Recorded
from kano.adapters.db.bounces import record_bounce
from kano.domain.shared.errors import InvalidInput

router = APIRouter(prefix="/bounces", tags=["feedback"])

MAX_BOUNCE_BYTES = 1024 * 1024
MEDIA_TYPES = ("message/rfc822", "text/plain", "application/octet-stream")
_BODY = {"schema": {"type": "string", "format": "binary"}}


def _responses() -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(401, 403, 422, 500)
    responses[413] = {"model": Problem, "description": f"Over {MAX_BOUNCE_BYTES} bytes."}
    responses[415] = {"model": Problem, "description": "Not a message/rfc822 body."}
    return responses


async def _body(request: Request) -> bytes:
    """The body, refused (413) as soon as it passes the limit."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BOUNCE_BYTES:
        raise HTTPException(413, f"body: send at most {MAX_BOUNCE_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BOUNCE_BYTES:
            raise HTTPException(413, f"body: send at most {MAX_BOUNCE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "",
    summary="Record a bounced e-mail",
    response_model=BounceOutcome,
    responses=_responses(),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The returned message as the mail server received it.",
            "content": {media: _BODY for media in MEDIA_TYPES},
        }
    },
)
async def record_bounced_email(
    caller: WriteAccess, session: SessionDep, request: Request
) -> BounceOutcome:
    """Match the bounce to the e-mail it returns (by the original Message-ID, which must be
    one of this workspace's) and record it: a permanent bounce (5.x.x) marks the e-mail
    `bounced` on its response (`GET /responses/{id}`) with the diagnostic, and makes the
    address undeliverable — no more acknowledgements or invitations to it until the
    customer's e-mail changes. A transient bounce (4.x.x) is recorded only. The same bounce
    sent twice changes nothing more. A Message-ID without this server's signature
    (forged, or of an e-mail sent before Kano signed its Message-IDs) is `unsigned` and
    changes nothing. A body that is not a bounce is a 422 naming `body`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise HTTPException(415, f"content-type: send the message as {MEDIA_TYPES[0]}")
    raw = await _body(request)
    secret_key = container_of(request).settings.secret_key
    outcome = await run_in_threadpool(_record, session, raw, secret_key, caller.workspace_id)
    return BounceOutcome(
        outcome=outcome.outcome,  # type: ignore[arg-type]
        detail=outcome.detail,
        customers_marked=outcome.customers_marked,
    )


def _record(session: Session, raw: bytes, secret_key: str, workspace_id: int) -> Recorded:
    outcome = record_bounce(session, raw, secret_key=secret_key, workspace_id=workspace_id)
    if outcome.outcome == "unreadable":
        session.rollback()
        raise InvalidInput("body", f"not a bounce Kano can read: {outcome.detail}")
    session.commit()
    return outcome
