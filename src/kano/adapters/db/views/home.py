"""Headline figures of one workspace for the home page: customers, responses, NPS, revenue.

The "last 12 months" are the twelve calendar months that end with the month of the latest
transaction or response *in the data*, not with today: a demo company generated last year
still shows a full year, and the chart's months add up to the headline figures.

NPS comes with its 95 % interval, for the year and for each month, from
``kano.metrics.intervals.net_score`` — the arithmetic the CX overview and the metric
engine use — so a month's swing can be read against its noise (a month of some 40 answers
moves by ±15 points by chance alone).

Everything is aggregated by the database (the demo holds about 10⁵ responses and
transactions) with SQLAlchemy Core that runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, case, extract, func, or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import Customer, FeedbackResponse, Transaction
from kano.metrics.intervals import Estimate, net_score

WINDOW_MONTHS = 12
Database = Session | Connection


@dataclass(frozen=True)
class NpsTally:
    """Counts behind a Net Promoter Score: promoters answer 9–10, detractors 0–6."""

    promoters: int = 0
    detractors: int = 0
    answered: int = 0

    @property
    def score(self) -> float | None:
        """NPS = 100 × (promoters − detractors) / answered; None without answers."""
        if self.answered == 0:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.answered

    @property
    def estimate(self) -> Estimate:
        """The score with its 95 % interval (``low``/``high`` None without answers)."""
        return net_score(self.promoters, self.detractors, self.answered)

    def __add__(self, other: NpsTally) -> NpsTally:
        return NpsTally(
            self.promoters + other.promoters,
            self.detractors + other.detractors,
            self.answered + other.answered,
        )


@dataclass(frozen=True)
class MonthFigures:
    month: date  # the first day of the month
    revenue: float
    nps: NpsTally


@dataclass(frozen=True)
class HomeFigures:
    customers: int
    responses: int
    months: tuple[MonthFigures, ...]  # oldest first; empty when the workspace has no activity
    active_customers: int = 0  # with a transaction or a response in the twelve months
    responses_in_window: int = 0  # responses of the twelve months
    responses_before: int = 0  # responses of the twelve months before them

    @property
    def nps(self) -> NpsTally:
        total = NpsTally()
        for month in self.months:
            total = total + month.nps
        return total

    @property
    def revenue(self) -> float:
        return sum(month.revenue for month in self.months)

    @property
    def first_month(self) -> date | None:
        return self.months[0].month if self.months else None

    @property
    def last_month(self) -> date | None:
        return self.months[-1].month if self.months else None


def home_figures(db: Database, workspace_id: int) -> HomeFigures:
    """The home page's figures for one workspace, in seven aggregate queries.

    At 10⁶ responses and orders (bench/pages_at_scale.py, PostgreSQL) each pass over a
    table's year costs hundreds of milliseconds, so the responses are read once for the
    monthly NPS and the two yearly counts, and the active customers are counted from the
    customers' side with index lookups rather than a de-duplicated union of every id."""
    latest = latest_activity(db, workspace_id)
    months = _window(latest) if latest else ()
    revenue = _monthly_revenue(db, workspace_id, months)
    nps, in_window, before = _response_months(db, workspace_id, months)
    return HomeFigures(
        customers=_count(db, Customer, workspace_id),
        responses=_count(db, FeedbackResponse, workspace_id),
        months=tuple(
            MonthFigures(month, revenue.get(month, 0.0), nps.get(month, NpsTally()))
            for month in months
        ),
        active_customers=_active_customers(db, workspace_id, months),
        responses_in_window=in_window,
        responses_before=before,
    )


def latest_activity(db: Database, workspace_id: int) -> datetime | None:
    """When the latest transaction or feedback response of the workspace happened."""
    last_transaction = db.execute(
        select(func.max(Transaction.occurred_at)).where(Transaction.workspace_id == workspace_id)
    ).scalar()
    last_response = db.execute(
        select(func.max(FeedbackResponse.submitted_at))
        .where(FeedbackResponse.workspace_id == workspace_id)
    ).scalar()
    known = [moment for moment in (last_transaction, last_response) if moment is not None]
    return max(known) if known else None


def _window(latest: datetime) -> tuple[date, ...]:
    """First days of the twelve months ending with the month of ``latest``, oldest first."""
    index = latest.year * 12 + latest.month - 1
    return tuple(
        date(month_index // 12, month_index % 12 + 1, 1)
        for month_index in range(index - WINDOW_MONTHS + 1, index + 1)
    )


def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _bounds(months: tuple[date, ...]) -> tuple[datetime, datetime]:
    start, end = months[0], _month_after(months[-1])
    return datetime(start.year, start.month, 1), datetime(end.year, end.month, 1)


def _count(db: Database, table: type[Customer] | type[FeedbackResponse], workspace_id: int
           ) -> int:
    return int(db.execute(
        select(func.count()).select_from(table).where(table.workspace_id == workspace_id)
    ).scalar_one())


def _year_before(months: tuple[date, ...]) -> datetime:
    """Midnight of the first day twelve months before the window starts."""
    start = months[0]
    return datetime(start.year - 1, start.month, 1)


def _active_customers(db: Database, workspace_id: int, months: tuple[date, ...]) -> int:
    """Customers who bought or answered in the window (each counted once): the
    workspace's customers with an order or a response in it, each found through the
    (workspace, customer, time) indexes."""
    if not months:
        return 0
    start, end = _bounds(months)
    bought = select(Transaction.id).where(
        Transaction.workspace_id == workspace_id, Transaction.customer_id == Customer.id,
        Transaction.occurred_at >= start, Transaction.occurred_at < end,
    ).exists()
    answered = select(FeedbackResponse.id).where(
        FeedbackResponse.workspace_id == workspace_id, FeedbackResponse.customer_id == Customer.id,
        FeedbackResponse.submitted_at >= start, FeedbackResponse.submitted_at < end,
    ).exists()
    return int(db.execute(
        select(func.count()).select_from(Customer)
        .where(Customer.workspace_id == workspace_id, or_(bought, answered))
    ).scalar_one())


def _monthly_revenue(
    db: Database, workspace_id: int, months: tuple[date, ...]
) -> dict[date, float]:
    if not months:
        return {}
    start, end = _bounds(months)
    year = extract("year", Transaction.occurred_at)
    month = extract("month", Transaction.occurred_at)
    rows = db.execute(
        select(year, month, func.sum(Transaction.amount))
        .where(
            Transaction.workspace_id == workspace_id,
            Transaction.occurred_at >= start,
            Transaction.occurred_at < end,
        )
        .group_by(year, month)
    ).all()
    return {date(int(y), int(m), 1): float(total or 0.0) for y, m, total in rows}


def _response_months(
    db: Database, workspace_id: int, months: tuple[date, ...]
) -> tuple[dict[date, NpsTally], int, int]:
    """The NPS tally of each month of the window, the responses of the window and those
    of the twelve months before it: one pass over those two years of responses."""
    if not months:
        return {}, 0, 0
    _, end = _bounds(months)
    earlier = _year_before(months)
    score = FeedbackResponse.nps
    year = extract("year", FeedbackResponse.submitted_at)
    month = extract("month", FeedbackResponse.submitted_at)
    rows = db.execute(
        select(
            year,
            month,
            func.count(),
            func.sum(case((score >= 9, 1), else_=0)),
            func.sum(case((score <= 6, 1), else_=0)),
            func.count(score),
        )
        .where(
            FeedbackResponse.workspace_id == workspace_id,
            FeedbackResponse.submitted_at >= earlier,
            FeedbackResponse.submitted_at < end,
        )
        .group_by(year, month)
    ).all()
    window = set(months)
    tallies: dict[date, NpsTally] = {}
    in_window = before = 0
    for y, m, responses, promoters, detractors, answered in rows:
        first_day = date(int(y), int(m), 1)
        if first_day in window:
            in_window += int(responses)
            tallies[first_day] = NpsTally(int(promoters), int(detractors), int(answered))
        else:
            before += int(responses)
    return tallies, in_window, before
