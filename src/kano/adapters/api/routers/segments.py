"""``/segments``: rule-based and computed customer segments (SPEC 2.2) — define, list,
preview a rule, page through the members. Reading needs ``read``; changing needs a
``write`` token of a member who is not a viewer; every change is audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep, commit_or_conflict, record, write_responses
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.api.schemas.segments import (
    CustomerBriefOut,
    MemberOut,
    Members,
    PreviewIn,
    PreviewOut,
    SegmentIn,
    SegmentKey,
    SegmentOut,
    Segments,
)
from kano.adapters.db import segments as store
from kano.adapters.db.orm import Customer, SegmentMembership, utcnow
from kano.domain.customers.segments import definition_from
from kano.domain.shared.errors import NotFound

router = APIRouter(prefix="/segments", tags=["customers"])
_READ = problem_responses(401, 403, 404, 422, 500)
_MEMBERS = {**_READ, 404: {"model": Problem, "description": "No such segment."}}
_UNREADABLE: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON."}
}


def _out(summary: store.SegmentSummary) -> SegmentOut:
    return SegmentOut.model_validate(asdict(summary))


def _summary(session: SessionDep, workspace_id: int, key: str) -> store.SegmentSummary:
    for summary in store.segment_overview(session, workspace_id):
        if summary.key == key:
            return summary
    raise NotFound("segment", key)


@router.get("", summary="List the segments", response_model=Segments,
            responses=problem_responses(401, 403, 500))  # fmt: skip
def list_segments(caller: ReadAccess, session: SessionDep) -> Segments:
    """Every segment of the workspace by name, with how many customers are in it now."""
    return Segments(items=[_out(s) for s in store.segment_overview(session, caller.workspace_id)])


@router.post(":preview", summary="Preview a segment rule", response_model=PreviewOut,
             responses=problem_responses(401, 403, 422, 500) | _UNREADABLE)  # fmt: skip
def preview(caller: ReadAccess, session: SessionDep, body: PreviewIn) -> PreviewOut:
    """How many customers a rule matches now and the first of them by name; nothing is
    saved. A rule on the 12-month facts counts on the stored facts, whose moment
    `facts_as_of` gives. A 422 names the place in the rule (`rule.all.1.value`)."""
    found = store.preview_rule(session, caller.workspace_id, body.rule, body.limit)
    return PreviewOut(count=found.count, sample=[
        CustomerBriefOut.model_validate(asdict(c)) for c in found.sample],
        facts_as_of=found.facts_as_of)  # fmt: skip


@router.get("/{key}", summary="One segment", response_model=SegmentOut, responses=_READ)
def get_segment(caller: ReadAccess, session: SessionDep, key: SegmentKey) -> SegmentOut:
    return _out(_summary(session, caller.workspace_id, key))


@router.put("/{key}", summary="Define a segment", response_model=SegmentOut,
            responses=write_responses(400, 401, 403, 404, 409, 422, 500) | {
                201: {"model": SegmentOut, "description": "The segment is new."}})  # fmt: skip
def put_segment(editor: EditorDep, session: SessionDep, key: SegmentKey, body: SegmentIn,
                response: Response) -> SegmentOut:  # fmt: skip
    """Create the segment (201) or replace its definition (200). Rule, manual and
    value-tier members are computed at once; RFM and matrix-cell members at the next
    refresh (`kano segments refresh`, daily and after every data load)."""
    editor.require_writer()
    existed = any(s.key == key for s in store.segment_overview(session, editor.workspace_id))
    definition = definition_from({"key": key, **body.model_dump(exclude_none=True)})
    store.save_segment(session, editor.workspace_id, definition)
    if definition.source in ("manual", "rule", "value_tier"):
        store.refresh_segments(session, editor.workspace_id, utcnow(), keys=[key])
    record(session, editor, "update" if existed else "create", "segment", key,
           {"definition": body.model_dump()})  # fmt: skip
    summary = _summary(session, editor.workspace_id, key)
    commit_or_conflict(session)
    response.status_code = 200 if existed else 201
    return _out(summary)


@router.delete("/{key}", summary="Delete a segment", status_code=204, response_class=Response,
               responses=write_responses(401, 403, 404, 422, 500))  # fmt: skip
def delete_segment(editor: EditorDep, session: SessionDep, key: SegmentKey) -> Response:
    """The segment and its membership history go; customers filed under it keep none."""
    editor.require_writer()
    store.delete_segment(session, editor.workspace_id, key)
    record(session, editor, "delete", "segment", key)
    commit_or_conflict(session)
    return Response(status_code=204)


@router.get("/{key}/members", summary="The segment's members now", response_model=Members,
            responses=_MEMBERS)  # fmt: skip
def list_members(
    caller: ReadAccess, session: SessionDep, key: SegmentKey, page: PageParams,
    search: Annotated[str | None, Query(max_length=100, description=(
        "Only customers whose name, external id or e-mail contains this."))] = None,
) -> Members:  # fmt: skip
    """The customers in the segment now, a page at a time by customer id."""
    segment_id = store.segment_id(session, caller.workspace_id, key)  # 404 when unknown
    statement = (
        select(Customer, SegmentMembership.valid_from)
        .join(SegmentMembership, SegmentMembership.customer_id == Customer.id)
        .where(Customer.workspace_id == caller.workspace_id,
               SegmentMembership.workspace_id == caller.workspace_id,
               SegmentMembership.valid_to.is_(None),
               SegmentMembership.segment_id == segment_id)
    )  # fmt: skip
    if search and search.strip():
        statement = statement.where(store.customer_matches(search))
    rows, next_cursor = fetch_page(session, statement, Customer.id, page)
    items = [MemberOut(customer_id=c.id, external_id=c.external_id, name=c.name, kind=c.kind,
                       region=c.region, since=since) for c, since in rows]  # fmt: skip
    return Members(items=items, next_cursor=next_cursor)
