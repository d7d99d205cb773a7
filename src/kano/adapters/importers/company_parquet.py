"""Load a generated company (Parquet, docs/data-model.md) into one workspace.

The whole load is one transaction: a crash or a bad file leaves the workspace as it was.
Loading into a workspace that already holds data replaces that data (``kano demo`` uses
this to refresh the demo), keeping the workspace, its members and its API tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.accounts import audit, ensure_workspace
from kano.adapters.db.engine import transaction
from kano.adapters.db.loop_closing import PURPOSE as LOOP_CLOSED
from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    Employee,
    FeedbackResponse,
    JourneyRow,
    JourneyStage,
    OutboxMessageRow,
    Payment,
    ProcessEvent,
    PulseResponse,
    Segment,
    Survey,
    Team,
    Touchpoint,
    Transaction,
)
from kano.adapters.db.survey_store import seed_demo_definitions
from kano.domain.shared.errors import InvalidInput

BATCH_ROWS = 20_000
ProgressCallback = Callable[[str, int], None]

# Business tables of a workspace, children first (the order deletes must run in). Cases
# go with the responses that opened them (their events cascade): left behind they would
# sit in the inbox with neither response nor customer.
WORKSPACE_DATA_TABLES = (
    CaseRow,
    FeedbackResponse,
    Payment,
    ProcessEvent,
    PulseResponse,
    Transaction,
    Survey,
    Customer,
    Segment,
    Touchpoint,
    JourneyRow,  # seeded over the stages on first view: they go with them (journey_store)
    JourneyStage,
    Employee,
    Team,
)


@dataclass
class LoadReport:
    workspace_slug: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def read_table(data_dir: Path, name: str) -> pa.Table:
    """One generator table, whether written as ``name.parquet`` or a folder of parts."""
    for candidate in (data_dir / f"{name}.parquet", data_dir / name):
        if candidate.exists():
            return ds.dataset(str(candidate), format="parquet").to_table()
    raise InvalidInput(name, f"no {name}.parquet (or folder {name}/) in {data_dir}")


class _IdMap:
    """Maps the generator's integer ids to the database ids assigned on insert."""

    def __init__(self, source_ids: np.ndarray, db_ids: np.ndarray) -> None:
        order = np.argsort(source_ids, kind="stable")
        self._source = source_ids[order]
        self._db = db_ids[order]

    def __call__(self, values: pa.Array | pa.ChunkedArray) -> list[int | None]:
        mask = np.asarray(values.is_null())
        raw = np.asarray(values.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
        positions = np.clip(np.searchsorted(self._source, raw), 0, max(len(self._source) - 1, 0))
        found = (self._source[positions] == raw) if len(self._source) else np.zeros_like(mask)
        if not np.all(found | mask):
            missing = raw[~(found | mask)][:5].tolist()
            raise InvalidInput("id", f"references unknown ids {missing}")
        mapped = self._db[positions].astype(object)
        mapped[mask] = None
        return mapped.tolist()


class CompanyLoader:
    def __init__(
        self,
        session: Session,
        workspace_id: int,
        data_dir: Path,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.data_dir = data_dir
        self.on_progress = on_progress or (lambda _table, _rows: None)
        self.report_rows: dict[str, int] = {}

    def _insert(self, orm: type, name: str, columns: dict[str, list[Any]]) -> None:
        """Batched executemany of column lists, tagging each row with the workspace."""
        table = orm.__table__  # type: ignore[attr-defined]
        keys = list(columns)
        count = len(next(iter(columns.values()))) if columns else 0
        for start in range(0, count, BATCH_ROWS):
            stop = min(start + BATCH_ROWS, count)
            rows = [
                {"workspace_id": self.workspace_id, **{k: columns[k][i] for k in keys}}
                for i in range(start, stop)
            ]
            self.session.execute(insert(table), rows)
            self.on_progress(name, stop - start)
        self.report_rows[name] = count

    def _db_ids(self, orm: Any) -> np.ndarray:
        """Ids of this workspace's rows in insert order (the workspace was empty before)."""
        ids = self.session.scalars(
            select(orm.id).where(orm.workspace_id == self.workspace_id).order_by(orm.id)
        ).all()
        return np.asarray(ids, dtype=np.int64)

    def _load_keyed(
        self, orm: Any, name: str, id_column: str, build: Callable[[pa.Table], dict[str, list[Any]]]
    ) -> _IdMap:
        table = read_table(self.data_dir, name).sort_by(id_column)
        self._insert(orm, name, build(table))
        source = np.asarray(table[id_column].to_numpy(), dtype=np.int64)
        return _IdMap(source, self._db_ids(orm))

    def load(self) -> None:
        col = _column_lists
        teams = self._load_keyed(
            Team, "teams", "team_id", lambda t: col(t, "key", "name", "function")
        )
        self._load_keyed(
            Employee,
            "employees",
            "employee_id",
            lambda t: {
                **col(t, "external_id", "name", "role_title", "hired_on", "left_on"),
                "team_id": teams(t["team_id"]),
            },
        )
        stages = self._load_keyed(
            JourneyStage, "stages", "stage_id", lambda t: col(t, "key", "name", "position")
        )
        touchpoints = self._load_keyed(
            Touchpoint,
            "touchpoints",
            "touchpoint_id",
            lambda t: {
                **col(t, "key", "name", "channel"),
                "stage_id": stages(t["stage_id"]),
                "owner_team_id": teams(t["owner_team_id"]),
            },
        )
        segments = self._load_keyed(
            Segment, "segments", "segment_id", lambda t: col(t, "key", "name")
        )
        customers = self._load_keyed(
            Customer,
            "customers",
            "customer_id",
            lambda t: {
                **col(
                    t,
                    "external_id",
                    "kind",
                    "name",
                    "email",
                    "region",
                    "industry",
                    "consent_contact",
                    "created_on",
                ),
                "segment_id": segments(t["segment_id"]),
            },
        )
        surveys = self._load_keyed(
            Survey,
            "surveys",
            "survey_id",
            lambda t: {**col(t, "key", "name"), "touchpoint_id": touchpoints(t["touchpoint_id"])},
        )
        transactions = self._load_keyed(
            Transaction,
            "transactions",
            "transaction_id",
            lambda t: {
                **col(t, "occurred_at", "amount", "margin", "product", "channel"),
                "customer_id": customers(t["customer_id"]),
                "team_id": teams(t["team_id"]),
            },
        )
        self._load_keyed(
            Payment,
            "payments",
            "payment_id",
            lambda t: {
                **col(t, "amount", "due_on", "paid_on"),
                "transaction_id": transactions(t["transaction_id"]),
                "customer_id": customers(t["customer_id"]),
            },
        )
        self._load_keyed(
            FeedbackResponse,
            "responses",
            "response_id",
            lambda t: {
                **col(
                    t,
                    "channel",
                    "submitted_at",
                    "nps",
                    "csat",
                    "ces",
                    "rating",
                    "comment",
                    "language",
                ),
                "survey_id": surveys(t["survey_id"]),
                "customer_id": customers(t["customer_id"]),
                "touchpoint_id": touchpoints(t["touchpoint_id"]),
                "transaction_id": transactions(t["transaction_id"]),
            },
        )
        self._load_keyed(
            ProcessEvent,
            "process_events",
            "event_id",
            lambda t: {
                **col(t, "process", "measure", "value", "occurred_at"),
                "touchpoint_id": touchpoints(t["touchpoint_id"]),
                "team_id": teams(t["team_id"]),
                "customer_id": customers(t["customer_id"]),
                "transaction_id": transactions(t["transaction_id"]),
            },
        )
        self._load_keyed(
            PulseResponse,
            "pulses",
            "pulse_id",
            lambda t: {
                **col(t, "submitted_at", "enps", "engagement", "competency", "training_hours"),
                "team_id": teams(t["team_id"]),
            },
        )


def _column_lists(table: pa.Table, *names: str) -> dict[str, list[Any]]:
    missing = [name for name in names if name not in table.column_names]
    if missing:
        raise InvalidInput(", ".join(missing), "column missing from the generated file")
    return {name: table[name].to_pylist() for name in names}


# Outbox messages about a response: its acknowledgement and the closing of its case's loop.
RESPONSE_MESSAGE_PURPOSES = ("acknowledgement", LOOP_CLOSED)


def clear_workspace_data(session: Session, workspace_id: int) -> None:
    """Delete the workspace's business data, its cases and the messages about its
    responses (the caller's transaction). The messages go first: deleting a response only
    clears their ``response_id``, after which they could no longer be told apart."""
    session.execute(
        delete(OutboxMessageRow).where(
            OutboxMessageRow.workspace_id == workspace_id,
            OutboxMessageRow.response_id.is_not(None),
            OutboxMessageRow.purpose.in_(RESPONSE_MESSAGE_PURPOSES),
        )
    )
    for orm in WORKSPACE_DATA_TABLES:
        session.execute(delete(orm).where(orm.workspace_id == workspace_id))  # type: ignore[attr-defined]


def load_company(
    sessions: sessionmaker[Session],
    data_dir: Path,
    workspace_slug: str,
    workspace_name: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> LoadReport:
    """Replace the workspace's business data with the generated company, atomically."""
    with transaction(sessions) as session:
        workspace = ensure_workspace(session, workspace_slug, workspace_name)
        clear_workspace_data(session, workspace.id)
        loader = CompanyLoader(session, workspace.id, data_dir, on_progress)
        loader.load()
        seed_demo_definitions(session, workspace.id)  # the demo surveys' questions
        audit(
            session,
            workspace.id,
            "cli",
            "load",
            "company",
            None,
            {"from": str(data_dir), "rows": loader.report_rows},
        )
        return LoadReport(workspace_slug, dict(loader.report_rows))


COMPANY_TABLES = (
    "teams",
    "employees",
    "stages",
    "touchpoints",
    "segments",
    "customers",
    "surveys",
    "transactions",
    "payments",
    "responses",
    "process_events",
    "pulses",
)


def count_company_rows(data_dir: Path) -> int:
    """Rows a load will insert (read from Parquet metadata), for a progress bar's total."""
    total = 0
    for name in COMPANY_TABLES:
        for candidate in (data_dir / f"{name}.parquet", data_dir / name):
            if candidate.exists():
                total += ds.dataset(str(candidate), format="parquet").count_rows()
                break
    return total
