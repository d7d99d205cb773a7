"""A compact way to write built-in definitions: one call per metric."""

from __future__ import annotations

from kano.domain.strategy.scoring import Direction
from kano.metrics.aggregations.base import Aggregation
from kano.metrics.definitions import Layer, Metric

HIGHER = Direction.HIGHER_IS_BETTER
LOWER = Direction.LOWER_IS_BETTER


def metric(
    metric_id: str,
    names: tuple[str, str, str],
    layer: Layer,
    *,
    unit: str,
    direction: Direction,
    format: str,
    source: str,
    aggregation: Aggregation,
    description: str,
    filter: str | None = None,
) -> Metric:
    """A built-in metric; ``names`` are English, Russian and Hungarian."""
    en, ru, hu = names
    return Metric(
        id=metric_id,
        names={"en": en, "ru": ru, "hu": hu},
        layer=layer,
        unit=unit,
        direction=direction,
        format=format,
        description=" ".join(description.split()),
        source=source,
        aggregation=aggregation,
        filter=filter,
    )
