"""A segment rule (:mod:`kano.domain.customers.segments`) as one SQL query of customer ids.

The behaviour facts are :mod:`kano.adapters.db.customer_facts` as of ``as_of`` — the one
definition of "the 12 months to as_of" the customer list shows too: the stored table
(what the segment refresh stored, which a rule's preview and a segment just saved read as
of its moment: :func:`kano.adapters.db.segment_refresh.rule_facts`), else the same grouped
query on the fly.
``days_since_last_order`` is compared as a moment (``last order <= as_of − N
days``), so the same query runs on SQLite and PostgreSQL without date arithmetic in SQL.
Whole days: a customer who ordered 36 hours ago has 1 day since the last order.

Missing values (no region, an attribute not set, no order ever) match ``ne``, ``not_in``
and ``exists`` false, and nothing else — "not in north" includes the unknown.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, false, func, not_, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from kano.adapters.db.customer_facts import facts_query
from kano.adapters.db.orm import Customer, Segment
from kano.domain.customers.segments import Condition, Rule

DAY = timedelta(days=1)


class RuleCompiler:
    """Compiles conditions against ``customers`` joined to its facts and manual segment."""

    def __init__(self, workspace_id: int, as_of: datetime, dialect: str,
                 facts: Any = None) -> None:  # fmt: skip
        """``facts``: the facts as of ``as_of`` already stored
        (:func:`~kano.adapters.db.customer_facts.stored_facts`); None computes them."""
        self.workspace_id = workspace_id
        self.as_of = as_of
        self.dialect = dialect
        self.facts = (facts if facts is not None
                      else facts_query(workspace_id, as_of).subquery("facts"))
        self.segment = aliased(Segment, name="business_segment")

    def customer_ids(self, rule: Rule) -> Select[Any]:
        """``SELECT customers.id`` of the workspace's customers that match ``rule``."""
        query = select(Customer.id).where(Customer.workspace_id == self.workspace_id)
        fields = rule.fields()
        if fields & {"revenue_12m", "margin_12m", "orders_12m", "days_since_last_order"}:
            query = query.outerjoin(self.facts, self.facts.c.customer_id == Customer.id)
        if "segment" in fields:
            query = query.outerjoin(
                self.segment,
                and_(self.segment.id == Customer.segment_id,
                     self.segment.workspace_id == self.workspace_id),
            )  # fmt: skip
        return query.where(self.rule(rule))

    def rule(self, rule: Rule) -> ColumnElement[bool]:
        parts = [self.rule(p) if isinstance(p, Rule) else self.condition(p) for p in rule.parts]
        return and_(*parts) if rule.match == "all" else or_(*parts)

    def condition(self, c: Condition) -> ColumnElement[bool]:
        if c.field == "days_since_last_order":
            return self._days(c)
        column = self._column(c)
        if c.op == "exists":
            return column.is_not(None) if c.value else column.is_(None)
        if c.op == "eq":
            return column == c.value
        if c.op == "ne":
            return or_(column.is_(None), column != c.value)
        if c.op == "in":
            return column.in_(c.value)
        if c.op == "not_in":
            return or_(column.is_(None), column.not_in(c.value))
        if c.op == "gte":
            return column >= c.value
        if c.op == "lte":
            return column <= c.value
        if c.op == "between":
            return column.between(*c.value)
        if c.op == "contains":
            escaped = c.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return column.ilike(f"%{escaped}%", escape="\\")
        raise AssertionError(c.op)  # the domain checked the operator

    def _column(self, c: Condition) -> Any:
        if c.field in ("kind", "region", "industry"):
            return getattr(Customer, c.field)
        if c.field == "segment":
            return self.segment.key
        if c.field in ("revenue_12m", "margin_12m", "orders_12m"):
            return func.coalesce(self.facts.c[c.field], 0)
        name = c.field.partition(".")[2]
        return self._attribute(name, "any" if c.op == "exists" else _value_kind(c))

    def _attribute(self, name: str, kind: str) -> Any:
        """The attribute as text, number or boolean; NULL where it has another JSON type
        (so a cast never fails on PostgreSQL)."""
        if self.dialect == "sqlite":
            path = '$."' + name.replace('"', "") + '"'
            value = func.json_extract(Customer.attributes, path)
            json_type = func.json_type(Customer.attributes, path)
            if kind == "any":
                return case((json_type != "null", json_type), else_=None)
            types = {"text": ("text",), "number": ("integer", "real"),
                     "bool": ("true", "false")}[kind]  # fmt: skip
            return case((json_type.in_(types), value), else_=None)
        element = Customer.attributes[name]
        json_type = func.json_typeof(element)
        if kind == "any":
            return case((json_type != "null", json_type), else_=None)
        if kind == "text":
            return case((json_type == "string", element.as_string()), else_=None)
        if kind == "number":
            return case((json_type == "number", element.as_float()), else_=None)
        return case((json_type == "boolean", element.as_boolean()), else_=None)

    def _days(self, c: Condition) -> ColumnElement[bool]:
        last = self.facts.c.last_order_at
        if c.op == "exists":
            return last.is_not(None) if c.value else last.is_(None)
        values = c.value if isinstance(c.value, tuple) else (c.value,)
        if c.op in ("eq", "in"):
            return or_(*(self._days_range(last, v, v) for v in values))
        if c.op in ("ne", "not_in"):
            return or_(last.is_(None), not_(or_(*(self._days_range(last, v, v) for v in values))))
        if c.op == "gte":
            return self._days_range(last, c.value, None)
        if c.op == "lte":
            return self._days_range(last, None, c.value)
        if c.op == "between":
            return self._days_range(last, *c.value)
        return false()  # contains was refused by the domain for numbers

    def _days_range(self, last: Any, low: float | None, high: float | None) -> Any:
        """Whole days since ``last`` in [low, high]: ⌊(as_of − last) / day⌋ ≥ low ⇔
        last ≤ as_of − ⌈low⌉ days; ≤ high ⇔ last > as_of − (⌊high⌋ + 1) days."""
        parts: list[Any] = [last.is_not(None)]
        if low is not None:
            parts.append(last <= self.as_of - math.ceil(low) * DAY)
        if high is not None:
            if high < 0:
                return false()
            parts.append(last > self.as_of - (math.floor(high) + 1) * DAY)
        return and_(*parts) if len(parts) > 1 else parts[0]


def _value_kind(c: Condition) -> str:
    """How an attribute is compared: as a number, a boolean or text, by the rule's value."""
    if c.op in ("gte", "lte", "between"):
        return "number"
    sample = c.value[0] if isinstance(c.value, tuple) else c.value
    if isinstance(sample, bool):
        return "bool"
    if isinstance(sample, int | float):
        return "number"
    return "text"
