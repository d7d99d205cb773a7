"""The scorecard targets a key driver is measured against (the drivers page, API and CLI).

A process measure (``delivery_delay_days``) has a target when a scorecard measure is bound,
with no slice, to a metric that is the plain mean of that process measure
(``delivery_delay_mean``; built-in or the workspace's custom one). A sliced measure
(first response *to support e-mails*) speaks of part of the events only, so it does not
set the target of the driver, which counts them all. When several measures qualify, the
company scorecard's wins over a department's or team's (the cascade's order), then the
first by position.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import MeasureRow, ObjectiveRow, PerspectiveRow, ScorecardRow
from kano.adapters.db.views.scorecard import LEVEL_ORDER
from kano.domain.shared.errors import InvalidInput

if TYPE_CHECKING:
    from kano.analytics.linkage.performance import ScorecardTarget


def driver_targets(session: Session, workspace_id: int) -> dict[str, ScorecardTarget]:
    """Process measure → the scorecard target its mean is scored against."""
    # Imported here: the analytics and the catalogue load Ibis (start-up cost).
    from kano.adapters.db.metric_catalogue import workspace_catalogue
    from kano.analytics.linkage.performance import ScorecardTarget, process_mean_metrics
    from kano.metrics import built_in_catalogue

    try:
        catalogue = workspace_catalogue(session, workspace_id)
    except InvalidInput:  # a stored custom metric no longer parses: the built-ins still do
        catalogue = built_in_catalogue()
    measure_of = {metric: measure for measure, metric in process_mean_metrics(catalogue).items()}
    if not measure_of:
        return {}
    rows = session.execute(
        select(MeasureRow, ScorecardRow.level, ScorecardRow.id)
        .join(ObjectiveRow, ObjectiveRow.id == MeasureRow.objective_id)
        .join(PerspectiveRow, PerspectiveRow.id == ObjectiveRow.perspective_id)
        .join(ScorecardRow, ScorecardRow.id == PerspectiveRow.scorecard_id)
        .where(MeasureRow.workspace_id == workspace_id,
               MeasureRow.metric_id.in_(sorted(measure_of)))
    ).all()  # fmt: skip
    ordered = sorted(rows, key=lambda r: (LEVEL_ORDER.get(r[1], 9), r[2], r[0].position,
                                          r[0].id))  # fmt: skip
    targets: dict[str, ScorecardTarget] = {}
    for row, _level, _scorecard in ordered:
        measure = measure_of[str(row.metric_id)]
        if row.metric_slice or measure in targets:
            continue
        try:
            thresholds = row.thresholds()
        except (InvalidInput, ValueError):  # incomplete or contradictory thresholds
            continue
        targets[measure] = ScorecardTarget(row.key, row.name, thresholds, str(row.metric_id),
                                           row.unit)  # fmt: skip
    return targets
