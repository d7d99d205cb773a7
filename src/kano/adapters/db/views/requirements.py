"""The special-requirements register as read by the API, the /requirements page and the
customer 360 page: one query, filtered by workspace first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    Customer,
    FeedbackResponse,
    ProductRow,
    SpecialRequirementRow,
    User,
    utcnow,
)
from kano.domain.feedback.requirements import RequirementStatus, is_overdue

MAX_LISTED = 500


@dataclass(frozen=True)
class RequirementLine:
    id: int
    customer: str  # external id
    customer_id: int
    customer_name: str
    kind: str
    text: str
    status: str
    owner: str | None  # e-mail
    product: str | None
    process: str | None
    review_on: date | None
    overdue: bool
    created_at: datetime
    updated_at: datetime
    response_id: int | None = None  # stated in this survey response (a requirement question)
    product_name: str | None = None  # the product's name in the workspace's catalogue


def requirements(
    session: Session,
    workspace_id: int,
    *,
    kind: str | None = None,
    status: str | None = None,
    customer: str | None = None,
    customer_id: int | None = None,
    overdue: bool = False,
    requirement_id: int | None = None,
    today: date | None = None,
    limit: int = MAX_LISTED,
    after_id: int | None = None,
) -> list[RequirementLine]:
    """The workspace's requirements, review date first (no date last), then newest; with
    ``after_id`` (the API's pages) those with a greater id, in id order.
    ``customer`` matches the external id or, partly, the name. ``response_id`` is given
    only when that response is the workspace's own (never another workspace's id)."""
    today = today or utcnow().date()
    query = (
        select(SpecialRequirementRow, Customer.external_id, Customer.name, User.email,
               FeedbackResponse.id.label("stated_in"), ProductRow.name.label("product_name"))
        .join(Customer, (Customer.id == SpecialRequirementRow.customer_id)
              & (Customer.workspace_id == workspace_id))
        .outerjoin(User, User.id == SpecialRequirementRow.owner_user_id)
        .outerjoin(FeedbackResponse, (FeedbackResponse.id == SpecialRequirementRow.response_id)
                   & (FeedbackResponse.workspace_id == workspace_id))
        .outerjoin(ProductRow, (ProductRow.workspace_id == workspace_id)
                   & (ProductRow.code == SpecialRequirementRow.product_key))
        .where(SpecialRequirementRow.workspace_id == workspace_id)
    )
    if requirement_id is not None:
        query = query.where(SpecialRequirementRow.id == requirement_id)
    if kind:
        query = query.where(SpecialRequirementRow.kind == kind)
    if status:
        query = query.where(SpecialRequirementRow.status == status)
    if customer_id is not None:
        query = query.where(SpecialRequirementRow.customer_id == customer_id)
    if customer:
        pattern = "%" + customer.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Customer.external_id == customer,
                                Customer.name.ilike(pattern, escape="\\")))
    if overdue:
        query = query.where(SpecialRequirementRow.review_on < today,
                            SpecialRequirementRow.status != RequirementStatus.RETIRED.value)
    if after_id is not None:
        query = query.where(SpecialRequirementRow.id > after_id).order_by(SpecialRequirementRow.id)
    else:
        query = query.order_by(SpecialRequirementRow.review_on.is_(None),
                               SpecialRequirementRow.review_on, SpecialRequirementRow.id.desc())
    rows = session.execute(query.limit(limit)).all()
    return [
        RequirementLine(
            id=row.id, customer=external_id, customer_id=row.customer_id,
            customer_name=name, kind=row.kind, text=row.text, status=row.status, owner=email,
            product=row.product_key, process=row.process_key, review_on=row.review_on,
            overdue=is_overdue(row.review_on, row.status, today),
            created_at=row.created_at, updated_at=row.updated_at, response_id=stated_in,
            product_name=product_name,
        )
        for row, external_id, name, email, stated_in, product_name in rows
    ]


def customer_requirements(session: Session, workspace_id: int,
                          customer_id: int) -> list[RequirementLine]:
    """One customer's requirements, for the customer 360 page."""
    return requirements(session, workspace_id, customer_id=customer_id)
