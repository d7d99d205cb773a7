"""Recomputing every segment's members as of a moment, writing only what changed.

A rule or manual segment is synchronised in two statements (close the spans of customers
no longer matching, open spans for the newcomers), whatever the workspace's size. The
computed sources take their groups from the analyses: RFM and the client matrix from the
warehouse (:mod:`kano.analytics.value.views`, the numbers the /value pages show), value
tiers from the 12-month revenue in the app database. A second refresh at the same moment
with no data change writes nothing.

Every customer's 12-month facts are stored first when every segment is refreshed
(:func:`kano.adapters.db.customer_facts.refresh_facts`, as of the refresh's moment), and
rules and value tiers are computed from that table: the customer list shows the very
numbers the members were chosen by. Refreshing some segments (a segment just saved) reads
the facts already stored, as of their own moment (:func:`rule_facts`) — the facts the
rule's preview counted on and the other segments and the list were computed from — and
stores them first only when there are none yet (or they are newer than the refresh).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, case, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from kano.adapters.db.customer_facts import (
    facts_query,
    facts_status,
    refresh_facts,
    stored_facts,
)
from kano.adapters.db.orm import Customer, Segment, SegmentMembership
from kano.adapters.db.segment_rules_sql import RuleCompiler
from kano.adapters.db.segments import close_spans, definition_of
from kano.domain.customers.segments import FACT_FIELDS, TIER_SHARES
from kano.domain.shared.errors import InvalidInput

CHUNK = 1000


@dataclass(frozen=True)
class SegmentRefresh:
    key: str
    name: str
    source: str
    entered: int
    left: int
    members: int
    skipped: str | None = None  # why the segment was not recomputed (members unchanged)


@dataclass
class RefreshReport:
    as_of: datetime
    segments: list[SegmentRefresh] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(s.entered + s.left for s in self.segments)


def value_tiers(revenue: dict[int, float]) -> dict[str, set[int]]:
    """A: customers with fewer than 20 % of the others strictly above them by 12-month
    revenue, B: fewer than 50 %, C: the rest (ties share a tier, the higher one)."""
    if not revenue:
        return {"A": set(), "B": set(), "C": set()}
    ids = np.fromiter(revenue.keys(), dtype=np.int64, count=len(revenue))
    values = np.fromiter(revenue.values(), dtype=np.float64, count=len(revenue))
    ordered = np.sort(values)
    above = len(values) - np.searchsorted(ordered, values, side="right")
    share = above / len(values)
    a_cut = TIER_SHARES["A"]
    b_cut = a_cut + TIER_SHARES["B"]
    return {
        "A": set(ids[share < a_cut].tolist()),
        "B": set(ids[(share >= a_cut) & (share < b_cut)].tolist()),
        "C": set(ids[share >= b_cut].tolist()),
    }


class _Sources:
    """The computed groups of one refresh, each computed once, on first use."""

    def __init__(self, session: Session, workspace_id: int, as_of: datetime,
                 warehouse: Any, facts: Any) -> None:  # fmt: skip
        self.session, self.workspace_id, self.as_of = session, workspace_id, as_of
        self.warehouse, self.facts = warehouse, facts
        self._groups: dict[str, dict[str, set[int]] | str] = {}

    def group(self, source: str, parameter: str) -> set[int] | str:
        """The ids in the group, or why they cannot be computed now."""
        if source not in self._groups:
            try:
                self._groups[source] = getattr(self, f"_{source}")()
            except InvalidInput as error:
                self._groups[source] = f"{error.field}: {error.message}"
            except Exception as error:  # the warehouse is absent, busy or not loaded
                if type(error).__name__ not in ("WarehouseNotLoaded", "WarehouseBusy"):
                    raise
                self._groups[source] = f"warehouse: {error}"
        found = self._groups[source]
        return found if isinstance(found, str) else found.get(parameter, set())

    def _value_tier(self) -> dict[str, set[int]]:
        """Tiers among the customers with an order in the 12 months (their facts)."""
        facts = self.facts
        rows = self.session.execute(
            select(facts.c.customer_id, facts.c.revenue_12m).where(facts.c.orders_12m > 0)
        ).all()  # fmt: skip
        return value_tiers({int(c): float(v or 0.0) for c, v in rows})

    def _rfm(self) -> dict[str, set[int]]:
        if self.warehouse is None:
            return _no_warehouse()
        from kano.analytics.value import views

        view = views.rfm_view(self.warehouse, self.workspace_id, as_of=self.as_of.date())
        groups: dict[str, set[int]] = defaultdict(set)
        for record in view.customers:
            groups[str(record["segment"])].add(int(record["customer_id"]))
        return groups

    def _matrix_cell(self) -> dict[str, set[int]]:
        if self.warehouse is None:
            return _no_warehouse()
        from kano.analytics.value import views

        view = views.matrix_view(self.warehouse, self.workspace_id, as_of=self.as_of.date())
        groups: dict[str, set[int]] = defaultdict(set)
        for record in view.accounts:
            cell = f"{record['attractiveness_level']}-{record['relationship_level']}"
            groups[cell].add(int(record["customer_id"]))
        return groups


def _no_warehouse() -> dict[str, set[int]]:
    raise InvalidInput("warehouse", "not given: RFM and matrix segments need the warehouse")


def _at(as_of: date | datetime) -> datetime:
    return as_of if isinstance(as_of, datetime) else datetime(as_of.year, as_of.month, as_of.day)


def refresh_segments(
    session: Session, workspace_id: int, as_of: date | datetime, *, warehouse: Any = None,
    keys: Iterable[str] | None = None, progress: Callable[[SegmentRefresh], None] | None = None,
) -> RefreshReport:  # fmt: skip
    """Recompute the members of every segment (or of ``keys``) as of ``as_of``: spans of
    leavers end at ``as_of``, newcomers' spans begin there. RFM and matrix segments need
    ``warehouse`` (an Ibis backend); without it they are reported as skipped."""
    when = _at(as_of)
    query = select(Segment).where(Segment.workspace_id == workspace_id).order_by(Segment.key)
    wanted = None if keys is None else set(keys)
    if wanted is not None:
        query = query.where(Segment.key.in_(wanted))
    rows = list(session.scalars(query))
    if wanted is not None and len(rows) < len(wanted):
        missing = sorted(wanted - {r.key for r in rows})[0]
        raise InvalidInput("key", f"no segment {missing!r} in this workspace")
    if wanted is None:
        refresh_facts(session, workspace_id, when)
        facts, facts_as_of = stored_facts(workspace_id), when
    elif any(_reads_facts(row) for row in rows):
        facts, facts_as_of = rule_facts(session, workspace_id, when, store=True)
    else:
        facts, facts_as_of = facts_query(workspace_id, when).subquery("facts"), when
    sources = _Sources(session, workspace_id, when, warehouse, facts)
    compiler = RuleCompiler(workspace_id, facts_as_of, session.get_bind().dialect.name, facts)
    report = RefreshReport(when)
    for row in rows:
        definition = definition_of(row)
        target: Select[Any] | set[int] | str
        if definition.source == "manual":
            target = select(Customer.id).where(
                Customer.workspace_id == workspace_id, Customer.segment_id == row.id
            )
        elif definition.source == "rule":
            assert definition.rule is not None
            target = compiler.customer_ids(definition.rule)
        else:
            target = sources.group(definition.source, definition.parameter or "")
        if isinstance(target, str):
            done = SegmentRefresh(
                row.key,
                row.name,
                row.source,
                0,
                0,
                _open_count(session, workspace_id, row.id),
                target,
            )
        else:
            if isinstance(target, set):
                entered, left = _sync_ids(session, workspace_id, row.id, target, when)
            else:
                entered, left = _sync_query(session, workspace_id, row.id, target, when)
            if row.refreshed_at != when:
                row.refreshed_at = when
            done = SegmentRefresh(
                row.key,
                row.name,
                row.source,
                entered,
                left,
                _open_count(session, workspace_id, row.id),
            )
        report.segments.append(done)
        if progress is not None:
            progress(done)
    session.flush()
    return report


def rule_facts(session: Session, workspace_id: int, when: datetime, *,
               store: bool = False) -> tuple[Any, datetime]:
    """The 12-month facts rules are computed from at ``when``, and their moment: the
    stored facts when there are some not newer than ``when``; else (``store``) stored now
    as of ``when``, or (a preview, which writes nothing) computed as of ``when``."""
    status = facts_status(session, workspace_id)
    if status is not None and status.as_of <= when:
        return stored_facts(workspace_id), status.as_of
    if store:
        refresh_facts(session, workspace_id, when)
        return stored_facts(workspace_id), when
    return facts_query(workspace_id, when).subquery("facts"), when


def _reads_facts(row: Segment) -> bool:
    definition = definition_of(row)
    if definition.source == "value_tier":
        return True
    return definition.rule is not None and bool(definition.rule.fields() & set(FACT_FIELDS))


def _open(workspace_id: int, segment_id: int) -> Any:
    return and_(SegmentMembership.workspace_id == workspace_id,
                SegmentMembership.segment_id == segment_id,
                SegmentMembership.valid_to.is_(None))  # fmt: skip


def _open_count(session: Session, workspace_id: int, segment_id: int) -> int:
    return int(session.scalar(
        select(func.count()).select_from(SegmentMembership).where(_open(workspace_id, segment_id))
    ) or 0)  # fmt: skip


def _sync_query(session: Session, workspace_id: int, segment_id: int, target: Select[Any],
                when: datetime) -> tuple[int, int]:  # fmt: skip
    """Two set-based statements: close the spans of those not in ``target``, open spans
    for those in it without one."""
    ids = target.subquery()
    closed = session.execute(
        update(SegmentMembership)
        .where(_open(workspace_id, segment_id),
               SegmentMembership.customer_id.not_in(select(ids.c.id)))
        .values(valid_to=case((SegmentMembership.valid_from > when,
                               SegmentMembership.valid_from), else_=when))
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    left = int(getattr(closed, "rowcount", 0) or 0)
    member = exists().where(
        _open(workspace_id, segment_id), SegmentMembership.customer_id == ids.c.id
    )
    staying = _open_count(session, workspace_id, segment_id)
    session.execute(
        insert(SegmentMembership).from_select(
            ["workspace_id", "segment_id", "customer_id", "valid_from"],
            select(literal(workspace_id), literal(segment_id), ids.c.id, literal(when)).where(
                ~member
            ),
        )
    )
    # counted, not read from rowcount: PostgreSQL's driver reports -1 for INSERT … SELECT
    return _open_count(session, workspace_id, segment_id) - staying, left


def _sync_ids(session: Session, workspace_id: int, segment_id: int, target: set[int],
              when: datetime) -> tuple[int, int]:  # fmt: skip
    """The same for a group computed in Python (only customers that still exist here)."""
    current = set(
        session.scalars(
            select(SegmentMembership.customer_id).where(_open(workspace_id, segment_id))
        )
    )
    known = set(session.scalars(select(Customer.id).where(
        Customer.workspace_id == workspace_id)))  # fmt: skip
    wanted = target & known
    leaving = sorted(current - wanted)
    entering = sorted(wanted - current)
    for start in range(0, len(leaving), CHUNK):
        close_spans(session, workspace_id, segment_id, leaving[start : start + CHUNK], when)
    if entering:
        session.execute(insert(SegmentMembership), [
            {"workspace_id": workspace_id, "segment_id": segment_id, "customer_id": c,
             "valid_from": when} for c in entering
        ])  # fmt: skip
    return len(entering), len(leaving)
