"""``Idempotency-Key``: a request repeated with the same key gets the first outcome again.

The outcome is stored in ``idempotency_keys`` in the same transaction as the work, so
"stored" and "remembered" cannot disagree. Two concurrent requests with one key both do
the work, but only one can commit its key (unique per workspace); the other rolls back
everything and replays the winner's outcome. The same key with a different body is a 422:
it is a client bug, and silently returning the first outcome would hide it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kano.adapters import json_codec
from kano.adapters.db.orm import IdempotencyKeyRow
from kano.domain.shared.errors import InvalidInput

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Any unique string (a UUID): repeating the request with the same key "
        "returns the first result and stores nothing new.",
    ),
]
REPLAYED_HEADER = "Idempotent-Replayed"


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(json_codec.canonical(payload)).hexdigest()


def _earlier_fingerprint(payload: Any) -> str:
    """The fingerprint Kano stored before 2026-12 (the standard library's JSON, ~13 ms a
    bulk request): a key stored by that version and retried after an upgrade still
    replays instead of being refused as reused."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _stored(session: Session, workspace_id: int, key: str) -> IdempotencyKeyRow | None:
    return session.scalars(
        select(IdempotencyKeyRow).where(
            IdempotencyKeyRow.workspace_id == workspace_id, IdempotencyKeyRow.key == key
        )
    ).first()


def _replay(stored: IdempotencyKeyRow, digest: str, payload: Any) -> JSONResponse:
    if stored.request_hash != digest and stored.request_hash != _earlier_fingerprint(payload):
        raise InvalidInput(
            "Idempotency-Key", "was already used with a different request body; use a new key"
        )
    return JSONResponse(
        stored.body, status_code=stored.status_code, headers={REPLAYED_HEADER: "true"}
    )


def run_once(
    session: Session,
    workspace_id: int,
    key: str | None,
    request_payload: Any,
    produce: Callable[[], tuple[int, Any]],
) -> JSONResponse:
    """Do ``produce`` (which writes through ``session``) and commit, at most once per key."""
    digest = fingerprint(request_payload)
    if key is not None and (stored := _stored(session, workspace_id, key)) is not None:
        return _replay(stored, digest, request_payload)
    for attempt in (1, 2):
        try:
            status, body = produce()
            if key is not None:
                session.add(
                    IdempotencyKeyRow(
                        workspace_id=workspace_id,
                        key=key,
                        request_hash=digest,
                        status_code=status,
                        body=body,
                    )
                )
            session.commit()
        except IntegrityError:
            # A concurrent request won: it stored this key, or the same new customer.
            session.rollback()
            if key is not None and (stored := _stored(session, workspace_id, key)) is not None:
                return _replay(stored, digest, request_payload)
            if attempt == 2:
                raise
            continue  # the customer exists now: once more finds it
        return JSONResponse(body, status_code=status, headers={REPLAYED_HEADER: "false"})
    raise AssertionError("unreachable")
