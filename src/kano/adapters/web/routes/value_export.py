"""``/value/{analysis}.{csv,xlsx}``: every customer's row of a value page as a file for people.

The file holds the page's numbers for the page's options (scoring day, CLV horizon, churn
model, profit periods, matrix cell …), written for a reader, not a script
(:mod:`kano.adapters.web.value_files`); the REST API keeps the machine rows.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.web.deps import DbSession, SignedInPage, Web
from kano.adapters.web.labels import segment_names
from kano.adapters.web.page_figures import WarehouseVisit
from kano.adapters.web.rfm_drill import in_rfm_segment
from kano.adapters.web.value_figures import (
    Analyses,
    cell_option,
    customer_cards,
    day_option,
    money_option,
    only,
    workspace_currency,
)
from kano.adapters.web.value_words import INDUSTRIES
from kano.adapters.web.warehouse_reads import on_kept_warehouse

router = APIRouter()
ANALYSES = ("rfm", "matrix", "profit", "clv", "churn")


def _sheet_titles(_: Any) -> dict[str, str]:
    return {"rfm": _("RFM segments"), "matrix": _("Client matrix"),
            "profit": _("Profit formula"), "clv": _("Customer lifetime value"),
            "churn": _("Churn risk")}  # fmt: skip


@router.get("/value/{analysis}.{kind}")
def value_export(
    page: SignedInPage, web: Web, db: DbSession, analysis: str, kind: str, segment: str = "",
    cell: str = "", as_of: str = "", horizon: float = 52.0, pooled: bool = False,
    method: str = "", months: int = 3, industry: str = "generic", costs_before: str = "",
    costs_after: str = "", rfm: str = "", start: str = "",
) -> Response:  # fmt: skip
    """Every customer's row of an analysis as CSV or XLSX, with the page's options (the
    scoring day, CLV horizon, churn model, profit periods …), so the file matches the page."""
    # Imported here: the value models load sklearn/scipy, the export openpyxl (start-up cost).
    from kano.adapters.exports.table_files import (
        CSV_MEDIA_TYPE,
        XLSX_MEDIA_TYPE,
        table_csv,
        table_xlsx,
    )
    from kano.adapters.web.value_files import Reader, value_table
    from kano.analytics.value import views

    if analysis not in ANALYSES or kind not in ("csv", "xlsx") or page.workspace is None:
        return Response(status_code=404)
    workspace_id, slug = page.workspace.id, page.workspace.slug

    def rows(visit: WarehouseVisit) -> list[dict[str, Any]]:
        a = Analyses(visit, workspace_id)
        members = a.in_cell(segment or None, cell_option(cell))
        day, chosen = day_option(as_of, "as_of"), segment or None
        if analysis == "profit":
            return list(a.run(
                views.profit_view, segment=chosen, months=min(max(months, 1), 24),
                industry=industry if industry in INDUSTRIES else "generic",
                method=method if method in ("shapley", "log") else "shapley",
                costs_before=money_option(costs_before, "costs_before"),
                costs_after=money_option(costs_after, "costs_after"),
                start=day_option(start[:10], "start"),
            )["levers"])  # fmt: skip
        weeks = min(max(horizon, 1.0), 520.0)
        model = method if method in ("logistic", "boosting") else "logistic"
        found: list[dict[str, Any]] = {
            "rfm": lambda: in_rfm_segment(sorted(
                a.run(views.rfm_view, segment=chosen, as_of=day).customers,
                key=lambda c: -c["monetary"]), rfm[:100]),
            "matrix": lambda: sorted(a.run(views.matrix_view, segment=chosen, as_of=day).accounts,
                                     key=lambda c: -float(c["revenue_365d"])),
            "clv": lambda: sorted(a.run(views.clv_view, segment=chosen, pooled=pooled,
                                        horizon=weeks).customers, key=lambda c: -float(c["clv"])),
            "churn": lambda: a.run(views.churn_view, segment=chosen, method=model).customers,
        }[analysis]()  # fmt: skip
        return only(found, members)

    records, problem = on_kept_warehouse(web, workspace_id, rows, page.gettext)
    if problem is not None:
        return Response(problem, status_code=409, media_type="text/plain")
    reader = Reader(
        page.gettext, page.language.code, workspace_currency(page),
        {} if analysis == "profit" else customer_cards(db, workspace_id, records),
        segment_names(db, workspace_id),
    )
    header, lines = value_table(analysis, reader, records, csv=kind == "csv")
    stem = re.sub(
        r"[^A-Za-z0-9_-]+", "_", "-".join(p for p in (slug, analysis, segment, cell) if p)
    )
    if kind == "csv":
        body, media = table_csv(header, lines), CSV_MEDIA_TYPE
    else:
        body = table_xlsx(header, lines, sheet_title=_sheet_titles(page.gettext)[analysis],
                          widths=[max(12, min(40, len(title) + 4)) for title in header])
        media = XLSX_MEDIA_TYPE
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
        "Cache-Control": "no-store",
    })  # fmt: skip
