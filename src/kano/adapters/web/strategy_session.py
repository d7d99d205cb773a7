"""What the strategy session's pages show: the steps of one scorecard, the metrics each
perspective step suggests, and a metric's current value from the warehouse.

The session is the scorecard itself: every step reads the scorecard's read model
(``scorecard_view``) and every form writes through the same edit functions as the
scorecard pages. ``kano.domain.strategy.session`` decides the order of the steps, the
kind of each perspective and the arrows offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.orm import MeasureRow
from kano.adapters.db.views.scorecard import (
    ObjectiveLine,
    PerspectiveLine,
    ScorecardChoice,
    ScorecardView,
    scorecard_view,
)
from kano.adapters.web.deps import Web
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.warehouse_reads import on_warehouse
from kano.domain.strategy.session import (
    SUGGESTED_LAYERS,
    PerspectiveKind,
    arrow_pairs,
    session_steps,
)

if TYPE_CHECKING:  # the catalogue imports Ibis: not when the app is built
    from kano.metrics import Metric

QUESTIONS: dict[PerspectiveKind | None, str] = {
    PerspectiveKind.FINANCIAL: N_("To succeed financially, what must we achieve for our "
                                  "owners? Name the results, then how to measure them."),
    PerspectiveKind.INTERNAL: N_("To satisfy our customers and owners, which processes must we "
                                 "excel at?"),
    PerspectiveKind.CUSTOMER: N_("To achieve our vision, how must our customers see us, and what "
                                 "must they do? Word objectives in the customer's voice where "
                                 "it helps."),
    PerspectiveKind.LEARNING: N_("To run those processes well, which people, skills and culture "
                                 "do we need?"),
    None: N_("What must this perspective contribute to the strategy?"),
}
LAYER_NAMES = {"financial": N_("Financial results"), "TX": N_("TX: what customers do"),
               "OX": N_("OX: how operations perform"), "CX": N_("CX: what customers say"),
               "EX": N_("EX: how employees fare")}
LAYER_ORDER = ("financial", "TX", "CX", "OX", "EX")
#: The perspectives of a scorecard a session starts from scratch, in the session's order.
CLASSIC_PERSPECTIVES = {"financial": N_("Financial"), "process": N_("Internal processes"),
                        "customer": N_("Customer"), "learning": N_("Learning & growth")}
SESSION_KINDS = (PerspectiveKind.FINANCIAL, PerspectiveKind.INTERNAL, PerspectiveKind.CUSTOMER,
                 PerspectiveKind.LEARNING)  # the kind of each of CLASSIC_PERSPECTIVES
#: Their bands on the map, top down, as Kaplan and Norton draw it: each band drives the one
#: above, so the session's arrows (learning → processes → customer → financial) run
#: upwards between neighbours. The session's order puts processes before the customer;
#: bands in that order made the customer → financial arrows cross the processes' band.
CLASSIC_BANDS = ("financial", "customer", "process", "learning")


@dataclass(frozen=True)
class Step:
    slug: str  # perspectives/<key>, arrows or review
    label: str  # a perspective's own name, or an N_-marked text
    translate: bool
    count: int | None  # objectives of a perspective, arrows of the map
    perspective: PerspectiveLine | None = None
    kind: PerspectiveKind | None = None


@dataclass(frozen=True)
class SessionView:
    """One scorecard seen as the steps of a session."""

    view: ScorecardView
    steps: tuple[Step, ...]
    measure_rows: dict[int, MeasureRow] = field(default_factory=dict)

    @property
    def card(self) -> ScorecardChoice:
        return self.view.scorecard

    def url(self, slug: str = "") -> str:
        base = f"/strategy/session/{quote(self.card.key)}"
        return f"{base}/{slug}" if slug else base

    def step(self, slug: str) -> Step | None:
        return next((s for s in self.steps if s.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[Step | None, Step | None]:
        at = next(i for i, s in enumerate(self.steps) if s.slug == slug)
        return (self.steps[at - 1] if at else None,
                self.steps[at + 1] if at + 1 < len(self.steps) else None)

    @property
    def missing(self) -> tuple[str, ...]:
        """The keys of ``CLASSIC_PERSPECTIVES`` whose kind the scorecard lacks."""
        present = {s.kind for s in self.steps if s.kind is not None}
        return tuple(key for key, kind in zip(CLASSIC_PERSPECTIVES, SESSION_KINDS, strict=True)
                     if kind not in present)

    def arrow_pairs(self) -> list[tuple[PerspectiveLine, PerspectiveLine]]:
        return arrow_pairs(self.view.perspectives)

    def objective(self, objective_id: int) -> ObjectiveLine | None:
        return self.view.objective(objective_id)

    def step_of_objective(self, objective_id: int) -> Step | None:
        perspective = self.view.perspective_of(objective_id)
        if perspective is None:
            return None
        return self.step(f"perspectives/{perspective.key}")


def session_view(db: Session, workspace_id: int, card: ScorecardChoice) -> SessionView:
    view = scorecard_view(db, workspace_id, card)
    steps = [
        Step(f"perspectives/{p.key}", p.name, False, len(p.objectives), p, kind)
        for p, kind in session_steps(view.perspectives)
    ]
    steps.append(Step("arrows", N_("Cause and effect"), True, len(view.links)))
    steps.append(Step("review", N_("Review"), True, None))
    ids = [m.id for o in view.objectives for m in o.measures]
    rows = {row.id: row for row in db.scalars(select(MeasureRow).where(
        MeasureRow.workspace_id == workspace_id, MeasureRow.id.in_(ids)))}
    return SessionView(view, tuple(steps), rows)


@dataclass(frozen=True)
class MetricChoice:
    id: str
    name: str
    layer: str
    direction: str
    unit: str


@dataclass(frozen=True)
class MetricGroups:
    """The catalogue for a step's metric list: the suggested layers first."""

    suggested: tuple[tuple[str, tuple[MetricChoice, ...]], ...]
    others: tuple[tuple[str, tuple[MetricChoice, ...]], ...]
    by_id: dict[str, MetricChoice]


def metric_groups(db: Session, workspace_id: int, kind: PerspectiveKind | None,
                  language: str) -> MetricGroups:
    catalogue = workspace_catalogue(db, workspace_id)
    choices = [MetricChoice(m.id, m.name(language), m.layer.value, m.direction.value, m.unit)
               for m in catalogue]
    suggested_layers = SUGGESTED_LAYERS.get(kind, ()) if kind is not None else ()

    def grouped(layers: tuple[str, ...]) -> tuple[tuple[str, tuple[MetricChoice, ...]], ...]:
        return tuple((layer, tuple(c for c in choices if c.layer == layer)) for layer in layers
                     if any(c.layer == layer for c in choices))

    others = tuple(layer for layer in LAYER_ORDER if layer not in suggested_layers)
    return MetricGroups(grouped(suggested_layers), grouped(others),
                        {c.id: c for c in choices})


@dataclass(frozen=True)
class CurrentValue:
    """A metric's value over its last complete month in the warehouse (or why there is none)."""

    value: float | None = None
    period: date | None = None
    n: int | None = None
    problem: str | None = None


def current_value(web: Web, db: Session, workspace_id: int, metric_id: str,
                  gettext: Callable[[str], str]) -> CurrentValue:
    """The metric over the last month that ended by the end of the data (the month before,
    when the last month is cut short), as the live measures compute it."""
    from kano.metrics.binding import MetricBinding, data_end
    from kano.metrics.periods import Grain

    catalogue = workspace_catalogue(db, workspace_id)

    def work(backend: Any) -> CurrentValue:
        end = data_end(backend, workspace_id)
        if end is None:
            return CurrentValue(problem=gettext(N_("The warehouse holds no data for this "
                                                  "workspace yet.")))
        series = MetricBinding.of(metric_id, None).series(
            backend, catalogue, workspace_id, Grain.MONTH, end)
        complete = [v for v in series if v.value is not None and v.end <= end]
        found = complete[-1] if complete else next(
            (v for v in reversed(series) if v.value is not None), None)
        if found is None:
            return CurrentValue(problem=gettext(N_("This metric has no value in the "
                                                  "warehouse yet.")))
        return CurrentValue(found.value, found.start, found.n)

    result, problem = on_warehouse(web, work, gettext)
    if result is None:
        return CurrentValue(problem=problem)
    assert isinstance(result, CurrentValue)
    return result


def rounded_for(metric: Metric, value: float) -> str:
    """The value as the metric's format writes it, without the unit (for a form field)."""
    return format(value, metric.format).replace(",", "")


def plain_number(value: float | None) -> str:
    """A stored number as a form field shows it: ``31``, ``35.5``, ``9650000``."""
    if value is None:
        return ""
    return format(value, "f").rstrip("0").rstrip(".") if value == value else ""
