"""``/okr/key-results/{key}/check-ins``: value, confidence and comment, check-in by check-in.

Check-ins belong to the owner of their key result's OKR objective. The latest check-in
with a value moves its key result — ``current`` for metric and band key results,
``milestones_done`` for milestones, ``done`` for yes/no — so progress follows check-ins as
it does in the web UI. Check-ins stay editable while their cycle is open; every edit and
deletion writes the old values to the audit log, which ``…/check-ins/{id}/history`` reads
back. A new check-in is written by ``okr_store.create_check_in``, as the OKR page's is, so
the two refuse alike: a closed cycle (409) and a typed value for a key result that
follows its metric live (422 on ``value``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import (
    Editor,
    EditorDep,
    apply_changes,
    commit_or_conflict,
    conflict,
    read_responses,
    record,
    write_responses,
)
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import ResourceId
from kano.adapters.api.routers.key_results import (
    KeyResultKey,
    key_result_at,
)
from kano.adapters.api.routers.okr import store_conflicts
from kano.adapters.api.schemas.editing import sent
from kano.adapters.api.schemas.okr import (
    CheckIn,
    CheckInChange,
    CheckInCreate,
    CheckInPage,
    CheckInUpdate,
)
from kano.adapters.api.strategy_lookups import email_map, find_row, member_id
from kano.adapters.db import okr_store
from kano.adapters.db.orm import AuditEntry, CheckInRow, KeyResultRow
from kano.domain.shared.errors import NotFound

router = APIRouter(prefix="/okr/key-results", tags=["okr"])

_SNAPSHOT_FIELDS = ("at", "value", "confidence", "comment", "author_user_id")


def check_in_out(session: Session, row: CheckInRow, kr_key: str) -> CheckIn:
    author = email_map(session, [row.author_user_id]).get(row.author_user_id or 0)
    return CheckIn(id=row.id, key_result=kr_key, at=row.at, value=row.value,
                   confidence=row.confidence, band=row.confidence_band(), comment=row.comment,
                   author=author)


def _owned_kr(session: Session, editor: Editor, kr_key: str) -> KeyResultRow:
    """The key result, when the caller may check in on it (403) and its cycle is open
    (409: a closed cycle's objectives are graded once and for good)."""
    kr = key_result_at(session, editor.workspace_id, kr_key)
    with store_conflicts():
        return okr_store.key_result_to_check_in(session, editor, kr.id)


def _check_in(session: Session, kr: KeyResultRow, check_in_id: int) -> CheckInRow:
    row = find_row(session, CheckInRow, kr.workspace_id, id=check_in_id, key_result_id=kr.id)
    if row is None:
        raise NotFound("check-in", check_in_id)
    return row


def _free_moment(session: Session, kr: KeyResultRow, at: Any, own_id: int | None) -> None:
    taken = find_row(session, CheckInRow, kr.workspace_id, key_result_id=kr.id, at=at)
    if taken is not None and taken.id != own_id:
        raise conflict(f"Key result '{kr.key}' has a check-in at {at.isoformat()} already.")


@router.get("/{kr_key}/check-ins", summary="List a key result's check-ins",
            response_model=CheckInPage, responses=read_responses(401, 403, 404, 422, 500))
def list_check_ins(
    caller: ReadAccess, session: SessionDep, kr_key: KeyResultKey, page: PageParams
) -> CheckInPage:
    kr = key_result_at(session, caller.workspace_id, kr_key)
    statement = select(CheckInRow).where(CheckInRow.key_result_id == kr.id)
    rows, next_cursor = fetch_page(session, statement, CheckInRow.id, page)
    return CheckInPage(items=[check_in_out(session, row[0], kr.key) for row in rows],
                       next_cursor=next_cursor)


@router.post("/{kr_key}/check-ins", summary="Check in on a key result", status_code=201,
             response_model=CheckIn, responses=write_responses(400, 401, 403, 404, 409, 422, 500))
def create_check_in(
    editor: EditorDep, session: SessionDep, kr_key: KeyResultKey, body: CheckInCreate
) -> CheckIn:
    """Value, confidence 0–10 and a comment; the author defaults to the token's user.
    A key result of a closed cycle takes no check-in (409). One that follows its metric
    live takes a confidence and a comment: its value is the metric's, and a typed value
    that differs is a 422 on `value` (code `key_result_is_live`)."""
    kr = key_result_at(session, editor.workspace_id, kr_key)
    with store_conflicts():
        _, row = okr_store.create_check_in(
            session, editor, key_result_id=kr.id, confidence=body.confidence,
            value=body.value, comment=body.comment, at=body.at,
            author_user_id=member_id(session, editor.workspace_id, "author", body.author),
        )
    commit_or_conflict(session)
    return check_in_out(session, row, kr.key)


@router.get("/{kr_key}/check-ins/{check_in_id}", summary="Get a check-in",
            response_model=CheckIn, responses=read_responses(401, 403, 404, 422, 500))
def get_check_in(
    caller: ReadAccess, session: SessionDep, kr_key: KeyResultKey, check_in_id: ResourceId
) -> CheckIn:
    kr = key_result_at(session, caller.workspace_id, kr_key)
    return check_in_out(session, _check_in(session, kr, check_in_id), kr.key)


@router.patch("/{kr_key}/check-ins/{check_in_id}", summary="Correct a check-in",
              response_model=CheckIn, responses=write_responses(400, 401, 403, 404, 409, 422, 500))
def update_check_in(
    editor: EditorDep, session: SessionDep, kr_key: KeyResultKey, check_in_id: ResourceId,
    body: CheckInUpdate,
) -> CheckIn:
    """The old values go to the audit log (see `…/history`); a check-in of a closed cycle
    cannot change (409)."""
    kr = _owned_kr(session, editor, kr_key)
    row = _check_in(session, kr, check_in_id)
    values: dict[str, Any] = sent(body)
    if values.get("value") is not None:
        okr_store.checked_value(kr, values["value"])
    if "at" in values:
        _free_moment(session, kr, values["at"], row.id)
    if "author" in values:
        values["author_user_id"] = member_id(session, editor.workspace_id, "author",
                                             values.pop("author"))
    before = row.audit_snapshot()
    if apply_changes(row, values):
        record(session, editor, "update", "check_in", row.id,
               {"key_result": kr.key, "before": before, "after": row.audit_snapshot()})
        okr_store.follow_latest_check_in(session, editor, kr)
        commit_or_conflict(session)
    return check_in_out(session, row, kr.key)


@router.delete("/{kr_key}/check-ins/{check_in_id}", summary="Delete a check-in",
               status_code=204, response_class=Response,
               responses=write_responses(401, 403, 404, 409, 422, 500))
def delete_check_in(
    editor: EditorDep, session: SessionDep, kr_key: KeyResultKey, check_in_id: ResourceId
) -> Response:
    """The deleted values stay in the audit log (see `…/history`); a check-in of a closed
    cycle stays (409)."""
    kr = _owned_kr(session, editor, kr_key)
    row = _check_in(session, kr, check_in_id)
    record(session, editor, "delete", "check_in", row.id,
           {"key_result": kr.key, "before": row.audit_snapshot()})
    session.delete(row)
    session.flush()
    okr_store.follow_latest_check_in(session, editor, kr)
    commit_or_conflict(session)
    return Response(status_code=204)


def _snapshot(detail: dict[str, Any] | None, part: str, action: str) -> dict[str, object] | None:
    """``before``/``after`` of an audit entry; entries written elsewhere (the web UI's
    check-in form) keep the created values at the top level."""
    if not detail:
        return None
    if part in detail:
        found: dict[str, object] | None = detail[part]
        return found
    if part == "after" and action == "create":
        return {name: detail[name] for name in _SNAPSHOT_FIELDS if name in detail}
    return None


@router.get("/{kr_key}/check-ins/{check_in_id}/history", summary="A check-in's history",
            response_model=list[CheckInChange], responses=read_responses(401, 403, 404, 422, 500))
def check_in_history(
    caller: ReadAccess, session: SessionDep, kr_key: KeyResultKey, check_in_id: ResourceId
) -> list[CheckInChange]:
    """Every recorded creation, edit and deletion of the check-in, oldest first; the
    history of a deleted check-in stays readable."""
    kr = key_result_at(session, caller.workspace_id, kr_key)
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.workspace_id == caller.workspace_id, AuditEntry.entity == "check_in",
               AuditEntry.entity_id == str(check_in_id))
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    exists = find_row(session, CheckInRow, caller.workspace_id, id=check_in_id,
                      key_result_id=kr.id)
    mine = [e for e in entries if (e.detail or {}).get("key_result", kr.key) == kr.key]
    if exists is None and not mine:
        raise NotFound("check-in", check_in_id)
    return [
        CheckInChange(action=e.action, at=e.at, actor=e.actor,
                      before=_snapshot(e.detail, "before", e.action),
                      after=_snapshot(e.detail, "after", e.action))
        for e in mine
    ]
