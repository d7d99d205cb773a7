"""The home page: headline figures of the current workspace and one chart."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.db.views.home import home_figures
from kano.adapters.web.charts import revenue_and_nps_chart
from kano.adapters.web.deps import DbSession, SignedInPage

router = APIRouter()


@router.get("/")
def home(page: SignedInPage, db: DbSession) -> Response:
    if page.workspace is None:
        return page.render("home/no_workspace.html", active="home")
    figures = home_figures(db, page.workspace.id)
    chart = (
        revenue_and_nps_chart(figures.months, page.language.code, page.gettext)
        if figures.months else None
    )
    return page.render("home/index.html", active="home", figures=figures, chart=chart)
