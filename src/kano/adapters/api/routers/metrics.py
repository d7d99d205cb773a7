"""``/metrics``: the metric catalogue, and any metric computed per slice in the warehouse.

``GET /metrics/nps?by=month,segment&filter=channel=web&from=2025-01-01&to=2025-12-31``
returns one row per month and segment with the value, n and the 95 % interval, for the
token's workspace only. The same rows come as CSV or XLSX when asked for with
``?format=`` or the ``Accept`` header.

Each request opens the warehouse read-only and closes it before answering, so a
``kano warehouse load`` in another process is never locked out for longer than a query.
The routes are plain ``def``: FastAPI runs them in its thread pool, off the event loop.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BeforeValidator, StringConstraints
from starlette.responses import Response

from kano.adapters.api.deps import ReadAccess, ReaderLanguage, SessionDep, container_of
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.metrics import (
    LayerName,
    MetricCatalogue,
    MetricInfo,
    MetricResult,
    MetricValue,
)
from kano.adapters.api.schemas.problems import Problem
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
    parse_filters,
    read_only_warehouse,
    split_names,
)
from kano.metrics import Layer, Metric, MetricRow
from kano.metrics.definitions import METRIC_ID
from kano.metrics.warehouse_errors import WarehouseNotLoaded

router = APIRouter(prefix="/metrics", tags=["metrics"])

Format = Literal["json", "csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {"json": "application/json", "csv": CSV_MEDIA_TYPE,
                               "xlsx": XLSX_MEDIA_TYPE}
RETRY_AFTER_SECONDS = 5
_NO_NUL = r"^[^\x00]*$"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

def _iso_date_only(value: object) -> object:
    """Refuse what pydantic would read as Unix seconds: a date is written YYYY-MM-DD."""
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("is not a date written YYYY-MM-DD, e.g. 2025-01-31")
    return value


IsoDate = Annotated[date | None, BeforeValidator(_iso_date_only)]
QueryText = Annotated[str, StringConstraints(max_length=500, pattern=_NO_NUL)]
MetricId = Annotated[str, Path(
    pattern=METRIC_ID.pattern, description="The metric's id, e.g. `nps` (see `GET /metrics`)."
)]

_COMPUTED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The metric per slice: JSON by default, CSV or XLSX when asked for.",
        "content": {
            CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    **problem_responses(401, 403, 404, 422, 500),
    409: {"model": Problem, "description": "The warehouse holds no data yet: run "
          "`kano warehouse load` (or `kano demo`) first."},
    503: {"model": Problem, "description": "The warehouse is being written by another "
          "process (a load); retry after the `Retry-After` seconds.",
          "headers": {"Retry-After": {"description": "Seconds to wait before retrying.",
                                      "schema": {"type": "integer"}}}},
}


@router.get("", summary="List the metric catalogue", response_model=MetricCatalogue,
            responses=problem_responses(401, 403, 422, 500))
def list_metrics(
    caller: ReadAccess,
    session: SessionDep,
    language: ReaderLanguage,
    layer: Annotated[LayerName | None, Query(
        description="Only the metrics of this layer."
    )] = None,
) -> MetricCatalogue:
    """Every metric that `GET /metrics/{metric_id}` computes, in catalogue order: the
    built-in ones, then the workspace's custom metrics (from its strategy file)."""
    catalogue = workspace_catalogue(session, caller.workspace_id)
    metrics = [m for m in catalogue if layer is None or m.layer == Layer(layer)]
    return MetricCatalogue(items=[MetricInfo.of(metric, language) for metric in metrics])


@router.get("/{metric_id}", summary="Compute a metric per slice", response_model=MetricResult,
            responses=_COMPUTED_RESPONSES)
def get_metric(
    caller: ReadAccess,
    session: SessionDep,
    request: Request,
    response: Response,
    language: ReaderLanguage,
    metric_id: MetricId,
    by: Annotated[list[QueryText], Query(
        max_length=20, description="Slices, comma-separated or repeated: at most one grain "
        "(`day`, `week`, `month`, `quarter`, `year`) and any of `segment`, `stage`, "
        "`touchpoint`, `channel`, `team`, `region`, `survey`, `product` … as the metric's "
        "table allows (a 422 lists the names it accepts).",
        examples=["month,segment"],
    )] = [],  # noqa: B006  (FastAPI copies a list default per request)
    filters: Annotated[list[QueryText], Query(
        alias="filter", max_length=20,
        description="`NAME=VALUE` or `NAME=VALUE1,VALUE2`; repeat for more filters, e.g. "
        "`filter=segment=smb,key_account&filter=channel=web`.",
    )] = [],  # noqa: B006
    date_from: Annotated[IsoDate, Query(
        alias="from", description="First day of the period, inclusive (YYYY-MM-DD); give "
        "`to` as well."
    )] = None,
    date_to: Annotated[IsoDate, Query(
        alias="to", description="Last day of the period, inclusive (YYYY-MM-DD)."
    )] = None,
    where: Annotated[str | None, Query(
        min_length=1, max_length=500, pattern=_NO_NUL,
        description="An extra condition in the metric expression language, e.g. "
        "`amount > 1000 and channel = 'web'`.",
    )] = None,
    compare: Annotated[bool, Query(
        description="Add each slice's value one period earlier (the previous grain, else "
        "the equally long period before `from`–`to`) and the change."
    )] = False,
    format: Annotated[Format | None, Query(
        description="`json`, `csv` or `xlsx`; without it the `Accept` header decides "
        "(JSON unless it prefers `text/csv` or the XLSX media type)."
    )] = None,
) -> Response | MetricResult:
    """The metric for the token's workspace, one row per slice, sorted by the slice keys.

    Slices where the metric has no observation are left out. Filters, slices and the
    condition are checked against the metric's table: a 422 names the parameter.
    """
    metric = workspace_catalogue(session, caller.workspace_id).get(metric_id)
    query = MetricQuery(
        by=split_names(by),
        filters=parse_filters(filters),
        period=checked_period(date_from, date_to),
        where=where,
        compare=compare,
    )
    rows = _computed(request, metric, query, caller.workspace_id)
    chosen = format or preferred_format(request.headers.get("accept"))
    response.headers["Vary"] = "Accept, Accept-Language"
    if chosen == "json":
        return MetricResult(
            metric=MetricInfo.of(metric, language), by=list(query.by), filters=query.filter_map(),
            period_from=date_from, period_to=date_to, where=query.where, compare=compare,
            rows=[MetricValue.of(row) for row in rows],
        )
    return _file(metric, query, rows, chosen, caller.workspace.slug)


def _computed(
    request: Request, metric: Metric, query: MetricQuery, workspace_id: int
) -> list[MetricRow]:
    url = container_of(request).settings.resolved_warehouse_url()
    try:
        with read_only_warehouse(url) as backend:
            return compute_query(backend, metric, query, workspace_id)
    except WarehouseNotLoaded as error:
        raise HTTPException(409, detail=f"The warehouse holds no data yet ({error}). "
                            "Run `kano warehouse load`, then try again.") from error
    except WarehouseBusy as error:
        raise HTTPException(
            503, detail="The warehouse is being loaded by another process; try again shortly.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from error


def preferred_format(accept: str | None) -> Format:
    """The format the ``Accept`` header prefers (highest q, then the first listed);
    JSON when it names none of ours, so a client that sends ``*/*`` gets JSON."""
    best: tuple[float, int, Format] | None = None
    for position, part in enumerate((accept or "").split(",")):
        media, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        chosen = _format_of(media.strip().lower())
        if chosen is None or quality <= 0:
            continue
        if best is None or (-quality, position) < (-best[0], best[1]):
            best = (quality, position, chosen)
    return "json" if best is None else best[2]


def _format_of(media: str) -> Format | None:
    if media in ("application/json", "application/*", "*/*"):
        return "json"
    if media in (CSV_MEDIA_TYPE, "text/*"):
        return "csv"
    if media == XLSX_MEDIA_TYPE:
        return "xlsx"
    return None


def _file(
    metric: Metric, query: MetricQuery, rows: list[MetricRow], chosen: Format, workspace: str
) -> Response:
    columns = metric_columns(query.by, rows, query.compare)
    records = metric_records(rows)
    if chosen == "csv":
        content = metric_csv(columns, records, byte_order_mark=False)  # for scripts
        media_type = f"{CSV_MEDIA_TYPE}; charset=utf-8"
    else:
        content = metric_xlsx(
            columns, records, number_format=excel_number_format(metric.format),
            sheet_title=metric.id, about=about_rows(metric, query, workspace),
        )
        media_type = XLSX_MEDIA_TYPE
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{file_stem(workspace, metric.id, query.by)}'
        f'.{chosen}"',
        "Vary": "Accept",
    })


def about_rows(metric: Metric, query: MetricQuery, workspace: str) -> list[tuple[str, str]]:
    """What the workbook holds, in words (English: the API's language)."""
    period = f"{query.period[0]} – {query.period[1]}" if query.period else "all data"
    return [
        ("Metric", f"{metric.name('en')} ({metric.id})"),
        ("Workspace", workspace),
        ("Unit", metric.unit or "count"),
        ("Slices", ", ".join(query.by) or "none"),
        ("Filters", "; ".join(f"{n} = {', '.join(v)}" for n, v in query.filters) or "none"),
        ("Period", period),
        ("Condition", query.where or "none"),
        ("Definition", " ".join(metric.description.split())),
    ]
