"""A metric: one declarative definition that every engine computes the same way.

A definition says what the metric is for people (names and definition texts in English,
Russian and Hungarian, layer, unit, direction, format) and for machines (the source
table, an optional filter in the expression language, and an aggregation). Built-in and
custom metrics are the same class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from kano.domain.shared.errors import InvalidInput
from kano.domain.strategy.scoring import Direction

if TYPE_CHECKING:  # the aggregations build Ibis expressions: not imported to name a metric
    from kano.metrics.aggregations.base import Aggregation

LANGUAGES = ("en", "ru", "hu")
METRIC_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Layer(StrEnum):
    """The layer a metric explains (SPEC §1): say, do, operate, people, money."""

    CX = "CX"
    TX = "TX"
    OX = "OX"
    EX = "EX"
    FINANCIAL = "financial"


@dataclass(frozen=True)
class Metric:
    id: str
    names: dict[str, str]
    layer: Layer
    unit: str
    direction: Direction
    format: str
    descriptions: dict[str, str]
    source: str
    aggregation: Aggregation
    filter: str | None = None
    custom: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if not METRIC_ID.match(self.id):
            raise InvalidInput("id", f"{self.id!r}: use lower-case letters, digits and _")
        if self.direction not in (Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER):
            raise InvalidInput("direction", "a metric is either higher or lower is better")
        missing = [lang for lang in LANGUAGES if not self.names.get(lang)]
        if missing:
            raise InvalidInput("name", f"{self.id}: missing {', '.join(missing)}")
        # A definition may be empty (a custom metric need not give one), but then in every
        # language: a reader must never get an English text where theirs was forgotten.
        if self.descriptions.get("en"):
            missing = [lang for lang in LANGUAGES if not self.descriptions.get(lang)]
            if missing:
                raise InvalidInput("description", f"{self.id}: missing {', '.join(missing)}")

    def name(self, language: str = "en") -> str:
        return self.names.get(language) or self.names["en"]

    @property
    def description(self) -> str:
        """The English definition: what files, the CLI and the API's ``description`` give."""
        return self.descriptions.get("en", "")

    def describe(self, language: str = "en") -> str:
        """The definition in ``language`` (English when that language has none)."""
        return self.descriptions.get(language) or self.description

    def format_value(self, value: float | None) -> str:
        """The value as people read it: ``format`` (a Python format spec) plus the unit."""
        if value is None:
            return "–"
        text = format(value, self.format)
        return f"{text} {self.unit}" if self.unit else text

    def expressions(self) -> tuple[str, ...]:
        """Every expression text the definition holds (validated when it is built)."""
        texts = self.aggregation.expressions()
        return (*texts, self.filter) if self.filter else texts
