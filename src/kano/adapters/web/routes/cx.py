"""The CX overview (``/cx``): the front page of the Voice-of-Customer hub.

Headline NPS, CSAT, CES and response count for a period with their 95 % intervals and the
change against the previous period of equal length; the monthly trend; the scores by
segment, journey stage, channel and touchpoint, worst first; the closed-loop panel from
the app database. One GET form, so every view can be bookmarked. ``/cx.csv`` and
``/cx.xlsx`` download the breakdown tables of the same form. The figures come from the
metric engine (:mod:`kano.adapters.web.cx_overview`); without a loaded warehouse the
page says what to run and still shows the closed loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.views.cx_loop import ClosedLoop, closed_loop
from kano.adapters.exports.metric_table import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    metric_csv,
    metric_xlsx,
)
from kano.adapters.warehouse.connection import WarehouseBusy
from kano.adapters.web.cx_overview import (
    EXPORT_COLUMNS,
    SCORES,
    CxFigures,
    CxForm,
    cx_figures,
    cx_metrics,
    export_records,
    intervals_overlap,
    worse_than,
)
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.labels import (
    SEGMENT_NAMES,
    STAGE_NAMES,
    TOUCHPOINT_NAMES,
    channel_filter,
    journey_names,
    segment_names,
)
from kano.adapters.web.metric_explorer import (
    MetricFormats,
    chart_description,
    chart_spec,
    slice_label,
)
from kano.adapters.web.page_figures import PAGE_FIGURES
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import no_workspace
from kano.domain.shared.errors import InvalidInput
from kano.metrics import Metric, MetricRow
from kano.metrics.warehouse_errors import WarehouseNotLoaded

router = APIRouter()

SHORT_NAMES = {
    "nps": N_("NPS"),
    "csat": N_("CSAT (top-2-box)"),
    "ces": N_("CES (mean)"),
    "responses": N_("Responses"),
}
EXPORT_TITLES = {
    "dimension": N_("Breakdown"),
    "key": N_("Value of the slice"),
    "metric": N_("Metric"),
    "value": N_("Value"),
    "ci_low": N_("Interval from"),
    "ci_high": N_("Interval to"),
    "worse_than_workspace": N_("Worse than the workspace"),
    "name": N_("Name"),
}


@dataclass(frozen=True)
class Card:
    metric_id: str
    label: str
    value: str
    interval: str | None
    n: str
    previous: str
    change: str | None
    noise: bool | None  # True: the intervals overlap; None: nothing to compare
    explorer: str


@dataclass(frozen=True)
class ScoreCell:
    value: str
    interval: str
    n: str
    worse: bool


@dataclass(frozen=True)
class BreakdownLine:
    key: str
    cells: tuple[ScoreCell, ...]
    explorer: str
    journey: str | None

    @property
    def worse(self) -> bool:
        return any(cell.worse for cell in self.cells)


@dataclass(frozen=True)
class BreakdownTable:
    dimension: str
    heading: str
    lines: tuple[BreakdownLine, ...]


def _explorer_link(metric_id: str, form: CxForm, period: tuple[date, date],
                   extra: tuple[tuple[str, str], ...] = (), grain: str = "month") -> str:
    filters = [pair for pair in form.filters if pair[0] not in dict(extra)] + list(extra)
    pairs: list[tuple[str, str]] = [("grain", grain)]
    for name, value in filters:
        pairs += [("filter_name", name), ("filter_values", value)]
    pairs += [("from", period[0].isoformat()), ("to", period[1].isoformat())]
    return f"/metrics/{metric_id}?{urlencode(pairs)}"


def _cards(page: SignedInPageContext, metrics: dict[str, Metric], figures: CxFigures,
           form: CxForm) -> list[Card]:
    language, _ = page.language.code, page.gettext
    cards = []
    for metric_id, metric in metrics.items():
        formats = MetricFormats(metric, language)
        row, before = figures.headline.get(metric_id), figures.before.get(metric_id)
        is_count = metric_id == "responses"
        value = row.n if is_count and row else (row.value if row else None)
        previous = before.n if is_count and before else (before.value if before else None)
        change = None if value is None or previous is None else value - previous
        cards.append(Card(
            metric_id=metric_id, label=_(SHORT_NAMES[metric_id]),
            value=formats.count(int(value)) if is_count and value is not None
            else formats.value(value),
            interval=None if is_count or row is None else formats.interval(row.ci_low,
                                                                           row.ci_high),
            n=formats.count(row.n if row else 0),
            previous=formats.value(previous) if previous is not None else "–",
            change=None if change is None else formats.change(change),
            noise=None if is_count else intervals_overlap(row, before),
            explorer=_explorer_link(metric_id, form, figures.period),
        ))
    return cards


def _breakdowns(page: SignedInPageContext, metrics: dict[str, Metric], figures: CxFigures,
                form: CxForm) -> list[BreakdownTable]:
    language, _ = page.language.code, page.gettext
    formats = {metric_id: MetricFormats(metrics[metric_id], language) for metric_id in SCORES}
    tables = []
    for breakdown in figures.breakdowns:
        lines = []
        for key, rows in breakdown.rows:
            cells = []
            for metric_id in SCORES:
                row: MetricRow | None = rows.get(metric_id)
                cells.append(ScoreCell(
                    value=formats[metric_id].value(row.value if row else None),
                    interval=formats[metric_id].interval(row.ci_low, row.ci_high) if row
                    else "–",
                    n=formats[metric_id].count(row.n) if row else "0",
                    worse=worse_than(row, figures.headline.get(metric_id), metrics[metric_id]),
                ))
            journey = None
            if breakdown.dimension == "stage":
                journey = "/journeys?" + urlencode(
                    [("from", figures.period[0].isoformat()), ("to", figures.period[1].isoformat())]
                    + [("segment", form.chosen("segment"))] * bool(form.chosen("segment")))
            lines.append(BreakdownLine(
                key=key, cells=tuple(cells), journey=journey,
                explorer=_explorer_link(next((m for m in SCORES if m in rows), "nps"), form,
                                        figures.period, ((breakdown.dimension, key),)),
            ))
        tables.append(BreakdownTable(breakdown.dimension, slice_label(breakdown.dimension, _),
                                     tuple(lines)))
    return tables


def _loop_view(loop: ClosedLoop, language: str, percent: MetricFormats) -> dict[str, str]:
    numbers = NumberFormats(language)
    share = loop.loop_closed_share
    return {
        "opened": numbers.integer(loop.opened),
        "open_now": numbers.integer(loop.open_now),
        "overdue_now": numbers.integer(loop.overdue_now),
        "loop_closed": percent.value(share),
        "first_response": numbers.decimal(loop.first_response_hours),
        "resolution": numbers.decimal(loop.resolution_hours),
    }


def _period_text(period: tuple[date, date], language: str) -> str:
    return " – ".join(format_date(day, format="medium", locale=language) for day in period)


def _fallback_period(form: CxForm, today: date) -> tuple[date, date]:
    """The period of the closed-loop panel when the warehouse gave none."""
    try:
        period = form.period()
    except InvalidInput:
        period = None
    if period is not None:
        return period
    return today - timedelta(days=89), today


def _compute(page: SignedInPageContext, db: DbSession, form: CxForm
             ) -> tuple[CxFigures | None, str, InvalidInput | None, dict[str, Metric]]:
    assert page.workspace is not None
    catalogue = workspace_catalogue(db, page.workspace.id)
    metrics = cx_metrics(catalogue)
    url = page.web.container.settings.resolved_warehouse_url()
    today = datetime.now(UTC).date()
    # The figures depend on the warehouse, the form, the day (the default period) and the
    # definitions of the four metrics (built in: a custom metric cannot take their ids).
    question = ("cx", form, today, tuple(repr(metric) for metric in metrics.values()))
    try:
        figures = PAGE_FIGURES.figures(url, page.workspace.id, question, lambda backend: (
            cx_figures(backend, catalogue, page.workspace.id, form, today)))
        return figures, "ok", None, metrics
    except InvalidInput as error:
        return None, "ok", error, metrics
    except WarehouseNotLoaded:
        return None, "missing", None, metrics
    except WarehouseBusy:
        return None, "busy", None, metrics


@router.get("/cx")
def cx_overview(page: SignedInPage, db: DbSession) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    language, _ = page.language.code, page.gettext
    form = CxForm.from_params(page.request.query_params)
    figures, warehouse, error, metrics = _compute(page, db, form)
    now = datetime.now(UTC).replace(tzinfo=None)
    period = figures.period if figures else _fallback_period(form, now.date())
    loop = closed_loop(db, page.workspace.id, period, now)
    context: dict[str, Any] = {
        "form": form, "warehouse": warehouse, "error": error,
        "period_text": _period_text(period, language),
        "period": (period[0].isoformat(), period[1].isoformat()),
        "loop": _loop_view(loop, language, MetricFormats(metrics["csat"], language)), "channels": [
            (channel, NumberFormats(language).integer(count)) for channel, count in loop.channels],
        "dimension_labels": {name: slice_label(name, _) for name in ("segment", "stage",
                                                                     "channel", "touchpoint")},
        "figures": None, "short_names": {key: _(text) for key, text in SHORT_NAMES.items()},
        SEGMENT_NAMES: segment_names(db, page.workspace.id),
        **journey_names(db, page.workspace.id),
    }
    if figures is not None:
        trend_metric = metrics[form.trend]
        context.update(
            figures=figures,
            previous_text=_period_text(figures.previous, language),
            cards=_cards(page, metrics, figures, form),
            tables=_breakdowns(page, metrics, figures, form),
            chart=chart_spec(trend_metric, ("month",), figures.trend, language, _),
            chart_text=chart_description(trend_metric, ("month",), language, _),
            trend_links={metric_id: "/cx?" + form.query_string(trend=metric_id)
                         for metric_id in SCORES},
            download_query=form.query_string(figures.period),
            interval_heading=_("Interval (95%)"),
            breakdown_note=_("Worst NPS first. A marked row’s whole interval (95%) lies below "
                             "the workspace’s figure for the period."),
        )
    status = 422 if error is not None else (503 if warehouse == "busy" else 200)
    return page.render("cx/overview.html", status_code=status, active="cx", **context)


def _slice_names(page: SignedInPageContext, db: DbSession) -> Callable[[str, str], str]:
    """A slice's name as the page's rows show it (the downloads' name column)."""
    assert page.workspace is not None
    journey = journey_names(db, page.workspace.id)
    named = {"segment": segment_names(db, page.workspace.id), "stage": journey[STAGE_NAMES],
             "touchpoint": journey[TOUCHPOINT_NAMES]}
    channel = channel_filter(page.gettext)

    def name_of(dimension: str, key: str) -> str:
        if dimension == "channel":
            return channel(key)
        return named.get(dimension, {}).get(key) or key

    return name_of


def _download(page: SignedInPageContext, db: DbSession, kind: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    form = CxForm.from_params(page.request.query_params)
    figures, _warehouse, _error, metrics = _compute(page, db, form)
    if figures is None:
        return cx_overview(page, db)
    _ = page.gettext
    titles = {name: _(title) for name, title in EXPORT_TITLES.items()} | {"n": "n"}
    name_of = _slice_names(page, db)
    stem = f"{page.workspace.slug}-cx-{figures.period[0]}-{figures.period[1]}"
    if kind == "csv":
        content = metric_csv(EXPORT_COLUMNS, export_records(
            figures, metrics, guard_formulas=True, name_of=name_of), titles)
        media_type = f"{CSV_MEDIA_TYPE}; charset=utf-8"
    else:
        language = page.language.code
        about = [
            (_("Workspace"), page.workspace.name),
            (_("Period"), _period_text(figures.period, language)),
            (_("Filters"), "; ".join(f"{slice_label(name, _)} = {name_of(name, value)}"
                                     for name, value in form.filters) or _("none")),
        ] + [(metric.name(language), " ".join(metric.describe(language).split()))
             for metric_id, metric in metrics.items() if metric_id in SCORES]
        content = metric_xlsx(
            EXPORT_COLUMNS, export_records(figures, metrics, guard_formulas=False,
                                           name_of=name_of),
            number_format="#,##0.00", sheet_title=_("CX overview"), titles=titles,
            about=about, about_title=_("About"))
        media_type = XLSX_MEDIA_TYPE
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
        "Cache-Control": "no-store",
    })


@router.get("/cx.csv")
def cx_csv(page: SignedInPage, db: DbSession) -> Response:
    return _download(page, db, "csv")


@router.get("/cx.xlsx")
def cx_xlsx(page: SignedInPage, db: DbSession) -> Response:
    return _download(page, db, "xlsx")
