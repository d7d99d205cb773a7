"""What the app database knows about one customer, for the customer 360 page: profile,
contacts, feedback, cases and orders — each query filtered by workspace, so a customer id
of another workspace finds nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    FeedbackResponse,
    Payment,
    Segment,
    Survey,
    Touchpoint,
    Transaction,
)
from kano.domain.feedback.bounces import email_undeliverable

LATEST = 50


@dataclass(frozen=True)
class CustomerLine:
    id: int
    external_id: str
    name: str
    kind: str
    email: str | None
    segment: str | None


@dataclass(frozen=True)
class Unpaid:
    """Unpaid payments of one kind: how many, and their amount."""

    payments: int
    amount: float


@dataclass(frozen=True)
class Profile:
    customer: Customer
    segment_key: str | None
    segment_name: str | None
    account: CustomerLine | None  # the account a person belongs to
    contacts: list[CustomerLine]  # the persons of an account
    responses: list[dict[str, Any]]
    cases: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    order_count: int
    revenue: float
    margin: float
    first_order: datetime | None
    last_order: datetime | None
    payments: int
    late_payments: int
    unpaid_payments: int = 0
    """Payments with no paid day yet: paid late counts only those paid, so a customer who
    never paid would otherwise read as one who pays on time."""
    overdue: Unpaid = field(default_factory=lambda: Unpaid(0, 0.0))
    """The unpaid payments past their due day: a debt to chase."""
    not_yet_due: Unpaid = field(default_factory=lambda: Unpaid(0, 0.0))
    """The unpaid payments whose due day has not come: nothing is wrong yet."""
    email_bounced_at: datetime | None = None
    """When the customer's current address bounced for good (no e-mails go to it)."""


def find_customers(
    session: Session, workspace_id: int, query: str = "", *, offset: int = 0, limit: int = LATEST
) -> tuple[list[CustomerLine], int]:
    """Customers whose name, e-mail or external id contains ``query`` (all when empty),
    by name; and how many match."""
    condition = Customer.workspace_id == workspace_id
    text = query.strip()
    if text:
        pattern = f"%{text.lower()}%"
        condition = condition & or_(
            func.lower(Customer.name).like(pattern),
            func.lower(Customer.email).like(pattern),
            func.lower(Customer.external_id).like(pattern),
        )
    total = session.scalar(select(func.count()).select_from(Customer).where(condition)) or 0
    rows = session.execute(
        select(Customer, Segment.name)
        .outerjoin(Segment, Segment.id == Customer.segment_id)
        .where(condition)
        .order_by(Customer.name, Customer.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return [_line(customer, segment) for customer, segment in rows], total


def _line(customer: Customer, segment: str | None) -> CustomerLine:
    return CustomerLine(
        customer.id, customer.external_id, customer.name, customer.kind, customer.email, segment
    )


def customer_profile(
    session: Session, workspace_id: int, customer_id: int, today: date | None = None
) -> Profile | None:
    """Everything on the customer in the app database; None when the workspace has no such
    customer. An unpaid payment due before ``today`` (the server's day) is overdue."""
    customer = session.scalars(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
    ).first()
    if customer is None:
        return None
    segment = session.execute(
        select(Segment.key, Segment.name).where(
            Segment.workspace_id == workspace_id, Segment.id == customer.segment_id
        )
    ).first()
    account = None
    if customer.account_id is not None:
        parent = session.scalars(
            select(Customer).where(
                Customer.workspace_id == workspace_id, Customer.id == customer.account_id
            )
        ).first()
        account = _line(parent, None) if parent else None
    contacts = [
        _line(c, None)
        for c in session.scalars(
            select(Customer)
            .where(Customer.workspace_id == workspace_id, Customer.account_id == customer.id)
            .order_by(Customer.name)
        )
    ]
    totals = session.execute(
        select(
            func.count(),
            func.sum(Transaction.amount),
            func.sum(Transaction.margin),
            func.min(Transaction.occurred_at),
            func.max(Transaction.occurred_at),
        ).where(Transaction.workspace_id == workspace_id, Transaction.customer_id == customer.id)
    ).one()
    paid = session.execute(
        select(
            func.count(),
            func.sum(case((Payment.paid_on > Payment.due_on, 1), else_=0)),
            func.sum(case((Payment.paid_on.is_(None), 1), else_=0)),
        ).where(Payment.workspace_id == workspace_id, Payment.customer_id == customer.id)
    ).one()
    overdue, not_yet_due = _unpaid(session, workspace_id, customer.id, today or date.today())
    return Profile(
        customer=customer,
        segment_key=segment.key if segment else None,
        segment_name=segment.name if segment else None,
        account=account,
        contacts=contacts,
        responses=_responses(session, workspace_id, customer.id),
        cases=_cases(session, workspace_id, customer.id),
        orders=_orders(session, workspace_id, customer.id),
        order_count=int(totals[0] or 0),
        revenue=float(totals[1] or 0.0),
        margin=float(totals[2] or 0.0),
        first_order=totals[3],
        last_order=totals[4],
        payments=int(paid[0] or 0),
        late_payments=int(paid[1] or 0),
        unpaid_payments=int(paid[2] or 0),
        overdue=overdue,
        not_yet_due=not_yet_due,
        email_bounced_at=(
            customer.email_bounced_at
            if email_undeliverable(customer.email, customer.undeliverable_email)
            else None
        ),
    )


def _unpaid(
    session: Session, workspace_id: int, customer_id: int, today: date
) -> tuple[Unpaid, Unpaid]:
    """The customer's unpaid payments past their due day, and those not yet due."""
    def kind(due: Any) -> tuple[Any, Any]:
        return func.sum(case((due, 1), else_=0)), func.sum(case((due, Payment.amount), else_=0.0))

    late, late_amount, early, early_amount = session.execute(select(
        *kind(Payment.due_on < today), *kind(Payment.due_on >= today),
    ).where(Payment.workspace_id == workspace_id, Payment.customer_id == customer_id,
            Payment.paid_on.is_(None))).one()  # fmt: skip
    return (Unpaid(int(late or 0), float(late_amount or 0.0)),
            Unpaid(int(early or 0), float(early_amount or 0.0)))


def _responses(session: Session, workspace_id: int, customer_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(FeedbackResponse, Survey.name, Touchpoint.name)
        .outerjoin(Survey, Survey.id == FeedbackResponse.survey_id)
        .outerjoin(Touchpoint, Touchpoint.id == FeedbackResponse.touchpoint_id)
        .where(
            FeedbackResponse.workspace_id == workspace_id,
            FeedbackResponse.customer_id == customer_id,
        )
        .order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc())
        .limit(LATEST)
    ).all()
    return [
        {
            "id": r.id,
            "submitted_at": r.submitted_at,
            "survey": survey,
            "touchpoint": point,
            "channel": r.channel,
            "nps": r.nps,
            "csat": r.csat,
            "ces": r.ces,
            "rating": r.rating,
            "comment": r.comment,
        }
        for r, survey, point in rows
    ]


def _cases(session: Session, workspace_id: int, customer_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(CaseRow)
        .where(CaseRow.workspace_id == workspace_id, CaseRow.customer_id == customer_id)
        .order_by(CaseRow.opened_at.desc(), CaseRow.id.desc())
        .limit(LATEST)
    ).all()
    return [
        {
            "id": c.id,
            "title": c.title,
            "rule": c.rule,
            "status": c.status,
            "opened_at": c.opened_at,
            "resolution_due_at": c.resolution_due_at,
            "resolved_at": c.resolved_at,
        }
        for c in rows
    ]


def _orders(session: Session, workspace_id: int, customer_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Transaction)
        .where(Transaction.workspace_id == workspace_id, Transaction.customer_id == customer_id)
        .order_by(Transaction.occurred_at.desc(), Transaction.id.desc())
        .limit(LATEST)
    ).all()
    return [
        {
            "occurred_at": t.occurred_at,
            "product": t.product,
            "channel": t.channel,
            "amount": t.amount,
            "margin": t.margin,
        }
        for t in rows
    ]


def quarter_ends(last: date, count: int = 4) -> list[date]:
    """The first days of the last ``count`` quarters up to the one holding ``last``, oldest
    first: the days on which the segment and matrix-cell history is taken."""
    index = last.year * 4 + (last.month - 1) // 3
    days = []
    for back in range(count, 0, -1):
        q = index - back + 1
        days.append(date(q // 4, (q % 4) * 3 + 1, 1))
    return days
