"""The warehouse contract: which tables exist, their columns and their Arrow types.

One star schema serves every engine. Fact tables hold the four layers (responses,
transactions, payments, process events, pulses); dimensions hold customers, segments,
journey stages, touchpoints, teams, surveys, employees and a per-workspace calendar.
Every table starts with ``workspace_id`` so that one warehouse can hold many tenants and
every query filters on it. Names follow ``docs/data-model.md`` (the generator's Parquet
files), so a generated company loads column for column.

The loader (``kano.adapters.warehouse``) writes exactly these Arrow schemas; the metric
compiler reads the same names. Ids are int64 everywhere: the app database's ids of
facts may outgrow 32 bits, and one integer type keeps joins cheap on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

_ID, _STR, _SMALL = pa.int64(), pa.string(), pa.int16()
_F64, _DATE, _TS, _BOOL = pa.float64(), pa.date32(), pa.timestamp("us"), pa.bool_()


@dataclass(frozen=True)
class WarehouseTable:
    """A warehouse table: its Arrow schema (after ``workspace_id``), its id and its time."""

    name: str
    columns: tuple[tuple[str, pa.DataType], ...]
    id_column: str | None
    time_column: str | None = None
    is_fact: bool = False

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([("workspace_id", _ID), *self.columns])

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def _table(
    name: str,
    id_column: str | None,
    *columns: tuple[str, pa.DataType],
    time: str | None = None,
    fact: bool = False,
) -> WarehouseTable:
    return WarehouseTable(name, tuple(columns), id_column, time, fact)


TEAMS = _table(
    "teams", "team_id", ("team_id", _ID), ("key", _STR), ("name", _STR), ("function", _STR)
)
EMPLOYEES = _table(
    "employees",
    "employee_id",
    ("employee_id", _ID),
    ("team_id", _ID),
    ("external_id", _STR),
    ("name", _STR),
    ("role_title", _STR),
    ("hired_on", _DATE),
    ("left_on", _DATE),
)
STAGES = _table(
    "stages", "stage_id", ("stage_id", _ID), ("key", _STR), ("name", _STR), ("position", _SMALL)
)
TOUCHPOINTS = _table(
    "touchpoints",
    "touchpoint_id",
    ("touchpoint_id", _ID),
    ("key", _STR),
    ("name", _STR),
    ("stage_id", _ID),
    ("channel", _STR),
    ("owner_team_id", _ID),
)
SEGMENTS = _table("segments", "segment_id", ("segment_id", _ID), ("key", _STR), ("name", _STR))
CUSTOMERS = _table(
    "customers",
    "customer_id",
    ("customer_id", _ID),
    ("external_id", _STR),
    ("kind", _STR),
    ("name", _STR),
    ("email", _STR),
    ("segment_id", _ID),
    ("region", _STR),
    ("industry", _STR),
    ("consent_contact", _BOOL),
    ("created_on", _DATE),
    # Estimated monthly spend of the customer in our category (all suppliers), when
    # known: the denominator of share of wallet. Null when nobody estimated it.
    ("wallet_estimate", _F64),
)
SEGMENT_MEMBERSHIPS = _table(
    "segment_memberships",
    None,
    ("segment_id", _ID),
    ("customer_id", _ID),
    ("valid_from", _TS),
    ("valid_to", _TS),
)
"""Who was in which segment when (any source: manual, rule, RFM, value tier, matrix cell):
one row per span, ``valid_to`` null while the customer is still a member. A customer can
be in several segments at once; ``customers.segment_id`` is only the one segment a
customer is filed under (their manual segment). Spans are closed in place when a segment
is refreshed, so the loader replaces a workspace's spans on every load (like the other
dimensions) instead of appending after a high-water mark. A source without spans (a
generator folder) gets one open span per customer in their filed segment, from the day
the customer was created."""

SURVEYS = _table(
    "surveys",
    "survey_id",
    ("survey_id", _ID),
    ("key", _STR),
    ("name", _STR),
    ("touchpoint_id", _ID),
)
RESPONSES = _table(
    "responses",
    "response_id",
    ("response_id", _ID),
    ("survey_id", _ID),
    ("customer_id", _ID),
    ("touchpoint_id", _ID),
    ("channel", _STR),
    ("submitted_at", _TS),
    ("nps", _SMALL),
    ("csat", _SMALL),
    ("ces", _SMALL),
    ("rating", _SMALL),
    ("comment", _STR),
    ("language", _STR),
    ("transaction_id", _ID),
    time="submitted_at",
    fact=True,
)
TRANSACTIONS = _table(
    "transactions",
    "transaction_id",
    ("transaction_id", _ID),
    ("customer_id", _ID),
    ("occurred_at", _TS),
    ("amount", _F64),
    ("margin", _F64),
    ("product", _STR),
    ("channel", _STR),
    ("team_id", _ID),
    time="occurred_at",
    fact=True,
)
PAYMENTS = _table(
    "payments",
    "payment_id",
    ("payment_id", _ID),
    ("transaction_id", _ID),
    ("customer_id", _ID),
    ("amount", _F64),
    ("due_on", _DATE),
    ("paid_on", _DATE),
    time="due_on",
    fact=True,
)
PROCESS_EVENTS = _table(
    "process_events",
    "event_id",
    ("event_id", _ID),
    ("touchpoint_id", _ID),
    ("team_id", _ID),
    ("customer_id", _ID),
    ("transaction_id", _ID),
    ("process", _STR),
    ("measure", _STR),
    ("value", _F64),
    ("occurred_at", _TS),
    time="occurred_at",
    fact=True,
)
PULSES = _table(
    "pulses",
    "pulse_id",
    ("pulse_id", _ID),
    ("employee_id", _ID),
    ("team_id", _ID),
    ("submitted_at", _TS),
    ("enps", _SMALL),
    ("engagement", _F64),
    ("competency", _F64),
    ("training_hours", _F64),
    time="submitted_at",
    fact=True,
)
CALENDAR = _table("calendar", None, ("date", _DATE), time="date")
"""One row per day from the first to the last day with data in the workspace: the list of
periods that exist even where no fact does (turnover needs every month's headcount)."""

CUSTOMER_MONTHS = _table(
    "customer_months",
    None,
    ("customer_id", _ID),
    ("month_index", _ID),
    ("month_start", _TS),
    ("revenue", _F64),
    ("margin", _F64),
    ("paying_months", _ID),
    ("months_since_first", _ID),
    ("first_order_at", _TS),
    ("orders", _ID),
    ("last_order_at", _TS),
    ("repeat_purchase", _ID),
    time="month_start",
)
"""A rollup the loader derives from the transactions (``kano.adapters.warehouse.rollups``):
one row per customer and calendar month with a purchase (``month_index`` = year · 12 +
month − 1, ``month_start`` its first instant), the month's revenue and margin, and
``paying_months``, how many months with a purchase the customer has had up to this one,
and ``months_since_first``, calendar months since the customer's first purchase month
(0 in that month), ``first_order_at`` and ``last_order_at``, the month's earliest and
latest order, ``orders``, how many there were, and ``repeat_purchase``, 1 when the month
holds a purchase later than the customer's first ever (else 0). LT, LTV, share of wallet, the cohort
metrics and the repurchase rate start from it, and the per-customer metrics (orders per
customer, ARPU, active customers, the profit formula) read it instead of every order when
a question slices only by months and customer attributes."""

COMMENT_INSIGHTS = _table(
    "comment_insights",
    "response_id",
    ("response_id", _ID),
    ("comment", _STR),
    ("language", _STR),
    ("label", _SMALL),
    ("p_positive", _F64),
    ("sentiment", _STR),
    ("themes", _STR),
    ("topic", _ID),
)
"""Each commented response as the text analysis read it (``kano.analytics.text.stored_
results``): the comment it read (a response whose comment differs, or is new, is not
analysed yet), the detected language, the label its score gives (-1 none, 0 negative,
1 positive), the model's ``p_positive`` (null without a model) and sentiment, the taxonomy
themes as ``|key|key|`` ('' for none) and the discovered topic (-1 none). Written by the
worker after a warehouse load and by ``kano text analyze``, never by the loader."""

TEXT_ANALYSES = _table(
    "text_analyses",
    None,
    ("analysed_at", _TS),
    ("comments", _ID),
    ("method_version", _STR),
    ("taxonomy_version", _STR),
    ("model_version", _STR),
    ("model", _STR),
    ("topics", _STR),
)
"""One row per workspace: when its comments were analysed, how many, the versions the
results depend on (the analysis code, the taxonomy, the sentiment model's training
data), the model's figures and the discovered topics (JSON)."""

TEXT_TABLES: tuple[WarehouseTable, ...] = (COMMENT_INSIGHTS, TEXT_ANALYSES)
"""Tables the text analysis writes (not in ``TABLES``: the loader neither reads nor
replaces them)."""

FEW_VALUED_COLUMNS: frozenset[str] = frozenset(
    {
        # fact columns naming one of a few kinds
        "process",
        "measure",
        "channel",
        "language",
        "product",
        # dimension attributes a fact is sliced by (``kano.metrics.star``)
        "segment",
        "stage",
        "touchpoint",
        "team",
        "team_function",
        "survey",
        "kind",
        "region",
        "industry",
        "consent_contact",
    }
)
"""Columns with few distinct values next to the rows of a fact table (no ids, amounts,
times or free text): grouping by them first and testing conditions on the groups counts
the same rows for less work (``aggregations.simple.histogram_statistics``)."""

# In load order: dimensions before the facts that refer to them; derived tables last.
TABLES: tuple[WarehouseTable, ...] = (
    TEAMS,
    EMPLOYEES,
    STAGES,
    TOUCHPOINTS,
    SEGMENTS,
    CUSTOMERS,
    SEGMENT_MEMBERSHIPS,
    SURVEYS,
    TRANSACTIONS,
    PAYMENTS,
    RESPONSES,
    PROCESS_EVENTS,
    PULSES,
    CALENDAR,
    CUSTOMER_MONTHS,
)
DERIVED_TABLES: tuple[WarehouseTable, ...] = (CALENDAR, CUSTOMER_MONTHS)
"""Tables the loader computes rather than reads from a source."""
TABLES_BY_NAME: dict[str, WarehouseTable] = {table.name: table for table in TABLES}
FACT_TABLES: tuple[WarehouseTable, ...] = tuple(table for table in TABLES if table.is_fact)


def warehouse_table(name: str) -> WarehouseTable:
    return TABLES_BY_NAME[name]
