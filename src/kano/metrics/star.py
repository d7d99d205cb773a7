"""The star schema seen from one workspace: tables, dimension joins, slices and filters.

A metric aggregates a *base* table (usually a fact table). :meth:`Star.frame` turns that
base into the table the aggregation groups: it joins only the dimensions the request
mentions (segment and any customer attribute through ``customer_id``; stage, touchpoint,
channel and owner team through ``touchpoint_id``; team through ``team_id``; survey through
``survey_id``), adds the period key, and applies the date range and the filters. Every
table read is restricted to the workspace first, so no slice can see another tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from kano.domain.shared.errors import InvalidInput
from kano.metrics.expression_ibis import (
    ANY_SEGMENT,
    SEGMENT,
    compile_condition,
    segment_member_column,
    segment_tests,
)
from kano.metrics.expressions import ExpressionError, column_names, parse_expression
from kano.metrics.periods import Grain
from kano.metrics.request import SliceRequest
from kano.metrics.warehouse_errors import WarehouseNotLoaded as WarehouseNotLoaded  # re-exported

# Dimension attributes reachable through each join key, by the name a user slices with.
CUSTOMER_ATTRIBUTES = (
    "segment",
    "customer",
    "kind",
    "region",
    "industry",
    "consent_contact",
    "created_on",
    "wallet_estimate",
)
TOUCHPOINT_ATTRIBUTES = ("touchpoint", "stage", "channel", "team")
TEAM_ATTRIBUTES = ("team", "team_function")
SURVEY_ATTRIBUTES = ("survey",)
# Join key → attributes it reaches. Earlier paths win when two reach the same name
# (a fact's own team before the team owning its touchpoint).
JOIN_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("team_id", TEAM_ATTRIBUTES),
    ("customer_id", CUSTOMER_ATTRIBUTES),
    ("touchpoint_id", TOUCHPOINT_ATTRIBUTES),
    ("survey_id", SURVEY_ATTRIBUTES),
)
ATTRIBUTE_TYPES: dict[str, str] = {
    **{name: "string" for _, names in JOIN_PATHS for name in names},
    "consent_contact": "boolean",
    "created_on": "date",
    "wallet_estimate": "float64",
}
# Fact columns that make no sense as slices (ids and measures) are not offered in errors.
# Time columns are sliced through grains (day … year) instead.
_NOT_SLICES = {
    "workspace_id",
    "amount",
    "margin",
    "value",
    "comment",
    "engagement",
    "competency",
    "training_hours",
    "submitted_at",
    "occurred_at",
    "due_on",
    "paid_on",
    "hired_on",
    "left_on",
    "date",
}


def reachable_attributes(columns: Iterable[str]) -> list[str]:
    """Dimension attributes a table with ``columns`` can join to (not its own columns)."""
    present = set(columns)
    found: list[str] = []
    for key, attributes in JOIN_PATHS:
        if key in present:
            found += [name for name in attributes if name not in present and name not in found]
    return found


def slice_names(columns: Iterable[str]) -> set[str]:
    """Names a table with ``columns`` can be sliced or filtered by (besides grains)."""
    listed = list(columns)
    own = {c for c in listed if not c.endswith("_id") and not c.startswith("_")}
    return (own - _NOT_SLICES) | set(reachable_attributes(listed))


@dataclass(frozen=True)
class Base:
    """What an aggregation groups: a table, its time column, the grains it supports."""

    table: ir.Table
    time_column: str | None
    grains: tuple[Grain, ...] = tuple(Grain)
    apply_range: bool = True


class Star:
    """Access to one workspace's star schema on one Ibis backend."""

    def __init__(self, backend: Any, workspace_id: int) -> None:
        self.backend = backend
        self.workspace_id = int(workspace_id)
        self._tables: dict[str, ir.Table] = {}
        self._segment_keys: dict[int, str] | None = None
        self._spans_loaded: bool | None = None  # does the workspace have membership spans?

    def table(self, name: str) -> ir.Table:
        """The workspace's rows of a warehouse table (without ``workspace_id``).

        Looked up once per star: each lookup asks the engine for the table's schema,
        which costs more than compiling a small query."""
        if name not in self._tables:
            try:
                table = self.backend.table(name)
            except Exception as error:  # each backend raises its own "no such table"
                raise WarehouseNotLoaded(name) from error
            mine = table.filter(table.workspace_id == self.workspace_id)
            self._tables[name] = mine.drop("workspace_id")
        return self._tables[name]

    # --- dimension joins -----------------------------------------------------------------

    def _customer_dimension(self, names: set[str], late: frozenset[str]) -> ir.Table:
        customers = self.table("customers")
        plain = sorted(names - {"segment", "customer"})
        dimension = customers.select(
            *plain,
            _join_customer=customers.customer_id,
            customer=customers.external_id,
        )
        if "segment" in names:
            # One row per segment the customer is in now (any source): a customer in two
            # segments counts in both slices; one in none gets an empty segment.
            members = self.current_members().select(
                _member="customer_id", segment_id="segment_id"
            )
            dimension = dimension.left_join(
                members, dimension._join_customer == members._member
            ).drop("_member")
        if "segment" in names and "segment" in late:
            dimension = dimension.mutate(segment=dimension.segment_id)
        elif "segment" in names:
            segments = self.table("segments").select(_sid="segment_id", segment="key")
            dimension = dimension.left_join(segments, dimension.segment_id == segments._sid).drop(
                "_sid"
            )
        return dimension.select("_join_customer", *sorted(names))

    def current_members(self) -> ir.Table:
        """``segment_id, customer_id`` of every open membership span: who is in which
        segment now (as of the last warehouse load), whatever the segment's source.

        A workspace last loaded before memberships were has no spans until it is loaded
        again (or another workspace's load backfills them, ``kano.adapters.warehouse.
        loader``): it answers with each customer's filed segment, as it used to, both
        when the warehouse has no ``segment_memberships`` table yet and when the table
        holds other workspaces' spans only. (A loaded workspace with no spans at all has
        no filed customer either: a load gives every filed customer an open span.)"""
        if self._spans_loaded is None:
            try:
                spans = self.table("segment_memberships")
                one = self.backend.to_pyarrow(spans.select("customer_id").limit(1))
                self._spans_loaded = one.num_rows > 0
            except WarehouseNotLoaded:
                self._spans_loaded = False
        if not self._spans_loaded:
            # Asked once per star (a one-row query) rather than inside every segment
            # query: a union with a scalar subquery there nested SQLite's parse of a
            # batched catalogue query past its parser stack.
            customers = self.table("customers")
            filed = customers.filter(customers.segment_id.notnull())
            return filed.select("segment_id", "customer_id")
        spans = self.table("segment_memberships")
        return spans.filter(spans.valid_to.isnull()).select("segment_id", "customer_id")

    def members_of(self, keys: Iterable[str]) -> ir.Table:
        """``customer_id`` of the customers in any of the segments ``keys`` now."""
        segments = self.table("segments")
        chosen = segments.filter(segments.key.isin(list(keys))).select(_sid="segment_id")
        members = self.current_members()
        return (
            members.semi_join(chosen, members.segment_id == chosen._sid)
            .select(_member="customer_id")
            .distinct()
        )

    def with_segment_flags(self, table: ir.Table, keys: Iterable[str | None]) -> ir.Table:
        """``table`` (with ``customer_id``) plus, per segment key, how many of the row's
        customer's current memberships are in that segment (:func:`segment_member_column`;
        :data:`ANY_SEGMENT`: in any segment), null for a customer in none. One join with
        one row per member customer: no row of ``table`` is repeated, and the query
        nests one level deeper only (a join per key nested a batched catalogue query
        past SQLite's parser stack)."""
        members = self.current_members()
        segments = self.table("segments").select(_sid="segment_id", _key="key")
        members = members.left_join(segments, members.segment_id == segments._sid)
        counts: dict[str, Any] = {ANY_SEGMENT: members.count()}
        for key in sorted({k for k in keys if k is not None}):
            counts[segment_member_column(key)] = (members._key == key).ifelse(1, 0).sum()
        flags = members.group_by(_member=members.customer_id).aggregate(**counts)
        return table.left_join(flags, table.customer_id == flags._member).drop("_member")

    def _touchpoint_dimension(self, names: set[str]) -> ir.Table:
        touchpoints = self.table("touchpoints").select(
            _join_touchpoint="touchpoint_id",
            touchpoint="key",
            channel="channel",
            _stage_id="stage_id",
            _team_id="owner_team_id",
        )
        if "stage" in names:
            stages = self.table("stages").select(_sid="stage_id", stage="key")
            touchpoints = touchpoints.left_join(stages, touchpoints._stage_id == stages._sid).drop(
                "_sid"
            )
        if "team" in names:
            teams = self.table("teams").select(_tid="team_id", team="key")
            touchpoints = touchpoints.left_join(teams, touchpoints._team_id == teams._tid).drop(
                "_tid"
            )
        return touchpoints.select("_join_touchpoint", *sorted(names))

    def _team_dimension(self, names: set[str]) -> ir.Table:
        teams = self.table("teams")
        dimension = teams.select(_join_team="team_id", team="key", team_function="function")
        return dimension.select("_join_team", *sorted(names))

    def _survey_dimension(self, names: set[str]) -> ir.Table:
        surveys = self.table("surveys")
        return surveys.select(_join_survey=surveys.survey_id, survey=surveys.key)

    def available(self, base: Base) -> list[str]:
        """Slice names this base supports: grains, its columns, reachable attributes."""
        grains = [grain.value for grain in base.grains] if base.time_column else []
        return grains + sorted(slice_names(base.table.columns))

    @staticmethod
    def _paths() -> tuple[tuple[str, tuple[str, ...]], ...]:
        return JOIN_PATHS

    def with_dimensions(
        self, base: ir.Table, names: Iterable[str], late: frozenset[str] = frozenset()
    ) -> ir.Table:
        """``base`` plus the requested dimension attributes it does not carry itself;
        those in ``late`` as ids, named by :meth:`named_records` after aggregation."""
        wanted = {name for name in names if name not in base.columns}
        builders = {
            "team_id": (self._team_dimension, "_join_team"),
            "customer_id": (lambda take: self._customer_dimension(take, late), "_join_customer"),
            "touchpoint_id": (self._touchpoint_dimension, "_join_touchpoint"),
            "survey_id": (self._survey_dimension, "_join_survey"),
        }
        result = base
        for key, attributes in self._paths():
            take = wanted & set(attributes)
            if key not in base.columns or not take:
                continue
            build, join_key = builders[key]
            dimension = build(take)
            result = result.left_join(dimension, result[key] == dimension[join_key]).drop(join_key)
            wanted -= take
        return result

    # --- framing -------------------------------------------------------------------------

    def frame(self, base: Base, request: SliceRequest, expressions: Iterable[str] = ()) -> ir.Table:
        """The base, joined and filtered, with one column per slice of ``request.by``."""
        available = self.available(base)
        grain = request.grain
        for name in request.by:
            if name not in available:
                raise InvalidInput(
                    "by", f"cannot slice by {name!r} here; choose from {', '.join(available)}"
                )
        # A filter on segment keeps the facts of its current members (a semi-join: a
        # customer in several of the chosen segments still counts once); the others test
        # the joined columns. Columns that filters and expressions read, each parsed once.
        member_filters = [values for name, values in request.filters
                          if name == "segment" and "customer_id" in base.table.columns]
        column_filters = [(name, values) for name, values in request.filters
                          if not (name == "segment" and member_filters)]
        named_in_conditions = {name for name, _ in column_filters}
        tested: set[str | None] = set()  # segment keys (None: any) the conditions test
        for text in (*expressions, request.where):
            if text:
                node = parse_expression(text)
                named_in_conditions |= column_names(node)
                tested |= segment_tests(node)
        # Not sliced by segment, a condition on it tests the customer's memberships, one
        # flag column per key, so that no fact is repeated per segment its customer is in
        # (``segment != 'x'`` would keep it once per other segment; ``kano.metrics.
        # expression_ibis``).
        segment_flags = (SEGMENT in named_in_conditions and SEGMENT not in request.dimensions
                         and SEGMENT not in base.table.columns
                         and "customer_id" in base.table.columns)  # fmt: skip
        referenced = set(request.dimensions) | named_in_conditions
        if segment_flags:
            referenced.discard(SEGMENT)
        for name, _ in request.filters:
            if name not in available:
                raise InvalidInput(
                    f"filter {name}", f"not available here; choose from {', '.join(available)}"
                )
        late = frozenset({"segment"} & set(request.dimensions) - named_in_conditions)
        table = self.with_dimensions(base.table, referenced, late)
        if segment_flags:
            table = self.with_segment_flags(table, tested)
        if base.time_column and base.apply_range and request.period:
            table = table.filter(*date_range(table[base.time_column], request.period))
        for values in member_filters:
            members = self.members_of(values)
            table = table.semi_join(members, table.customer_id == members._member)
        for name, values in column_filters:
            column = table[name]
            table = table.filter(column.isin([_coerce(column, name, v) for v in values]))
        if request.where:
            try:
                table = table.filter(compile_condition(request.where, table))
            except ExpressionError as error:
                raise InvalidInput("where", str(error)) from error
        if grain is not None:
            if base.time_column is None or grain not in base.grains:
                raise InvalidInput("by", f"cannot slice by {grain.value} here")
            table = table.mutate(**{grain.value: table[base.time_column].truncate(grain.ibis_unit)})
        return table


    # --- naming after aggregation ------------------------------------------------------

    def named_records(
        self, statistics: ir.Table, records: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """``records`` of ``statistics`` with segment ids replaced by the segments' keys.

        Why ids at all: a slice by segment that no filter or condition reads groups by the
        customer's ``segment_id`` and names the few result rows here, instead of carrying
        the name through the join with every fact and grouping by text (at size L about
        15 % of the CPU of a month × segment query on 10 M orders, DuckDB). A customer
        whose segment is missing from ``segments`` gets no name, as with the join."""
        if "segment" not in statistics.columns or not statistics.segment.type().is_integer():
            return records
        if self._segment_keys is None:
            segments = self.table("segments").select("segment_id", "key")
            rows = self.backend.to_pyarrow(segments).to_pylist()
            self._segment_keys = {row["segment_id"]: row["key"] for row in rows}
        keys = self._segment_keys
        for record in records:
            segment_id = record["segment"]
            record["segment"] = None if segment_id is None else keys.get(segment_id)
        return records


def date_range(column: ir.Value, period: tuple[date, date]) -> list[ir.BooleanValue]:
    """Inclusive date range as ``start <= t < end + 1 day`` (dates or timestamps alike)."""
    start, end = period
    after_end = end + timedelta(days=1)
    if column.type().is_timestamp():
        low: Any = datetime.combine(start, datetime.min.time())
        high: Any = datetime.combine(after_end, datetime.min.time())
    else:
        low, high = start, after_end
    return [column >= ibis.literal(low), column < ibis.literal(high)]


def _coerce(column: ir.Value, name: str, text: str) -> Any:
    """A filter value given as text, as the column's type."""
    kind = column.type()
    try:
        if kind.is_boolean():
            lowered = text.strip().lower()
            if lowered not in {"true", "false", "1", "0", "yes", "no"}:
                raise ValueError(text)
            return lowered in {"true", "1", "yes"}
        if kind.is_integer():
            return int(text)
        if kind.is_floating():
            return float(text)
        if kind.is_date():
            return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(f"filter {name}", f"{text!r} is not a {kind}") from error
    return text

