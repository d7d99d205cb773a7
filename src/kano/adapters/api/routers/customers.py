"""``/customers``: the accounts and persons of the token's workspace; owners, admins and
managers change one with ``PATCH`` (audited; :mod:`kano.adapters.db.customer_edits`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import Row, Select, and_, or_, select
from sqlalchemy.orm import Session

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep, write_responses
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import ResourceId, contains_pattern, key_filter, text_filter
from kano.adapters.api.schemas.customers import (
    Customer,
    CustomerDetail,
    CustomerPage,
    CustomerPatch,
)
from kano.adapters.api.schemas.editing import sent
from kano.adapters.db import orm
from kano.adapters.db.customer_edits import ExternalIdTaken, edit_customer
from kano.domain.customers.edits import CUSTOMER_EDITORS
from kano.domain.feedback.bounces import email_undeliverable
from kano.domain.shared.errors import NotFound, PermissionDenied

router = APIRouter(prefix="/customers", tags=["customers"])



def customers_of(workspace_id: int) -> Select[orm.Customer, str]:
    """Customers of one workspace with their segment key, in one query (no N+1).

    The segment join repeats the workspace condition so a stray cross-tenant reference
    could never leak another workspace's segment key.
    """
    return (
        select(orm.Customer, orm.Segment.key.label("segment_key"))
        .outerjoin(orm.Segment, and_(
            orm.Segment.id == orm.Customer.segment_id,
            orm.Segment.workspace_id == orm.Customer.workspace_id,
        ))
        .where(orm.Customer.workspace_id == workspace_id)
    )


def _fields(row: Row[orm.Customer, str]) -> dict[str, object]:
    customer, segment_key = row
    return dict(
        id=customer.id,
        external_id=customer.external_id,
        kind=customer.kind,
        name=customer.name,
        email=customer.email,
        segment_key=segment_key,
        account_id=customer.account_id,
        region=customer.region,
        industry=customer.industry,
        consent_contact=customer.consent_contact,
        email_undeliverable=email_undeliverable(customer.email, customer.undeliverable_email),
        attributes=customer.attributes or {},
        created_on=customer.created_on,
        created_at=customer.created_at,
    )


def customer_from_row(row: Row[orm.Customer, str]) -> Customer:
    return Customer.model_validate(_fields(row))


def customer_detail(row: Row[orm.Customer, str]) -> CustomerDetail:
    customer = row[0]
    return CustomerDetail.model_validate({
        **_fields(row), "bounced_email": customer.undeliverable_email,
        "email_bounced_at": customer.email_bounced_at,
    })


@router.get(
    "",
    summary="List customers",
    response_model=CustomerPage,
    responses=problem_responses(401, 403, 422, 500),
)
def list_customers(
    caller: ReadAccess,
    session: SessionDep,
    page: PageParams,
    segment: Annotated[str | None, key_filter("Only customers in the segment with this key.")]
    = None,
    kind: Annotated[Literal["account", "person"] | None, Query(
        description="Only accounts (B2B) or only persons (B2C)."
    )] = None,
    region: Annotated[str | None, text_filter("Only customers in this region.", 64)] = None,
    q: Annotated[str | None, text_filter(
        "Only customers whose name or e-mail contains this text (case-insensitive)."
    )] = None,
) -> CustomerPage:
    """Customers ordered by id. An unknown segment key simply matches nobody."""
    statement = customers_of(caller.workspace_id)
    if segment is not None:
        statement = statement.where(orm.Segment.key == segment)
    if kind is not None:
        statement = statement.where(orm.Customer.kind == kind)
    if region is not None:
        statement = statement.where(orm.Customer.region == region)
    if q is not None:
        pattern = contains_pattern(q)
        statement = statement.where(or_(
            orm.Customer.name.ilike(pattern, escape="\\"),
            orm.Customer.email.ilike(pattern, escape="\\"),
        ))
    rows, next_cursor = fetch_page(session, statement, orm.Customer.id, page)
    return CustomerPage(items=[customer_from_row(row) for row in rows], next_cursor=next_cursor)


def _one(session: Session, workspace_id: int, customer_id: int) -> CustomerDetail:
    row = session.execute(
        customers_of(workspace_id).where(orm.Customer.id == customer_id)
    ).first()
    if row is None:
        raise NotFound("customer", customer_id)
    return customer_detail(row)


@router.get(
    "/{customer_id}",
    summary="Get one customer",
    response_model=CustomerDetail,
    responses=problem_responses(401, 403, 404, 422, 500),
)
def get_customer(caller: ReadAccess, session: SessionDep,
                 customer_id: ResourceId) -> CustomerDetail:
    """One customer of the token's workspace; any other id is a 404, whoever owns it."""
    return _one(session, caller.workspace_id, customer_id)


@router.patch(
    "/{customer_id}",
    summary="Change a customer",
    response_model=CustomerDetail,
    responses=write_responses(400, 401, 403, 404, 409, 422, 500),
)
def update_customer(editor: EditorDep, session: SessionDep, customer_id: ResourceId,
                    body: CustomerPatch) -> CustomerDetail:
    """Owners, admins and managers change e-mail, name, external id, segment, region,
    industry, consent to contact and free attributes; fields not sent keep their value.

    A new `email` lifts a bounce mark (acknowledgements and invitations go to it again);
    setting the address that bounced back brings the mark back. `email_deliverable: true`
    lifts it without a new address. Every change is in the audit log (`update`,
    `email-deliverable`) with the values before and after. A bad field is a 422 naming it,
    another customer's `external_id` a 409, a customer of another workspace a 404.
    """
    if editor.role not in CUSTOMER_EDITORS:
        raise PermissionDenied(
            f"Only owners, admins and managers change customers; this token acts as a "
            f"{editor.role}.")
    try:
        edit_customer(session, editor.workspace_id, customer_id, sent(body),
                      actor=editor.actor, user_id=editor.user_id)
    except ExternalIdTaken as error:
        session.rollback()
        raise HTTPException(409, detail=str(error)) from error
    session.commit()
    return _one(session, editor.workspace_id, customer_id)
