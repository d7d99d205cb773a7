"""Where the loader reads from: the app database, or a folder of generator Parquet files.

Both yield Arrow tables already in the warehouse schema (``workspace_id`` first), in
batches ordered by id, so the loader can stream any size and remember the highest id
it has seen per table (the incremental high-water mark).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from sqlalchemy import Engine, Select, and_, func, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from kano.adapters.db.orm import (
    Customer,
    Employee,
    FeedbackResponse,
    JourneyStage,
    Payment,
    ProcessEvent,
    PulseResponse,
    Segment,
    SegmentMembership,
    Survey,
    Team,
    Touchpoint,
    Transaction,
)
from kano.domain.shared.errors import InvalidInput
from kano.metrics.warehouse_schema import CUSTOMERS, SEGMENT_MEMBERSHIPS, WarehouseTable

BATCH_ROWS = 50_000


class Source(ABC):
    identity: str

    @abstractmethod
    def count(
        self,
        table: WarehouseTable,
        workspace_id: int,
        after: int | None = None,
        up_to: int | None = None,
    ) -> int:
        """Rows of ``table`` with ``after < id <= up_to`` (either bound optional)."""

    @abstractmethod
    def batches(
        self, table: WarehouseTable, workspace_id: int, after: int | None
    ) -> Iterator[pa.Table]:
        """Rows with id > ``after`` (all when None), in id order, in the warehouse schema."""


# Warehouse column → app-database column, per warehouse table.
_APP_COLUMNS: dict[str, tuple[Any, dict[str, Any]]] = {
    "teams": (
        Team,
        {"team_id": Team.id, "key": Team.key, "name": Team.name, "function": Team.function},
    ),
    "employees": (
        Employee,
        {
            "employee_id": Employee.id,
            "team_id": Employee.team_id,
            "external_id": Employee.external_id,
            "name": Employee.name,
            "role_title": Employee.role_title,
            "hired_on": Employee.hired_on,
            "left_on": Employee.left_on,
        },
    ),
    "stages": (
        JourneyStage,
        {
            "stage_id": JourneyStage.id,
            "key": JourneyStage.key,
            "name": JourneyStage.name,
            "position": JourneyStage.position,
        },
    ),
    "touchpoints": (
        Touchpoint,
        {
            "touchpoint_id": Touchpoint.id,
            "key": Touchpoint.key,
            "name": Touchpoint.name,
            "stage_id": Touchpoint.stage_id,
            "channel": Touchpoint.channel,
            "owner_team_id": Touchpoint.owner_team_id,
        },
    ),
    "segments": (Segment, {"segment_id": Segment.id, "key": Segment.key, "name": Segment.name}),
    "customers": (
        Customer,
        {
            "customer_id": Customer.id,
            "external_id": Customer.external_id,
            "kind": Customer.kind,
            "name": Customer.name,
            "email": Customer.email,
            "segment_id": Customer.segment_id,
            "region": Customer.region,
            "industry": Customer.industry,
            "consent_contact": Customer.consent_contact,
            "created_on": Customer.created_on,
            "wallet_estimate": Customer.attributes,
        },
    ),
    "surveys": (
        Survey,
        {
            "survey_id": Survey.id,
            "key": Survey.key,
            "name": Survey.name,
            "touchpoint_id": Survey.touchpoint_id,
        },
    ),
    "responses": (
        FeedbackResponse,
        {
            "response_id": FeedbackResponse.id,
            "survey_id": FeedbackResponse.survey_id,
            "customer_id": FeedbackResponse.customer_id,
            "touchpoint_id": FeedbackResponse.touchpoint_id,
            "channel": FeedbackResponse.channel,
            "submitted_at": FeedbackResponse.submitted_at,
            "nps": FeedbackResponse.nps,
            "csat": FeedbackResponse.csat,
            "ces": FeedbackResponse.ces,
            "rating": FeedbackResponse.rating,
            "comment": FeedbackResponse.comment,
            "language": FeedbackResponse.language,
            "transaction_id": FeedbackResponse.transaction_id,
        },
    ),
    "transactions": (
        Transaction,
        {
            "transaction_id": Transaction.id,
            "customer_id": Transaction.customer_id,
            "occurred_at": Transaction.occurred_at,
            "amount": Transaction.amount,
            "margin": Transaction.margin,
            "product": Transaction.product,
            "channel": Transaction.channel,
            "team_id": Transaction.team_id,
        },
    ),
    "payments": (
        Payment,
        {
            "payment_id": Payment.id,
            "transaction_id": Payment.transaction_id,
            "customer_id": Payment.customer_id,
            "amount": Payment.amount,
            "due_on": Payment.due_on,
            "paid_on": Payment.paid_on,
        },
    ),
    "process_events": (
        ProcessEvent,
        {
            "event_id": ProcessEvent.id,
            "touchpoint_id": ProcessEvent.touchpoint_id,
            "team_id": ProcessEvent.team_id,
            "customer_id": ProcessEvent.customer_id,
            "transaction_id": ProcessEvent.transaction_id,
            "process": ProcessEvent.process,
            "measure": ProcessEvent.measure,
            "value": ProcessEvent.value,
            "occurred_at": ProcessEvent.occurred_at,
        },
    ),
    "pulses": (
        PulseResponse,
        {
            "pulse_id": PulseResponse.id,
            "employee_id": PulseResponse.employee_id,
            "team_id": PulseResponse.team_id,
            "submitted_at": PulseResponse.submitted_at,
            "enps": PulseResponse.enps,
            "engagement": PulseResponse.engagement,
            "competency": PulseResponse.competency,
            "training_hours": PulseResponse.training_hours,
        },
    ),
}


def _wallet_estimate(attributes: Any) -> float | None:
    """The customer attribute ``wallet_estimate`` (monthly category spend), if numeric."""
    if not isinstance(attributes, dict):
        return None
    value = attributes.get("wallet_estimate")
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def membership_spans(workspace_id: int) -> Select[Any]:
    """The workspace's membership spans as the warehouse holds them: every stored span,
    plus an open span for each customer filed under a segment (``customers.segment_id``)
    who has no open span there — a manual segment follows the customer's own segment
    even where a customer was written without its span (an import, an older copy)."""
    spans = select(
        SegmentMembership.segment_id.label("segment_id"),
        SegmentMembership.customer_id.label("customer_id"),
        SegmentMembership.valid_from.label("valid_from"),
        SegmentMembership.valid_to.label("valid_to"),
    ).where(SegmentMembership.workspace_id == workspace_id)
    open_span = (
        select(SegmentMembership.id)
        .where(SegmentMembership.workspace_id == workspace_id,
               SegmentMembership.customer_id == Customer.id,
               SegmentMembership.segment_id == Customer.segment_id,
               SegmentMembership.valid_to.is_(None))
        .exists()
    )  # fmt: skip
    filed = select(
        Customer.segment_id.label("segment_id"),
        Customer.id.label("customer_id"),
        Customer.created_at.label("valid_from"),
        literal(None, SegmentMembership.valid_to.type).label("valid_to"),
    ).where(and_(Customer.workspace_id == workspace_id, Customer.segment_id.is_not(None),
                 ~open_span))  # fmt: skip
    return union_all(spans, filed).subquery().select()


class AppDatabaseSource(Source):
    """The app database (SQLite or PostgreSQL) read with SQLAlchemy, streamed in batches."""

    identity = "app-database"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _id_filter(
        self, orm: Any, workspace_id: int, after: int | None, up_to: int | None
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [orm.workspace_id == workspace_id]
        if after is not None:
            conditions.append(orm.id > after)
        if up_to is not None:
            conditions.append(orm.id <= up_to)
        return conditions

    def count(
        self,
        table: WarehouseTable,
        workspace_id: int,
        after: int | None = None,
        up_to: int | None = None,
    ) -> int:
        if table.name == SEGMENT_MEMBERSHIPS.name:  # replaced on every load: no id bounds
            spans = membership_spans(workspace_id).subquery()
            with self.engine.connect() as connection:
                return int(connection.execute(
                    select(func.count()).select_from(spans)).scalar_one())  # fmt: skip
        orm, _ = _APP_COLUMNS[table.name]
        query = (
            select(func.count())
            .select_from(orm)
            .where(*self._id_filter(orm, workspace_id, after, up_to))
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def batches(
        self, table: WarehouseTable, workspace_id: int, after: int | None
    ) -> Iterator[pa.Table]:
        query: Any
        if table.name == SEGMENT_MEMBERSHIPS.name:
            spans = membership_spans(workspace_id).subquery()
            query = select(spans).order_by(spans.c.customer_id, spans.c.segment_id,
                                           spans.c.valid_from)  # fmt: skip
        else:
            orm, columns = _APP_COLUMNS[table.name]
            query = (
                select(*(column.label(name) for name, column in columns.items()))
                .where(*self._id_filter(orm, workspace_id, after, None))
                .order_by(orm.id)
            )
        schema = table.schema
        with self.engine.connect().execution_options(
            stream_results=True, yield_per=BATCH_ROWS
        ) as connection:
            for partition in connection.execute(query).partitions():
                values = list(zip(*partition, strict=True))
                arrays = {"workspace_id": pa.array([workspace_id] * len(partition), pa.int64())}
                for (name, kind), column in zip(table.columns, values, strict=True):
                    if name == "wallet_estimate":
                        column = tuple(_wallet_estimate(v) for v in column)
                    arrays[name] = pa.array(column, kind)
                yield pa.table(arrays, schema=schema)


class ParquetSource(Source):
    """A folder written by ``kano generate`` (``TABLE.parquet`` or ``TABLE/`` parts).

    Its identity includes a hash of ``ground_truth.yaml`` (seed and size), so loading
    a regenerated folder replaces the data instead of appending to the old company.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        truth = self.folder / "ground_truth.yaml"
        digest = hashlib.sha1(truth.read_bytes()).hexdigest()[:12] if truth.exists() else "-"
        self.identity = f"parquet:{self.folder}:{digest}"

    def _dataset(self, table: WarehouseTable) -> ds.Dataset:
        for candidate in (self.folder / f"{table.name}.parquet", self.folder / table.name):
            if candidate.exists():
                return ds.dataset(str(candidate), format="parquet")
        raise InvalidInput(table.name, f"no {table.name}.parquet in {self.folder}")

    def _memberships(self) -> pa.Table | None:
        """A folder without ``segment_memberships``: each customer's filed segment as an
        open span from the day the customer was created (None when the folder has them)."""
        if any((self.folder / name).exists()
               for name in ("segment_memberships.parquet", "segment_memberships")):  # fmt: skip
            return None
        customers = self._dataset(CUSTOMERS).to_table(columns=["customer_id", "segment_id",
                                                               "created_on"])  # fmt: skip
        filed = customers.filter(pc.is_valid(customers["segment_id"]))
        created = filed["created_on"].cast(pa.timestamp("us"))
        return pa.table({
            "segment_id": filed["segment_id"].cast(pa.int64()),
            "customer_id": filed["customer_id"].cast(pa.int64()),
            "valid_from": created,
            "valid_to": pa.nulls(filed.num_rows, pa.timestamp("us")),
        }).sort_by([("customer_id", "ascending"), ("segment_id", "ascending")])  # fmt: skip

    @staticmethod
    def _filter(table: WarehouseTable, after: int | None, up_to: int | None) -> Any:
        if table.id_column is None:
            return None
        field = pc.field(table.id_column)
        condition = None
        if after is not None:
            condition = field > after
        if up_to is not None:
            condition = (field <= up_to) if condition is None else condition & (field <= up_to)
        return condition

    def count(
        self,
        table: WarehouseTable,
        workspace_id: int,
        after: int | None = None,
        up_to: int | None = None,
    ) -> int:
        if table.name == SEGMENT_MEMBERSHIPS.name:
            derived = self._memberships()
            if derived is not None:
                return derived.num_rows
        return int(self._dataset(table).count_rows(filter=self._filter(table, after, up_to)))

    def batches(
        self, table: WarehouseTable, workspace_id: int, after: int | None
    ) -> Iterator[pa.Table]:
        if table.name == SEGMENT_MEMBERSHIPS.name:
            derived = self._memberships()
            if derived is not None:
                if derived.num_rows:
                    workspace = pa.array([workspace_id] * derived.num_rows, pa.int64())
                    yield derived.add_column(0, "workspace_id", workspace).cast(table.schema)
                return
        dataset = self._dataset(table)
        present = set(dataset.schema.names)
        scanner = dataset.to_batches(filter=self._filter(table, after, None), batch_size=BATCH_ROWS)
        for batch in scanner:
            if not batch.num_rows:
                continue
            arrays = {"workspace_id": pa.array([workspace_id] * batch.num_rows, pa.int64())}
            for name, kind in table.columns:
                if name in present:
                    arrays[name] = batch.column(name).cast(kind)
                else:
                    arrays[name] = pa.nulls(batch.num_rows, kind)
            yield pa.table(arrays, schema=table.schema)
