"""Building blocks of the strategy API's request bodies: the same field rules as the
strategy-as-code file (``kano.adapters.strategy_code.schema``), so a row written through
the API always exports and imports again, plus the patterns OpenAPI clients can see.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, field_validator

from kano.adapters.api.timestamps import as_naive_utc
from kano.adapters.strategy_code import schema as file_schema

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
KEY_RULE = "1–64 letters, digits, '-', '_' or '.', starting with a letter or digit"
SMALLINT_MAX = 32_767  # positions are SMALLINT columns
MAX_SLICE_CHARACTERS = 2_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Key = Annotated[
    file_schema.Key, Field(pattern=KEY_PATTERN, description=f"A stable key: {KEY_RULE}.")
]
Name = file_schema.Name
Title = file_schema.Title
ShortText = file_schema.ShortText
LongText = file_schema.LongText
Unit = file_schema.Unit
ExternalKey = file_schema.ExternalKey
Email = Annotated[
    file_schema.Email, Field(description="E-mail of a member of the workspace.")
]
Position = Annotated[int, Field(ge=0, le=SMALLINT_MAX, description="Order among siblings.")]
Weight = Annotated[float, Field(ge=0, le=1e9)]
Number = Annotated[float, Field(ge=-1e15, le=1e15)]
"""A measured number: bounded, so no score or progress can overflow to infinity."""
ClientTimestamp = Annotated[
    file_schema.Timestamp,
    AfterValidator(as_naive_utc),
    Field(description="ISO 8601; UTC unless an offset is given."),
]


class MetricBindingBody(BaseModel):
    """A binding to a metric of the metric catalogue, optionally to a slice of it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]*$")]
    slice: dict[str, JsonValue] | None = Field(
        None, description="e.g. `{\"segment\": \"key_account\"}`.", examples=[{"segment": "smb"}]
    )

    @field_validator("slice")
    @classmethod
    def _plain_text_only(cls, value: dict[str, JsonValue] | None) -> dict[str, JsonValue] | None:
        """Slices are small maps of keys; control characters (NUL above all, which
        PostgreSQL refuses) and huge documents are mistakes, not slices."""
        if value is not None and (
            len(json.dumps(value)) > MAX_SLICE_CHARACTERS or _has_control(value)
        ):
            raise ValueError(
                f"must be a small JSON object (≤ {MAX_SLICE_CHARACTERS} characters) "
                "without control characters"
            )
        return value


def _has_control(value: Any) -> bool:
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_control(item) for item in value)
    return False


class RequestBody(BaseModel):
    """Unknown fields are a 422 (a typo must not be ignored silently); no NaN or ∞."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def not_null(*fields: str) -> Any:
    """A validator for a partial update: these fields may be left out but not set to null
    (their columns are required)."""

    def refuse_null(value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null (leave the field out to keep its value)")
        return value

    return field_validator(*fields, mode="before")(refuse_null)


def sent(body: BaseModel) -> dict[str, Any]:
    """The fields a partial update really sent (left-out fields keep their values)."""
    return {name: getattr(body, name) for name in body.model_fields_set}


def binding_columns(binding: MetricBindingBody | None) -> dict[str, Any]:
    if binding is None:
        return {"metric_id": None, "metric_slice": None}
    return {"metric_id": binding.id, "metric_slice": binding.slice}


class MetricBinding(BaseModel):
    id: str
    slice: dict[str, Any] | None


def binding_of(row: Any) -> MetricBinding | None:
    if row.metric_id is None:
        return None
    return MetricBinding(id=row.metric_id, slice=row.metric_slice)
