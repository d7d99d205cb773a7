"""``/customers``: the accounts and persons of the token's workspace."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import Row, Select, and_, or_, select

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import ResourceId, contains_pattern, key_filter, text_filter
from kano.adapters.api.schemas.customers import Customer, CustomerPage
from kano.adapters.db import orm
from kano.domain.shared.errors import NotFound

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


def customer_from_row(row: Row[orm.Customer, str]) -> Customer:
    customer, segment_key = row
    return Customer(
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
        attributes=customer.attributes or {},
        created_on=customer.created_on,
        created_at=customer.created_at,
    )


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


@router.get(
    "/{customer_id}",
    summary="Get one customer",
    response_model=Customer,
    responses=problem_responses(401, 403, 404, 422, 500),
)
def get_customer(caller: ReadAccess, session: SessionDep, customer_id: ResourceId) -> Customer:
    """One customer of the token's workspace; any other id is a 404, whoever owns it."""
    row = session.execute(
        customers_of(caller.workspace_id).where(orm.Customer.id == customer_id)
    ).first()
    if row is None:
        raise NotFound("customer", customer_id)
    return customer_from_row(row)
