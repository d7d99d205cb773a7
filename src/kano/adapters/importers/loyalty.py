"""Loyalty-programme exports as behaviour data (issue 8, item 6).

A loyalty programme logs what members do: purchases, points earned and redeemed, visits,
tier changes. Kano reads such an export (CSV or XLSX, one row per event) and keeps it as
behaviour, where the analyses already look:

* ``purchase`` rows become **transactions** (channel ``loyalty``): RFM, CLV, the client
  matrix and the churn model count them like any other order;
* every other event becomes a **process event** of process ``loyalty`` (measure
  ``loyalty_<type>``, value the points, or 1): the churn model's
  ``loyalty_activity_recent`` feature counts them per customer.

When the file names the products (``product_name`` next to ``product``), the workspace's
product catalogue learns the names of the codes it does not know yet; a code it already
names keeps its name, since a name someone gave (on the settings page, through the API or
``kano products import``) is the one the workspace chose, and an export's is often a
till's abbreviation.

Members are matched to customers by external id (or e-mail). A file is checked whole
before anything is written; any bad row stops the import and every problem is reported by
row and column. Re-importing an overlapping export adds only the rows not stored yet (a
row is the same when customer, time, kind, amount and points are).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import Customer, ProcessEvent, Transaction
from kano.adapters.db.product_catalogue import (
    Product,
    checked_product,
    product_names,
    upsert_products,
)
from kano.domain.shared.errors import InvalidInput

CHANNEL = "loyalty"
PROCESS = "loyalty"
PURCHASE = "purchase"
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
FIRST_DATA_ROW = 2  # a spreadsheet user's row number of the first data row (after the header)


@dataclass(frozen=True)
class LoyaltyColumns:
    """Which column holds what; ``margin`` is optional (else ``margin_share`` × amount)."""

    member: str = "member_id"
    occurred_at: str = "date"
    kind: str = "type"
    amount: str = "amount"
    points: str = "points"
    product: str | None = None
    product_name: str | None = None  # names the product codes the catalogue lacks
    margin: str | None = None
    match_by: str = "external_id"  # or "email"


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str


@dataclass
class LoyaltyReport:
    rows: int = 0
    purchases: int = 0
    events: int = 0
    skipped: int = 0
    created_members: int = 0
    products_named: int = 0  # codes the catalogue learnt a name for (or would, dry run)
    dry_run: bool = False
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.purchases + self.events


@dataclass(frozen=True)
class _Row:
    member: str
    at: datetime
    kind: str
    amount: float
    points: float
    product: str
    product_name: str
    margin: float | None


def read_table(path: Path) -> pd.DataFrame:
    """The export as text cells (CSV with any common separator, or the first XLSX sheet)."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=str).fillna("")
    return pd.read_csv(path, dtype=str, sep=None, engine="python", encoding="utf-8-sig").fillna("")


def _number(text: str) -> float:
    value = float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parse_rows(
    frame: pd.DataFrame, columns: LoyaltyColumns, margin_share: float | None
) -> tuple[list[_Row], list[RowProblem]]:
    """Every row checked; the good ones and every problem (row numbers as in the file)."""
    needed = [columns.member, columns.occurred_at, columns.kind, columns.amount, columns.points]
    needed += [c for c in (columns.product, columns.product_name, columns.margin) if c]
    absent = [c for c in needed if c not in frame.columns]
    if columns.product_name and not columns.product:
        return [], [RowProblem(1, columns.product_name, "names need the product column too")]
    if absent:
        known = ", ".join(map(str, frame.columns))
        return [], [RowProblem(1, c, f"no such column (the file has: {known})") for c in absent]
    rows: list[_Row] = []
    problems: list[RowProblem] = []
    for index, record in enumerate(frame.to_dict("records")):
        line = index + FIRST_DATA_ROW
        found = _parse_row(
            record, columns, margin_share, lambda c, r, n=line: problems.append(RowProblem(n, c, r))
        )
        if found is not None:
            rows.append(found)
    return rows, problems


def _parse_row(
    record: dict[str, Any],
    columns: LoyaltyColumns,
    margin_share: float | None,
    problem: Callable[[str, str], None],
) -> _Row | None:
    ok = True

    def bad(column: str, reason: str) -> None:
        nonlocal ok
        ok = False
        problem(column, reason)

    member = str(record[columns.member]).strip()
    if not member:
        bad(columns.member, "is empty")
    at = pd.to_datetime(str(record[columns.occurred_at]).strip(), errors="coerce")
    if pd.isna(at):
        bad(columns.occurred_at, f"{record[columns.occurred_at]!r} is not a date")
    kind = str(record[columns.kind]).strip().lower().replace(" ", "_").replace("-", "_")
    if not EVENT_TYPE.match(kind):
        bad(columns.kind, "use a word such as purchase, earn, redeem or visit")
    amount = points = 0.0
    for column in (columns.amount, columns.points):
        text = str(record[column]).strip()
        if not text:
            continue
        try:
            value = _number(text)
        except ValueError:
            bad(column, f"{text!r} is not a number")
            continue
        if column == columns.amount:
            amount = value
        else:
            points = value
    if kind == PURCHASE and not str(record[columns.amount]).strip():
        bad(columns.amount, "a purchase needs its amount")
    margin: float | None = None
    if kind == PURCHASE:
        if columns.margin:
            try:
                margin = _number(str(record[columns.margin]))
            except ValueError:
                bad(columns.margin, f"{record[columns.margin]!r} is not a number")
        elif margin_share is None:
            bad(columns.amount, "give a margin column (--margin-col) or --margin-share")
        else:
            margin = amount * margin_share
    product = str(record[columns.product]).strip()[:64] if columns.product else ""
    name = str(record[columns.product_name]).strip() if columns.product_name else ""
    if not ok:
        return None
    return _Row(
        member,
        pd.Timestamp(at).to_pydatetime().replace(tzinfo=None),
        kind,
        amount,
        points,
        product or "loyalty purchase",
        name if product else "",
        margin,
    )


def import_loyalty(
    session: Session,
    workspace_id: int,
    path: Path,
    columns: LoyaltyColumns,
    *,
    margin_share: float | None = None,
    create_members: bool = False,
    dry_run: bool = False,
    actor: str = "cli",
) -> LoyaltyReport:
    """Check the whole file, then store its new rows in the caller's transaction (the caller
    commits; nothing is written when any row has a problem or on a dry run)."""
    frame = read_table(path)
    report = LoyaltyReport(rows=len(frame), dry_run=dry_run)
    rows, problems = parse_rows(frame, columns, margin_share)
    if problems and problems[0].row == 1:  # a missing column: no row can be read
        report.problems = problems
        return report
    key_column = Customer.external_id if columns.match_by == "external_id" else Customer.email
    cells = [str(c).strip() for c in frame[columns.member]]
    members = sorted({c for c in cells if c})
    known: dict[str, int] = {}
    for start in range(0, len(members), 1000):
        chunk = members[start : start + 1000]
        found = session.execute(
            select(key_column, Customer.id).where(
                Customer.workspace_id == workspace_id, key_column.in_(chunk)
            )
        ).all()
        known.update((str(key), int(id_)) for key, id_ in found)
    unknown = [m for m in members if m not in known]
    if unknown and not create_members:
        first_row = {}
        for index, cell in enumerate(cells):
            first_row.setdefault(cell, index + FIRST_DATA_ROW)
        problems += [
            RowProblem(
                first_row[m],
                columns.member,
                f"no customer with {columns.match_by} {m!r} (or pass --create-members)",
            )
            for m in unknown
        ]
    if problems:
        report.problems = sorted(problems, key=lambda p: (p.row, p.column))
        return report
    unknown = sorted({r.member for r in rows} - set(known))
    if dry_run:
        report.created_members = len(unknown)
        report.purchases = sum(r.kind == PURCHASE for r in rows)
        report.events = len(rows) - report.purchases
        report.products_named = len(_unnamed_products(session, workspace_id, rows))
        return report
    for member in unknown:
        customer = Customer(
            workspace_id=workspace_id,
            kind="person",
            name=member,
            external_id=member[:64]
            if columns.match_by == "external_id"
            else f"loyalty-{hashlib.sha1(member.encode()).hexdigest()[:12]}",
            email=member if columns.match_by == "email" else None,
            created_on=min(r.at for r in rows if r.member == member).date(),
        )
        session.add(customer)
        session.flush()
        known[member] = customer.id
    report.created_members = len(unknown)
    _store(session, workspace_id, rows, known, report)
    unnamed = _unnamed_products(session, workspace_id, rows)
    upsert_products(session, workspace_id, unnamed)
    report.products_named = len(unnamed)
    audit(
        session,
        workspace_id,
        actor,
        "import",
        "loyalty",
        path.name,
        {
            "rows": report.rows,
            "purchases": report.purchases,
            "events": report.events,
            "skipped": report.skipped,
            "created_members": report.created_members,
            "products_named": report.products_named,
        },
    )
    return report


def _unnamed_products(session: Session, workspace_id: int, rows: list[_Row]) -> list[Product]:
    """The purchases' products the catalogue has no name for, each with the first name the
    file gives it. A code the catalogue could not hold (a space, a '/' …) or a name it would
    refuse is left unnamed: the import is of behaviour, and names are a courtesy."""
    offered: dict[str, Product] = {}
    for row in rows:
        if row.kind != PURCHASE or not row.product_name or row.product in offered:
            continue
        try:
            offered[row.product] = checked_product(row.product, row.product_name[:200])
        except InvalidInput:
            continue
    codes = sorted(offered)
    named: set[str] = set()
    for start in range(0, len(codes), 1000):
        named.update(product_names(session, workspace_id, codes[start : start + 1000]))
    return [offered[code] for code in codes if code not in named]


def _store(
    session: Session,
    workspace_id: int,
    rows: list[_Row],
    customers: dict[str, int],
    report: LoyaltyReport,
) -> None:
    ids = sorted(set(customers.values()))
    start = min(r.at for r in rows)
    stored_orders = set(
        tuple(row)
        for row in session.execute(
            select(Transaction.customer_id, Transaction.occurred_at, Transaction.amount).where(
                Transaction.workspace_id == workspace_id,
                Transaction.channel == CHANNEL,
                Transaction.customer_id.in_(ids),
                Transaction.occurred_at >= start,
            )
        ).all()
    )
    stored_events = set(
        tuple(row)
        for row in session.execute(
            select(
                ProcessEvent.customer_id,
                ProcessEvent.occurred_at,
                ProcessEvent.measure,
                ProcessEvent.value,
            ).where(
                ProcessEvent.workspace_id == workspace_id,
                ProcessEvent.process == PROCESS,
                ProcessEvent.customer_id.in_(ids),
                ProcessEvent.occurred_at >= start,
            )
        ).all()
    )
    orders, events = [], []
    for row in rows:
        customer = customers[row.member]
        if row.kind == PURCHASE:
            key: tuple[Any, ...] = (customer, row.at, row.amount)
            if key in stored_orders:
                report.skipped += 1
                continue
            stored_orders.add(key)
            orders.append(
                {
                    "workspace_id": workspace_id,
                    "customer_id": customer,
                    "occurred_at": row.at,
                    "amount": row.amount,
                    "margin": row.margin,
                    "product": row.product,
                    "channel": CHANNEL,
                }
            )
        else:
            measure, value = f"loyalty_{row.kind}"[:64], row.points or 1.0
            key = (customer, row.at, measure, value)
            if key in stored_events:
                report.skipped += 1
                continue
            stored_events.add(key)
            events.append(
                {
                    "workspace_id": workspace_id,
                    "customer_id": customer,
                    "process": PROCESS,
                    "measure": measure,
                    "value": value,
                    "occurred_at": row.at,
                }
            )
    if orders:
        session.execute(insert(Transaction), orders)
    if events:
        session.execute(insert(ProcessEvent), events)
    report.purchases, report.events = len(orders), len(events)
