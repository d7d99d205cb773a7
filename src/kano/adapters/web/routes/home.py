"""The home page: headline figures of the current workspace, one chart, and what needs
attention today (the scorecard, the case inbox, the OKRs, the pilots, the strategy map)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.db.views.attention import attention
from kano.adapters.db.views.home import home_figures
from kano.adapters.web.charts import revenue_and_nps_chart
from kano.adapters.web.deps import DbSession, SignedInPage
from kano.adapters.web.strategy_formats import STATUS_LABELS, StrategyFormats

router = APIRouter()


@router.get("/")
def home(page: SignedInPage, db: DbSession) -> Response:
    if page.workspace is None:
        return page.render("home/no_workspace.html", active="home")
    figures = home_figures(db, page.workspace.id)
    currency = page.workspace.currency
    chart = (
        revenue_and_nps_chart(figures.months, page.language.code, page.gettext, currency)
        if figures.months else None
    )
    now = datetime.now(UTC).replace(tzinfo=None)  # the database's times are naive UTC
    _ = page.gettext  # texts with a "%" are translated here: the templates' _() formats
    return page.render(
        "home/index.html", active="home", figures=figures, chart=chart,
        cards=attention(db, page.workspace.id, now),
        fmt=StrategyFormats(page.language.code, currency, page.ngettext),
        status_labels=STATUS_LABELS,
        currency=currency,
        interval_heading=_("Interval (95%)"),
        chart_note=_("The shaded band is the NPS interval (95%): a month-to-month change "
                     "within it can be chance alone."),
    )
