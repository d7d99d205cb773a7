"""Arrow schemas of the demo tables: the executable form of ``docs/data-model.md``.

Columns whose values come from a small vocabulary (channel, product ...) are *written* as
Arrow dictionary arrays, which Parquet stores as dictionary pages without ever
materialising the strings. Columns with a large vocabulary (names, comment texts) are
materialised with ``take`` first: pyarrow 26 writes non-reproducible bytes for dictionary
arrays with large dictionaries (seen with ~2,000 comment texts), and reproducible files
are part of the contract. The files do not embed the Arrow schema, so every reader sees
plain ``string`` columns: the types in :data:`TABLES` below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool = False
    vocabulary: bool = False
    """Fed to the writer as dictionary<int32, string>; read back as string."""
    dictionary_pages: bool = False
    """Parquet dictionary encoding (few distinct values)."""


def _c(
    name: str,
    kind: pa.DataType,
    *,
    null: bool = False,
    vocab: bool = False,
    repeats: bool = False,
) -> Column:
    return Column(name, kind, null, vocab, vocab or repeats)


_STR, _I8, _I16, _I32, _I64 = pa.string(), pa.int8(), pa.int16(), pa.int32(), pa.int64()
_F64, _DATE, _TS, _BOOL = pa.float64(), pa.date32(), pa.timestamp("us"), pa.bool_()

TABLES: dict[str, tuple[Column, ...]] = {
    "teams": (_c("team_id", _I32), _c("key", _STR), _c("name", _STR), _c("function", _STR)),
    "employees": (
        _c("employee_id", _I32),
        _c("team_id", _I32),
        _c("external_id", _STR),
        _c("name", _STR),
        _c("role_title", _STR),
        _c("hired_on", _DATE),
        _c("left_on", _DATE, null=True),
    ),
    "stages": (_c("stage_id", _I32), _c("key", _STR), _c("name", _STR), _c("position", _I16)),
    "touchpoints": (
        _c("touchpoint_id", _I32),
        _c("key", _STR),
        _c("name", _STR),
        _c("stage_id", _I32),
        _c("channel", _STR),
        _c("owner_team_id", _I32),
    ),
    "segments": (_c("segment_id", _I32), _c("key", _STR), _c("name", _STR)),
    "customers": (
        _c("customer_id", _I64),
        _c("external_id", _STR),
        _c("kind", _STR, vocab=True),
        _c("name", _STR, repeats=True),
        _c("email", _STR),
        _c("segment_id", _I32),
        _c("region", _STR, vocab=True),
        _c("industry", _STR, null=True, vocab=True),
        _c("consent_contact", _BOOL),
        _c("created_on", _DATE),
    ),
    "surveys": (
        _c("survey_id", _I32),
        _c("key", _STR),
        _c("name", _STR),
        _c("touchpoint_id", _I32, null=True),
    ),
    "responses": (
        _c("response_id", _I64),
        _c("survey_id", _I32),
        _c("customer_id", _I64),
        _c("touchpoint_id", _I32),
        _c("channel", _STR, vocab=True),
        _c("submitted_at", _TS),
        _c("nps", _I8, null=True),
        _c("csat", _I8, null=True),
        _c("ces", _I8, null=True),
        _c("rating", _I8, null=True),
        _c("comment", _STR, null=True, repeats=True),
        _c("language", _STR, null=True, vocab=True),
        _c("transaction_id", _I64, null=True),
    ),
    "transactions": (
        _c("transaction_id", _I64),
        _c("customer_id", _I64),
        _c("occurred_at", _TS),
        _c("amount", _F64),
        _c("margin", _F64),
        _c("product", _STR, vocab=True),
        _c("channel", _STR, vocab=True),
        _c("team_id", _I32, null=True),
    ),
    "payments": (
        _c("payment_id", _I64),
        _c("transaction_id", _I64),
        _c("customer_id", _I64),
        _c("amount", _F64),
        _c("due_on", _DATE),
        _c("paid_on", _DATE, null=True),
    ),
    "process_events": (
        _c("event_id", _I64),
        _c("touchpoint_id", _I32),
        _c("team_id", _I32),
        _c("customer_id", _I64, null=True),
        _c("transaction_id", _I64, null=True),
        _c("process", _STR, vocab=True),
        _c("measure", _STR, vocab=True),
        _c("value", _F64),
        _c("occurred_at", _TS),
    ),
    "pulses": (
        _c("pulse_id", _I64),
        _c("employee_id", _I32),
        _c("team_id", _I32),
        _c("submitted_at", _TS),
        _c("enps", _I8),
        _c("engagement", _F64),
        _c("competency", _F64),
        _c("training_hours", _F64),
    ),
}

TABLE_ORDER = tuple(TABLES)

PROCESS_MEASURES = (
    "delivery_delay_days",
    "first_response_minutes",
    "first_contact_resolution",
    "defects",
    "onboarding_days",
    "call_wait_seconds",
)
PROCESSES = ("delivery", "support", "onboarding")


def read_schema(table: str) -> pa.Schema:
    """The schema a reader sees: plain types, ``not null`` where the model has no null."""
    return pa.schema([pa.field(c.name, c.type, c.nullable) for c in TABLES[table]])


def write_schema(table: str) -> pa.Schema:
    """The schema the writer is fed: vocabulary columns as dictionary<int32, string>."""
    return pa.schema(
        [
            pa.field(
                c.name, pa.dictionary(pa.int32(), c.type) if c.vocabulary else c.type, c.nullable
            )
            for c in TABLES[table]
        ]
    )


def dictionary_columns(table: str) -> list[str]:
    """Columns written with Parquet dictionary pages."""
    return [c.name for c in TABLES[table] if c.dictionary_pages]


@dataclass(frozen=True)
class Coded:
    """A vocabulary column: positions into ``dictionary``; a negative position is null."""

    positions: npt.NDArray[np.integer[Any]]
    dictionary: pa.Array


@dataclass(frozen=True)
class Masked:
    """A nullable numeric or date column: ``values`` where ``missing`` is false."""

    values: npt.NDArray[Any]
    missing: npt.NDArray[np.bool_]


ColumnValues: TypeAlias = npt.NDArray[Any] | Coded | Masked | pa.Array


def vocabulary(words: Sequence[str]) -> pa.Array:
    """An Arrow dictionary for :class:`Coded` columns (build once, reuse for every chunk)."""
    return pa.array(list(words), type=pa.string())


def _arrow(column: Column, values: ColumnValues) -> pa.Array:
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, Coded):
        positions = values.positions.astype(np.int32, copy=False)
        mask = positions < 0 if column.nullable else None
        indices = pa.array(positions, type=pa.int32(), mask=mask)
        if column.vocabulary:
            return pa.DictionaryArray.from_arrays(indices, values.dictionary)
        return pc.take(values.dictionary, indices)
    numpy_type = column.type.to_pandas_dtype() if pa.types.is_integer(column.type) else None
    if isinstance(values, Masked):
        data = values.values if numpy_type is None else values.values.astype(numpy_type)
        return pa.array(data, type=column.type, mask=values.missing)
    data = values if numpy_type is None else values.astype(numpy_type, copy=False)
    return pa.array(data, type=column.type)


def table_from_columns(table: str, columns: Mapping[str, ColumnValues]) -> pa.Table:
    """An Arrow table in the exact write schema of ``table`` from numpy-side columns."""
    expected = [c.name for c in TABLES[table]]
    if sorted(columns) != sorted(expected):
        raise ValueError(f"{table}: columns {sorted(columns)} differ from {sorted(expected)}")
    arrays = [_arrow(c, columns[c.name]) for c in TABLES[table]]
    return pa.Table.from_arrays(arrays, schema=write_schema(table))
