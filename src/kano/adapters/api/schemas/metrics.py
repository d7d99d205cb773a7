"""The metric catalogue and computed metrics as the API shows them."""

from __future__ import annotations

from datetime import date
from typing import Literal, cast

from pydantic import BaseModel, Field

from kano.metrics import Metric, MetricRow

SliceValue = str | int | float | bool | None
LayerName = Literal["CX", "TX", "OX", "EX", "financial"]
DirectionName = Literal["higher", "lower"]


class MetricInfo(BaseModel):
    """One metric of the catalogue: what it measures and how to read it."""

    id: str = Field(examples=["nps"])
    layer: LayerName = Field(
        description="What the metric explains: CX (what customers say), TX (what they do), "
        "OX (operations), EX (employees) or financial."
    )
    names: dict[str, str] = Field(
        description="The metric's name in each UI language (`en`, `ru`, `hu`).",
        examples=[{"en": "Net Promoter Score", "ru": "Индекс потребительской лояльности (NPS)",
                   "hu": "Nettó ajánlói pontszám (NPS)"}],
    )
    unit: str = Field(description="`%`, `points`, `money`, `days` …; empty for counts.")
    direction: DirectionName = Field(description="Which way is better.")
    format: str = Field(description="Python format spec for display, e.g. `.1f`.")
    description: str = Field(description="The definition, with the interval it reports "
                             "(English, as ever).")
    description_display: str = Field(
        description="The definition as the web UI shows it to a reader of the request's "
        "`Accept-Language` (`en`, `ru`, `hu`; else English); a custom metric's English text "
        "where its file gives none in that language."
    )
    source: str = Field(description="The warehouse table the metric is computed from.")
    custom: bool = Field(description="Defined in the workspace's strategy file (else built in).")

    @classmethod
    def of(cls, metric: Metric, language: str) -> MetricInfo:
        """The metric, its ``description_display`` in the reader's ``language``."""
        return cls(
            id=metric.id, layer=cast(LayerName, metric.layer.value), names=dict(metric.names),
            unit=metric.unit, direction=cast(DirectionName, metric.direction.value),
            format=metric.format, description=" ".join(metric.description.split()),
            description_display=" ".join(metric.describe(language).split()),
            source=metric.source, custom=metric.custom,
        )


class MetricCatalogue(BaseModel):
    """Every metric, by layer (CX, TX, financial, OX, EX) in catalogue order."""

    items: list[MetricInfo]


class MetricValue(BaseModel):
    """The metric in one slice: its value, the 95 % interval and the sample size."""

    keys: dict[str, SliceValue] = Field(
        description="The slice: one entry per name of `by`, in that order. Periods are "
        "labelled by their start: `2025-03-07`, `2025-W10`, `2025-03`, `2025-Q1`, `2025`.",
        examples=[{"month": "2025-03", "segment": "smb"}],
    )
    value: float | None
    n: int = Field(description="How many observations the value rests on.")
    ci_low: float | None = Field(description="Lower end of the 95 % interval.")
    ci_high: float | None = Field(description="Upper end of the 95 % interval.")
    previous_value: float | None = Field(
        description="With `compare`: the value one period earlier (else null)."
    )
    change: float | None = Field(description="With `compare`: value − previous_value.")
    components: dict[str, float | None] = Field(
        description="The factors of a decomposed metric (the profit formula's customers, "
        "ARPU, margin %); empty for the others."
    )

    @classmethod
    def of(cls, row: MetricRow) -> MetricValue:
        return cls(
            keys=dict(row.keys), value=row.value, n=row.n, ci_low=row.ci_low,
            ci_high=row.ci_high, previous_value=row.previous_value, change=row.change,
            components=dict(row.components),
        )


class MetricResult(BaseModel):
    """A metric computed per slice for the token's workspace, with what was asked."""

    metric: MetricInfo
    by: list[str] = Field(description="The slices, in the order of each row's `keys`.")
    filters: dict[str, list[str]] = Field(description="Name → the values allowed.")
    period_from: date | None = Field(
        serialization_alias="from", description="First day, inclusive."
    )
    period_to: date | None = Field(serialization_alias="to", description="Last day, inclusive.")
    where: str | None = Field(description="The extra condition, if any.")
    compare: bool
    rows: list[MetricValue] = Field(description="One per slice, ordered by the slice keys.")
