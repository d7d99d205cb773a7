"""FastAPI dependencies of the web UI, as ``Annotated`` aliases a route can just declare.

``SignedInPage`` is the usual one: it needs a live session (else the visitor is sent to
``/login?next=…``), knows the viewer, their current workspace and the UI language, and
renders templates. Routes that change state also declare ``CsrfChecked``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kano.adapters.web.csrf import check_session_token, submitted_token
from kano.adapters.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    LanguageChoice,
    choose_language,
)
from kano.adapters.web.sessions import SESSION_COOKIE
from kano.adapters.web.templating import Templates
from kano.adapters.web.viewer import Viewer, WorkspaceChoice, load_viewer
from kano.bootstrap import Container

LANGUAGE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class WebState:
    """What the web routes share, built once by ``install_web``."""

    container: Container
    templates: Templates


class LoginRequired(Exception):
    """Raised for a page that needs a session; answered with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.kano_web
    return state


Web = Annotated[WebState, Depends(web_state)]


def database_session(web: Web) -> Iterator[Session]:
    """A session for one request; routes that write commit it themselves, before responding."""
    session = web.container.sessions()
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(database_session)]


def optional_viewer(request: Request, db: DbSession) -> Viewer | None:
    viewer = load_viewer(db, request.cookies.get(SESSION_COOKIE))
    request.state.viewer = viewer  # for the error handlers, which get no dependencies
    return viewer


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]


def required_viewer(request: Request, viewer: OptionalViewer) -> Viewer:
    if viewer is None:
        path = request.url.path
        raise LoginRequired(f"{path}?{request.url.query}" if request.url.query else path)
    return viewer


SignedInViewer = Annotated[Viewer, Depends(required_viewer)]


def language_for(request: Request, viewer: Viewer | None, web: WebState) -> LanguageChoice:
    return choose_language(
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        user_language=viewer.language if viewer else None,
        accept_language=request.headers.get("accept-language"),
        default=web.container.settings.default_language,
    )


@dataclass(frozen=True)
class Page:
    """Renders the response of one request in its language, with the layout's context."""

    request: Request
    web: WebState
    language: LanguageChoice
    viewer: Viewer | None

    def gettext(self, message: str) -> str:
        return self.web.templates.gettext(self.language.code, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.web.templates.ngettext(self.language.code, singular, plural, n)

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = self.web.templates.render(self.language.code, template, {
            "viewer": self.viewer,
            "current_path": self.request.url.path,
            "language_links": self.language_links(),
            "csrf_token": self.viewer.csrf_token if self.viewer else None,
            **context,
        })
        response = HTMLResponse(html, status_code=status_code)
        # Pages show one tenant's data: never keep them in a shared or browser cache.
        response.headers["Cache-Control"] = "no-store"
        self.remember_language(response)
        return response

    def language_links(self) -> dict[str, str]:
        """This page in each language (its other query parameters kept, ``next`` above all).

        A page answering a POST (an error page) has no address to reload, so its links
        lead to the start page instead.
        """
        if self.request.method == "GET":
            base = self.request.url
        else:
            base = self.request.url.replace(path="/" if self.viewer else "/login", query="")
        links = {}
        for code in LANGUAGES:
            url = base.include_query_params(lang=code)
            links[code] = f"{url.path}?{url.query}"
        return links

    def redirect(self, url: str) -> RedirectResponse:
        response = RedirectResponse(url, status_code=303)
        self.remember_language(response)
        return response

    def remember_language(self, response: Response) -> None:
        if self.language.asked_in_query:
            response.set_cookie(
                LANGUAGE_COOKIE, self.language.code, max_age=LANGUAGE_COOKIE_MAX_AGE_SECONDS,
                path="/", httponly=True, samesite="lax",
                secure=self.web.container.settings.cookie_secure,
            )


@dataclass(frozen=True)
class SignedInPageContext(Page):
    viewer: Viewer

    @property
    def workspace(self) -> WorkspaceChoice | None:
        return self.viewer.workspace


def any_page(request: Request, web: Web, viewer: OptionalViewer) -> Page:
    return Page(request, web, language_for(request, viewer, web), viewer)


def signed_in_page(request: Request, web: Web, viewer: SignedInViewer) -> SignedInPageContext:
    return SignedInPageContext(request, web, language_for(request, viewer, web), viewer)


AnyPage = Annotated[Page, Depends(any_page)]
SignedInPage = Annotated[SignedInPageContext, Depends(signed_in_page)]


async def csrf_checked(request: Request, viewer: SignedInViewer) -> None:
    """Reject (403) a state-changing request whose token is not the session's."""
    check_session_token(viewer.csrf_token, await submitted_token(request))


CsrfChecked = Depends(csrf_checked)
