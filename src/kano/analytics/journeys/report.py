"""Pain points of one journey: the journey's touchpoints and segment decide the slice.

The page, the API and the CLI all call :func:`journey_pain_points`, so they show the
same numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from kano.analytics.journeys.inputs import load_inputs
from kano.analytics.journeys.painpoints import PainPoint, rank_pain_points
from kano.analytics.journeys.stages import StageSummary, stage_summaries
from kano.domain.journeys import Journey


def journey_pain_points(
    backend: Any,
    workspace_id: int,
    journey: Journey,
    *,
    segment: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[PainPoint]:
    """Ranked pain points at the journey's touchpoints, for ``segment`` (default: the
    journey's own segment; ``"*"`` for every customer) in ``[start, end)``."""
    touchpoints = [t.key for stage in journey.stages for t in stage.touchpoints]
    chosen = journey.segment if segment is None else (None if segment == "*" else segment)
    inputs = load_inputs(
        backend, workspace_id, touchpoints=touchpoints, segment=chosen, start=start, end=end
    )
    if inputs.responses.empty:
        return []
    return rank_pain_points(inputs.responses, inputs.revenue_by_customer, inputs.data_end)


def as_dict(point: PainPoint) -> dict[str, Any]:
    """A pain point as plain JSON-ready values (intervals as ``{low, high}``)."""
    out = asdict(point)
    out["themes"] = [{"word": w, "count": c} for w, c in point.themes]
    return out


@dataclass(frozen=True)
class JourneyMap:
    """Everything the journey-map page shows for one slice."""

    stages: list[StageSummary]
    pain_points: list[PainPoint]
    process: list[tuple[str, str, float, int]] = field(default_factory=list)
    """``(touchpoint, process measure, mean, n)`` -- the OX row."""


def journey_map(
    backend: Any,
    workspace_id: int,
    journey: Journey,
    *,
    segment: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> JourneyMap:
    touchpoints = [t.key for stage in journey.stages for t in stage.touchpoints]
    chosen = journey.segment if segment is None else (None if segment == "*" else segment)
    inputs = load_inputs(
        backend, workspace_id, touchpoints=touchpoints, segment=chosen, start=start, end=end
    )
    process = [
        (str(r.touchpoint), str(r.measure), float(r.mean), int(r.n))
        for r in inputs.process.itertuples()
    ]
    if inputs.responses.empty:
        return JourneyMap([], [], process)
    args = (inputs.responses, inputs.revenue_by_customer, inputs.data_end)
    return JourneyMap(
        stage_summaries(*args, journey.stage_keys),
        rank_pain_points(*args),
        process,
    )
