"""Segments in the app database: definitions, who is in each now, and who was when.

Membership is kept as spans in ``segment_memberships`` (``valid_to`` NULL while current),
so a customer's segment history and "members now" are both one indexed query.
:func:`refresh_segments` (in :mod:`kano.adapters.db.segment_refresh`) recomputes every
segment and writes only the changes; a manual segment follows ``customers.segment_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from kano.adapters.db.orm import Customer, Segment, SegmentMembership, utcnow
from kano.adapters.db.segment_rules_sql import RuleCompiler
from kano.domain.customers.segments import (
    FACT_FIELDS,
    Rule,
    SegmentDefinition,
    definition_from,
    parse_rule,
)
from kano.domain.shared.errors import InvalidInput, NotFound

__all__ = [
    "MemberRow",
    "MembershipSpan",
    "RulePreview",
    "SegmentRow",
    "SegmentSummary",
    "customer_matches",
    "customers_in_segment",
    "definition_of",
    "delete_segment",
    "members_now",
    "move_manual_membership",
    "preview_rule",
    "refresh_segments",
    "save_segment",
    "segment_history",
    "segment_id",
    "segment_overview",
]

SegmentRow = Segment


@dataclass(frozen=True)
class SegmentSummary:
    key: str
    name: str
    source: str
    rule: dict[str, Any] | None  # a rule segment's filter (JSON form)
    parameter: str | None  # a computed segment's RFM name, tier or matrix cell
    description: str | None
    members_now: int
    refreshed_at: datetime | None


@dataclass(frozen=True)
class CustomerBrief:
    customer_id: int
    external_id: str
    name: str
    kind: str


@dataclass(frozen=True)
class RulePreview:
    count: int
    sample: list[CustomerBrief]
    facts_as_of: datetime | None = None  # the 12-month facts' moment, when the rule reads them


@dataclass(frozen=True)
class MemberRow:
    customer_id: int
    external_id: str
    name: str
    kind: str
    region: str | None
    since: datetime


@dataclass(frozen=True)
class MembershipSpan:
    segment_key: str
    segment_name: str
    source: str
    valid_from: datetime
    valid_to: datetime | None  # None: still a member


def _rule_and_parameter(row: Segment) -> tuple[dict[str, Any] | None, str | None]:
    stored = row.rule or None
    if row.source == "rule":
        return stored, None
    parameter = stored.get("parameter") if stored else None
    return None, parameter if isinstance(parameter, str) else None


def definition_of(row: Segment) -> SegmentDefinition:
    """The stored segment as a domain definition (its rule parsed again)."""
    rule, parameter = _rule_and_parameter(row)
    return SegmentDefinition(
        row.key, row.name, row.source, parse_rule(rule) if rule else None, parameter,
        row.description,
    )  # fmt: skip


def _segment(session: Session, workspace_id: int, key: str) -> Segment:
    row = session.scalar(
        select(Segment).where(Segment.workspace_id == workspace_id, Segment.key == key)
    )
    if row is None:
        raise NotFound("segment", key)
    return row


def segment_id(session: Session, workspace_id: int, key: str) -> int:
    """The row id of the workspace's segment ``key``; NotFound when there is none."""
    return _segment(session, workspace_id, key).id


def customer_matches(search: str) -> ColumnElement[bool]:
    """Customers whose name, external id or e-mail contains ``search`` (any case)."""
    term = search.strip().lower()
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        func.lower(Customer.name).like(pattern, escape="\\"),
        func.lower(Customer.external_id).like(pattern, escape="\\"),
        func.lower(func.coalesce(Customer.email, "")).like(pattern, escape="\\"),
    )


def segment_overview(session: Session, workspace_id: int) -> list[SegmentSummary]:
    """Every segment of the workspace with its current member count, by name."""
    counts = (
        select(SegmentMembership.segment_id, func.count().label("members"))
        .where(SegmentMembership.workspace_id == workspace_id,
               SegmentMembership.valid_to.is_(None))
        .group_by(SegmentMembership.segment_id)
        .subquery()
    )  # fmt: skip
    rows = session.execute(
        select(Segment, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.segment_id == Segment.id)
        .where(Segment.workspace_id == workspace_id)
        .order_by(Segment.name, Segment.key)
    ).all()
    summaries = []
    for row, members in rows:
        rule, parameter = _rule_and_parameter(row)
        summaries.append(
            SegmentSummary(
                row.key,
                row.name,
                row.source,
                rule,
                parameter,
                row.description,
                int(members),
                row.refreshed_at,
            )
        )
    return summaries


def save_segment(
    session: Session, workspace_id: int, definition: SegmentDefinition | Mapping[str, Any]
) -> SegmentRow:
    """Create the segment or update the one with the same key (InvalidInput names the
    field). A manual segment that customers are filed under stays manual."""
    if not isinstance(definition, SegmentDefinition):
        definition = definition_from(definition)
    row = session.scalar(
        select(Segment).where(Segment.workspace_id == workspace_id,
                              Segment.key == definition.key)
    )  # fmt: skip
    if row is None:
        row = Segment(workspace_id=workspace_id, key=definition.key)
        session.add(row)
    elif row.source != definition.source:
        if row.source == "manual" and session.scalar(
            select(func.count()).select_from(Customer).where(
                Customer.workspace_id == workspace_id, Customer.segment_id == row.id)
        ):  # fmt: skip
            raise InvalidInput(
                "source", "customers are filed under this manual segment; move them first"
            )
        row.refreshed_at = None  # members of the old source stay until the next refresh
    row.name = definition.name
    row.source = definition.source
    row.kind = definition.kind
    row.rule = definition.stored_rule()
    row.description = definition.description
    session.flush()
    return row


def delete_segment(session: Session, workspace_id: int, key: str) -> None:
    """Delete the segment and its membership history; its customers keep no segment."""
    row = _segment(session, workspace_id, key)
    session.execute(
        delete(SegmentMembership).where(
            SegmentMembership.workspace_id == workspace_id, SegmentMembership.segment_id == row.id
        )
    )
    session.execute(update(Customer).where(
        Customer.workspace_id == workspace_id, Customer.segment_id == row.id
    ).values(segment_id=None))  # fmt: skip
    session.delete(row)
    session.flush()


def preview_rule(
    session: Session, workspace_id: int, rule: Rule | Mapping[str, Any], limit: int = 20,
    *, as_of: datetime | None = None,
) -> RulePreview:  # fmt: skip
    """How many customers ``rule`` matches now and the first ``limit`` of them by name;
    writes nothing. The 12-month facts are those stored (as of their moment), which a
    segment saved now is computed from too (:func:`~kano.adapters.db.segment_refresh.
    rule_facts`); ``as_of`` computes them as of that moment instead."""
    from kano.adapters.db.segment_refresh import rule_facts

    if not isinstance(rule, Rule):
        rule = parse_rule(rule)
    reads_facts = bool(rule.fields() & set(FACT_FIELDS))
    if as_of is not None or not reads_facts:
        facts, facts_as_of = None, as_of or utcnow()
    else:
        facts, facts_as_of = rule_facts(session, workspace_id, utcnow())
    compiler = RuleCompiler(workspace_id, facts_as_of, _dialect(session), facts)
    ids = compiler.customer_ids(rule).subquery()
    count = session.scalar(select(func.count()).select_from(ids)) or 0
    sample = session.execute(
        select(Customer.id, Customer.external_id, Customer.name, Customer.kind)
        .where(Customer.workspace_id == workspace_id, Customer.id.in_(select(ids.c.id)))
        .order_by(Customer.name, Customer.id)
        .limit(max(0, min(limit, 200)))
    ).all()
    return RulePreview(int(count), [CustomerBrief(*r) for r in sample],
                       facts_as_of if reads_facts else None)


def customers_in_segment(workspace_id: int, key: str) -> Select[Any]:
    """``SELECT customer_id`` of the segment's current members (none for an unknown key),
    for filters, survey targeting and metric slices."""
    segment_ids = select(Segment.id).where(Segment.workspace_id == workspace_id, Segment.key == key)
    return select(SegmentMembership.customer_id).where(
        SegmentMembership.workspace_id == workspace_id,
        SegmentMembership.segment_id.in_(segment_ids),
        SegmentMembership.valid_to.is_(None),
    )


def members_now(
    session: Session, workspace_id: int, key: str, *, search: str | None = None,
    limit: int = 50, offset: int = 0,
) -> tuple[int, list[MemberRow]]:  # fmt: skip
    """The segment's current members by name (``search`` in name, external id or e-mail)
    and how many there are in all; NotFound for an unknown key."""
    row = _segment(session, workspace_id, key)
    query = (
        select(Customer.id, Customer.external_id, Customer.name, Customer.kind,
               Customer.region, SegmentMembership.valid_from)
        .join(SegmentMembership, SegmentMembership.customer_id == Customer.id)
        .where(SegmentMembership.workspace_id == workspace_id,
               SegmentMembership.segment_id == row.id,
               SegmentMembership.valid_to.is_(None),
               Customer.workspace_id == workspace_id)
    )  # fmt: skip
    if search and search.strip():
        query = query.where(customer_matches(search))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Customer.name, Customer.id).limit(max(0, limit)).offset(max(0, offset))
    ).all()
    return int(total), [MemberRow(*r) for r in rows]


def segment_history(session: Session, workspace_id: int, customer_id: int) -> list[MembershipSpan]:
    """Every span the customer spent in a segment, the newest first."""
    rows = session.execute(
        select(Segment.key, Segment.name, Segment.source, SegmentMembership.valid_from,
               SegmentMembership.valid_to)
        .join(Segment, Segment.id == SegmentMembership.segment_id)
        .where(SegmentMembership.workspace_id == workspace_id,
               SegmentMembership.customer_id == customer_id,
               Segment.workspace_id == workspace_id)
        .order_by(SegmentMembership.valid_from.desc(), SegmentMembership.id.desc())
    ).all()  # fmt: skip
    return [MembershipSpan(*r) for r in rows]


def move_manual_membership(
    session: Session, workspace_id: int, customer_id: int, before: int | None,
    after: int | None, *, at: datetime | None = None,
) -> None:  # fmt: skip
    """A customer's manual segment changed from ``before`` to ``after`` (segment ids):
    close the old span and open the new one."""
    when = at or utcnow()
    if before is not None:
        close_spans(session, workspace_id, before, [customer_id], when)
    if after is not None:
        session.add(SegmentMembership(workspace_id=workspace_id, segment_id=after,
                                      customer_id=customer_id, valid_from=when))  # fmt: skip
    session.flush()


def close_spans(
    session: Session, workspace_id: int, segment_id: int, customer_ids: list[int] | Any,
    when: datetime,
) -> int:  # fmt: skip
    """End the open spans of these customers (a list or an id SELECT) at ``when`` (never
    before a span began); how many ended."""
    result = session.execute(
        update(SegmentMembership)
        .where(SegmentMembership.workspace_id == workspace_id,
               SegmentMembership.segment_id == segment_id,
               SegmentMembership.valid_to.is_(None),
               SegmentMembership.customer_id.in_(customer_ids))
        .values(valid_to=case((SegmentMembership.valid_from > when,
                               SegmentMembership.valid_from), else_=when))
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return int(getattr(result, "rowcount", 0) or 0)


def refresh_segments(
    session: Session, workspace_id: int, as_of: date | datetime, *, warehouse: Any = None,
    keys: Iterable[str] | None = None, progress: Callable[[Any], None] | None = None,
) -> Any:  # fmt: skip
    """See :func:`kano.adapters.db.segment_refresh.refresh_segments` (a RefreshReport)."""
    from kano.adapters.db.segment_refresh import refresh_segments as refresh

    return refresh(session, workspace_id, as_of, warehouse=warehouse, keys=keys,
                   progress=progress)  # fmt: skip


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
