"""Wires the web UI into the application: routes, static files, headers, error pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from kano.adapters.web.csrf import CsrfRejected
from kano.adapters.web.deps import LoginRequired, Page, WebState, language_for
from kano.adapters.web.i18n import load_all_translations
from kano.adapters.web.routes import (
    auth,
    cases,
    customer_list,
    customers,
    cx,
    home,
    journeys,
    linkage,
    mbo,
    metrics,
    okr,
    pilots,
    requirements,
    responses_page,
    scorecard,
    scorecard_objectives,
    segments,
    set_password,
    staff_entry,
    strategy_map,
    strategy_session,
    survey_invitations,
    survey_public,
    survey_quotas,
    survey_widget,
    surveys,
    text_themes,
    value,
    workspace,
)
from kano.adapters.web.routes.settings_page import AdministrationRefused, answer_refusal
from kano.adapters.web.security_headers import SecurityHeaders
from kano.adapters.web.templating import Templates
from kano.bootstrap import Container

STATIC_DIR = Path(__file__).parent / "static"

# The web pages; every item of the navigation (routes/navigation.py) is one of them.
PAGE_ROUTERS = (
    auth.router, workspace.router, home.router,
    scorecard.router, scorecard_objectives.router, strategy_map.router,
    strategy_session.router, okr.router, mbo.router, metrics.router,
    cases.router, cx.router, journeys.router, linkage.router, value.router, customers.router,
    surveys.router, survey_quotas.router, survey_invitations.router, staff_entry.router,
    survey_public.router, survey_widget.router,
    requirements.router, responses_page.router, set_password.router, pilots.router,
    text_themes.router,
    customer_list.router, segments.router,
)


def install_web(app: FastAPI, container: Container) -> None:
    """Add the web UI to ``app`` (the API is mounted separately under /api/v1)."""
    app.state.kano_web = WebState(container, Templates(load_all_translations()))
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.add_exception_handler(LoginRequired, _send_to_login)
    app.add_exception_handler(CsrfRejected, _refuse_forged_request)
    app.add_exception_handler(AdministrationRefused, answer_refusal)


def _send_to_login(request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    target = RedirectResponse(f"/login?{urlencode({'next': error.next_path})}", status_code=303)
    if request.headers.get("HX-Request"):
        # HTMX would swap the login page into a fragment; have it load the page instead.
        return Response(status_code=401, headers={"HX-Redirect": target.headers["location"]})
    return target


def _refuse_forged_request(request: Request, _error: Exception) -> Response:
    web: WebState = request.app.state.kano_web
    viewer = getattr(request.state, "viewer", None)
    page = Page(request, web, language_for(request, viewer, web), viewer)
    return page.render("errors/csrf.html", status_code=403)

