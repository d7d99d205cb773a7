"""``/transactions``: the orders of the token's workspace with customer, segment and team."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from sqlalchemy import Row, Select, and_, select

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import ResourceId, TimeWindowParams, optional_id, text_filter
from kano.adapters.api.schemas.transactions import Transaction, TransactionPage
from kano.adapters.db import orm
from kano.domain.shared.errors import NotFound

router = APIRouter(prefix="/transactions", tags=["transactions"])


def transactions_of(workspace_id: int) -> Select[orm.Transaction, str, str, str]:
    """Transactions of one workspace with team and segment keys and the product's name in
    the workspace's catalogue, in one query (no N+1)."""
    transaction = orm.Transaction
    same_workspace = transaction.workspace_id
    return (
        select(
            transaction,
            orm.Team.key.label("team_key"),
            orm.Segment.key.label("segment_key"),
            orm.ProductRow.name.label("product_name"),
        )
        .outerjoin(orm.ProductRow, and_(
            orm.ProductRow.workspace_id == same_workspace,
            orm.ProductRow.code == transaction.product,
        ))
        .outerjoin(orm.Team, and_(
            orm.Team.id == transaction.team_id, orm.Team.workspace_id == same_workspace
        ))
        .outerjoin(orm.Customer, and_(
            orm.Customer.id == transaction.customer_id,
            orm.Customer.workspace_id == same_workspace,
        ))
        .outerjoin(orm.Segment, and_(
            orm.Segment.id == orm.Customer.segment_id, orm.Segment.workspace_id == same_workspace
        ))
        .where(transaction.workspace_id == workspace_id)
    )


def transaction_from_row(row: Row[orm.Transaction, str, str, str]) -> Transaction:
    transaction, team_key, segment_key, product_name = row
    return Transaction(
        id=transaction.id,
        customer_id=transaction.customer_id,
        segment_key=segment_key,
        team_key=team_key,
        channel=transaction.channel,
        product=transaction.product,
        product_name=product_name,
        amount=transaction.amount,
        margin=transaction.margin,
        occurred_at=transaction.occurred_at,
    )


@router.get(
    "",
    summary="List transactions",
    response_model=TransactionPage,
    responses=problem_responses(401, 403, 422, 500),
)
def list_transactions(
    caller: ReadAccess,
    session: SessionDep,
    page: PageParams,
    window: TimeWindowParams,
    customer_id: Annotated[int | None, optional_id("Only orders of this customer.")] = None,
    product: Annotated[str | None, text_filter("Only orders of this product.", 64)] = None,
    channel: Annotated[str | None, text_filter("Only orders through this channel.", 32)]
    = None,
) -> TransactionPage:
    """Transactions ordered by id; `since`/`until` filter on `occurred_at`."""
    transaction = orm.Transaction
    statement = window.apply(transactions_of(caller.workspace_id), transaction.occurred_at)
    if customer_id is not None:
        statement = statement.where(transaction.customer_id == customer_id)
    if product is not None:
        statement = statement.where(transaction.product == product)
    if channel is not None:
        statement = statement.where(transaction.channel == channel)
    rows, next_cursor = fetch_page(session, statement, transaction.id, page)
    return TransactionPage(
        items=[transaction_from_row(row) for row in rows], next_cursor=next_cursor
    )


@router.get(
    "/{transaction_id}",
    summary="Get one transaction",
    response_model=Transaction,
    responses=problem_responses(401, 403, 404, 422, 500),
)
def get_transaction(
    caller: ReadAccess, session: SessionDep, transaction_id: ResourceId
) -> Transaction:
    """One transaction of the token's workspace; any other id is a 404, whoever owns it."""
    row = session.execute(
        transactions_of(caller.workspace_id).where(orm.Transaction.id == transaction_id)
    ).first()
    if row is None:
        raise NotFound("transaction", transaction_id)
    return transaction_from_row(row)
