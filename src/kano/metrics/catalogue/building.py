"""A compact way to write built-in definitions: one call per metric."""

from __future__ import annotations

from kano.domain.strategy.scoring import Direction
from kano.metrics.aggregations.base import Aggregation
from kano.metrics.catalogue import descriptions_hu, descriptions_ru
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
    """A built-in metric; ``names`` are English, Russian and Hungarian, the English
    ``description`` is written here and its translations in ``descriptions_ru``/``_hu``
    (a built-in without one fails at import, see ``Metric.__post_init__``)."""
    en, ru, hu = names
    return Metric(
        id=metric_id,
        names={"en": en, "ru": ru, "hu": hu},
        layer=layer,
        unit=unit,
        direction=direction,
        format=format,
        descriptions={
            "en": " ".join(description.split()),
            "ru": descriptions_ru.DESCRIPTIONS.get(metric_id, ""),
            "hu": descriptions_hu.DESCRIPTIONS.get(metric_id, ""),
        },
        source=source,
        aggregation=aggregation,
        filter=filter,
    )
