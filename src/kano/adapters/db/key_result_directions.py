"""Which way is better for the metric each key result follows, from the workspace's
metric catalogue, so a key result's progress knows it (``KeyResult.higher_is_better``).
Used by the OKR page (and its files) and by closing a cycle, so both grade alike."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from kano.adapters.db.measure_store import BindingCatalogue
from kano.domain.shared.errors import InvalidInput
from kano.domain.strategy.scoring import Direction


def metric_directions(
    db: Session, workspace_id: int, metric_ids: Iterable[str | None]
) -> dict[str, bool]:
    """``{metric id: higher is better}`` for the ids the catalogue knows; a metric it does
    not know (or a custom metric that no longer parses) is left out: direction unknown."""
    catalogue = BindingCatalogue(db, workspace_id)
    found: dict[str, bool] = {}
    for metric_id in sorted({m for m in metric_ids if m}):
        try:
            metrics = catalogue.for_metric(metric_id)
        except InvalidInput:
            continue
        if metric_id in metrics:
            found[metric_id] = metrics.get(metric_id).direction is Direction.HIGHER_IS_BETTER
    return found
