"""The metric explorer: the catalogue by layer, and one metric sliced, filtered and charted.

``/metrics/{id}`` is a GET form, so every view has an address to bookmark or share, and the
result table is rendered on the server (the chart is the only part that needs JavaScript).
``/metrics/{id}.csv`` and ``.xlsx`` take the same query and download the same rows, with
headings in the reader's language. The warehouse is opened read-only for one request and
closed before the page is sent (``read_only_warehouse``). The catalogue is the workspace's:
the built-in metrics and the custom ones of its strategy file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.responses import Response

from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.exports.metric_table import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    excel_number_format,
    file_stem,
    metric_columns,
    metric_csv,
    metric_records,
    metric_xlsx,
)
from kano.adapters.warehouse.connection import WarehouseBusy
from kano.adapters.warehouse.reading import (
    MetricQuery,
    checked_period,
    compute_query,
    metric_slices,
    parse_filters,
    read_only_warehouse,
)
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.metric_explorer import (
    LAYER_LABELS,
    NOT_OFFERED,
    SLICE_LABELS,
    chart_description,
    chart_spec,
    file_titles,
    result_table,
    slice_label,
    unit_label,
)
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.slice_names import filter_choices, name_column, slice_names, with_names
from kano.adapters.web.strategy_access import no_workspace, not_found
from kano.adapters.web.strategy_formats import LABELS
from kano.domain.shared.currency import DEFAULT_CURRENCY
from kano.domain.shared.errors import InvalidInput
from kano.metrics import Layer, Metric, MetricRow
from kano.metrics.data_window import compared_inside, default_period
from kano.metrics.periods import GRAINS
from kano.metrics.warehouse_errors import WarehouseNotLoaded

if TYPE_CHECKING:  # the catalogue imports Ibis: not when the app is built
    from kano.metrics.catalogue import Catalogue

router = APIRouter()

FILTER_ROWS = 3
LAYER_ORDER = (Layer.CX, Layer.TX, Layer.FINANCIAL, Layer.OX, Layer.EX)
FIELD_LABELS = {
    "by": N_("Slice by"),
    "filter": N_("Filters"),
    "from": N_("From"),
    "to": N_("To"),
    "where": N_("Extra condition"),
}
FIELD_PROBLEMS = {
    "by": N_("These slices cannot be used for this metric."),
    "filter": N_("A filter does not fit this metric."),
    "from": N_("Check the period: give both dates, the first not after the last."),
    "to": N_("Check the period: give both dates, the first not after the last."),
    "where": N_("The condition could not be read."),
}


@dataclass(frozen=True)
class ExplorerForm:
    """The explorer's GET form as submitted (texts as typed, so they can be shown again)."""

    grain: str = ""
    dimensions: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()  # (slice name, values as typed)
    date_from: str = ""
    date_to: str = ""
    where: str = ""
    compare: bool = False

    @classmethod
    def from_params(cls, params: QueryParams, default_grain: str) -> ExplorerForm:
        if "grain" not in params:  # first visit: the metric by a period grain, all data
            return cls(grain=default_grain)
        names, values = params.getlist("filter_name"), params.getlist("filter_values")
        filters = tuple(
            (name.strip(), text.strip())
            for name, text in zip(names, values + [""] * (len(names) - len(values)),
                                  strict=False)
            if name.strip() or text.strip()
        )
        return cls(
            grain=params.get("grain", "").strip(),
            dimensions=tuple(dict.fromkeys(name for name in params.getlist("by") if name)),
            filters=filters,
            date_from=params.get("from", "").strip(),
            date_to=params.get("to", "").strip(),
            where=params.get("where", "").strip(),
            compare=params.get("compare") in ("1", "on", "true"),
        )

    @property
    def by(self) -> tuple[str, ...]:
        return ((self.grain,) if self.grain else ()) + self.dimensions

    def query(self) -> MetricQuery:
        """The engine's query; :class:`InvalidInput` names the form field at fault."""
        for name, text in self.filters:
            if not name or not text:
                raise InvalidInput("filter", "choose a slice and give at least one value")
        return MetricQuery(
            by=self.by,
            filters=parse_filters([f"{name}={text}" for name, text in self.filters]),
            period=checked_period(_day("from", self.date_from), _day("to", self.date_to)),
            where=self.where or None,
            compare=self.compare,
        )

    def query_string(self) -> str:
        """The form as a query string (for the download links)."""
        pairs: list[tuple[str, str]] = [("grain", self.grain)]
        pairs += [("by", name) for name in self.dimensions]
        for name, text in self.filters:
            pairs += [("filter_name", name), ("filter_values", text)]
        for key, value in (("from", self.date_from), ("to", self.date_to),
                           ("where", self.where)):
            if value:
                pairs.append((key, value))
        if self.compare:
            pairs.append(("compare", "1"))
        return urlencode(pairs)


def _day(field_name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(field_name, f"{text!r} is not a date (YYYY-MM-DD)") from None


@dataclass
class Exploration:
    """One request's outcome: the form, what the metric can be sliced by, and either the
    rows or why there are none."""

    form: ExplorerForm
    slices: list[str] = field(default_factory=list)
    rows: list[MetricRow] | None = None
    error: InvalidInput | None = None
    warehouse: str = "ok"  # ok | missing | busy
    windowed: bool = False  # the period is the data window the page opened on

    @property
    def status_code(self) -> int:
        if self.error is not None:
            return 422
        return {"ok": 200, "missing": 409, "busy": 503}[self.warehouse]


def explore(page: SignedInPageContext, metric: Metric) -> Exploration:
    assert page.workspace is not None
    url = page.web.container.settings.resolved_warehouse_url()
    exploration = Exploration(ExplorerForm())
    try:
        with read_only_warehouse(url) as backend:
            exploration.slices = metric_slices(backend, metric, page.workspace.id)
            grains = [name for name in exploration.slices if name in GRAINS]
            default = "month" if "month" in grains else (grains[0] if grains else "")
            exploration.form = ExplorerForm.from_params(page.request.query_params, default)
            query = exploration.form.query()
            # an order-history metric over time opens on the data window, shown in the form
            # (kano.metrics.data_window): its months before hold only carried-in orders
            window = default_period(backend, metric, page.workspace.id, query.by, query.period)
            if window is not None and query.period is None:
                exploration.form = replace(exploration.form, date_from=window[0].isoformat(),
                                           date_to=window[1].isoformat())
                query = replace(query, period=window)
                exploration.windowed = True
            else:
                window = None
            exploration.rows = compute_query(backend, metric, query, page.workspace.id)
            if window is not None and query.compare:
                exploration.rows = compared_inside(exploration.rows, query.by, window)
    except InvalidInput as error:
        exploration.error = error
    except WarehouseNotLoaded:
        exploration.warehouse = "missing"
    except WarehouseBusy:
        exploration.warehouse = "busy"
    return exploration


def _grouped(page: SignedInPageContext, catalogue: Catalogue) -> list[tuple[str, list[Metric]]]:
    """The layers in catalogue order, each with its metrics (built-in, then custom)."""
    _ = page.gettext
    groups = [(_(LAYER_LABELS[layer]), [m for m in catalogue if m.layer == layer])
              for layer in LAYER_ORDER]
    return [(label, metrics) for label, metrics in groups if metrics]


def _currency(page: SignedInPageContext) -> str:
    return page.workspace.currency if page.workspace else DEFAULT_CURRENCY


def _unit_text(metric: Metric, page: SignedInPageContext) -> str:
    """The unit in the reader's words; money as the workspace's currency code ("HUF")."""
    if not metric.unit:
        return page.gettext("count")
    return unit_label(metric.unit, page.gettext, _currency(page))


def _direction_text(metric: Metric, page: SignedInPageContext) -> str:
    words = LABELS["direction"][metric.direction.value]
    return page.gettext(words)


@router.get("/metrics")
def metric_catalogue(page: SignedInPage, db: DbSession, metric: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    catalogue = workspace_catalogue(db, page.workspace.id)
    if metric and metric in catalogue:
        return page.redirect(f"/metrics/{metric}")
    return page.render("metrics/index.html", active="metrics",
                       groups=_grouped(page, catalogue),
                       unit_text=lambda m: _unit_text(m, page),
                       direction_label=lambda m: _direction_text(m, page))


def _error_view(page: SignedInPageContext, error: InvalidInput | None) -> dict[str, Any] | None:
    if error is None:
        return None
    _ = page.gettext
    label = FIELD_LABELS.get(error.field)
    problem = FIELD_PROBLEMS.get(error.field, N_("The figures could not be computed."))
    return {"field": error.field, "label": _(label) if label else "",  # the template says
            "message": problem, "detail": error.message,  # these two: |refusal, the slices
            "names": SLICE_LABELS}  # and grains the detail lists named as the form names them


def _choices(names: Sequence[str], page: SignedInPageContext) -> list[tuple[str, str]]:
    return [(name, slice_label(name, page.gettext)) for name in names]


def _page(
    page: SignedInPageContext, db: Session, catalogue: Catalogue, metric: Metric,
    exploration: Exploration,
) -> Response:
    assert page.workspace is not None
    _ = page.gettext
    language = page.language.code
    form = exploration.form
    offered = [name for name in exploration.slices
               if name not in GRAINS and name not in NOT_OFFERED]
    offered += [name for name in form.dimensions if name not in offered]
    filter_rows = list(form.filters) + [("", "")] * max(1, FILTER_ROWS - len(form.filters))
    filterable = sorted({n for n in exploration.slices if n not in GRAINS}
                        | {name for name, _text in form.filters if name})
    # One look-up per mapping for the filters' choices and the result's keys alike.
    names = slice_names(db, page.workspace.id, [*form.by, *filterable],
                        exploration.rows or [], _, language=language,
                        all_products="product" in filterable)
    context: dict[str, Any] = {
        "metric": metric,
        "name": metric.name(language),
        "description": " ".join(metric.describe(language).split()),
        "layer_label": _(LAYER_LABELS[metric.layer]),
        "unit_text": _unit_text(metric, page),
        "direction_label": _direction_text(metric, page),
        "groups": _grouped(page, catalogue),
        "form": form,
        "grains": _choices([n for n in exploration.slices if n in GRAINS], page),
        "dimensions": _choices(offered, page),
        "filter_names": _choices(filterable, page),
        "filter_rows": filter_rows,
        "filter_choices": filter_choices(names, filterable),
        "warehouse": exploration.warehouse,
        "windowed": exploration.windowed,
        "error": _error_view(page, exploration.error),
        "table": None,
        "chart": None,
    }
    if exploration.rows is not None:
        by = form.by
        context.update(
            table=result_table(metric, by, exploration.rows, language, _, _currency(page),
                               names),
            chart=chart_spec(metric, by, exploration.rows, language, _, _currency(page),
                             names),
            chart_text=chart_description(metric, by, language, _),
            interval_heading=_("Interval (95%)"),
            caption=_result_caption(metric, by, page),
            downloads=f"/metrics/{metric.id}", download_query=form.query_string(),
        )
    return page.render("metrics/metric.html", status_code=exploration.status_code,
                       active="metrics", **context)


def _result_caption(metric: Metric, by: Sequence[str], page: SignedInPageContext) -> str:
    name = metric.name(page.language.code)
    if not by:
        return name
    slices = ", ".join(slice_label(slice_name, page.gettext) for slice_name in by)
    return page.gettext("%(metric)s by %(slices)s") % {"metric": name, "slices": slices}


def _download(page: SignedInPageContext, db: DbSession, metric_id: str, kind: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    catalogue = workspace_catalogue(db, page.workspace.id)
    if metric_id not in catalogue:
        return not_found(page, "metrics")
    metric = catalogue.get(metric_id)
    exploration = explore(page, metric)
    if exploration.rows is None:
        return _page(page, db, catalogue, metric, exploration)
    _ = page.gettext
    by = exploration.form.by
    names = slice_names(db, page.workspace.id, by, exploration.rows, _,
                        language=page.language.code)
    columns, records = with_names(
        metric_columns(by, exploration.rows, exploration.form.compare),
        metric_records(exploration.rows), names)
    titles = file_titles(metric, columns, _, _currency(page))
    titles.update({name_column(name): _("%(slice)s (name)") % {"slice": slice_label(name, _)}
                   for name in names})
    stem = file_stem(page.workspace.slug, metric.id, by)
    if kind == "csv":
        content = metric_csv(columns, records, titles)
        media_type = f"{CSV_MEDIA_TYPE}; charset=utf-8"
    else:
        content = metric_xlsx(
            columns, records, number_format=excel_number_format(metric.format),
            sheet_title=metric.name(page.language.code), titles=titles,
            about=_about(page, metric, exploration.form), about_title=_("About"),
        )
        media_type = XLSX_MEDIA_TYPE
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
        "Cache-Control": "no-store",
    })


def _about(
    page: SignedInPageContext, metric: Metric, form: ExplorerForm
) -> list[tuple[str, str]]:
    _ = page.gettext
    assert page.workspace is not None
    none = _("none")
    period = f"{form.date_from} – {form.date_to}" if form.date_from else _("all data")
    return [
        (_("Metric"), f"{metric.name(page.language.code)} ({metric.id})"),
        (_("Workspace"), page.workspace.name),
        (_("Unit"), _unit_text(metric, page)),
        (_("Slice by"), ", ".join(slice_label(n, _) for n in form.by) or none),
        (_("Filters"), "; ".join(f"{slice_label(n, _)} = {text}" for n, text in form.filters)
         or none),
        (_("Period"), period),
        (_("Extra condition"), form.where or none),
        (_("Definition"), " ".join(metric.describe(page.language.code).split())),
    ]


@router.get("/metrics/{metric_id}.csv")
def metric_csv_download(page: SignedInPage, db: DbSession, metric_id: str) -> Response:
    return _download(page, db, metric_id, "csv")


@router.get("/metrics/{metric_id}.xlsx")
def metric_xlsx_download(page: SignedInPage, db: DbSession, metric_id: str) -> Response:
    return _download(page, db, metric_id, "xlsx")


@router.get("/metrics/{metric_id}")
def metric_explorer(page: SignedInPage, db: DbSession, metric_id: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    catalogue = workspace_catalogue(db, page.workspace.id)
    if metric_id not in catalogue:
        return not_found(page, "metrics")
    metric = catalogue.get(metric_id)
    return _page(page, db, catalogue, metric, explore(page, metric))
