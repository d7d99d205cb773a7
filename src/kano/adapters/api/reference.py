"""The browsable API reference at ``/api/v1/docs``: Swagger UI, served by Kano itself.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script,
which neither an offline install nor the site's Content-Security-Policy (``script-src
'self'``, no inline code) allows. Here the page is plain HTML that loads the vendored
bundle and a small init script from ``/static``, so it runs under the same policy as every
other page: Swagger UI styles itself from its .css file and sets the few dynamic styles
through the DOM, which ``style-src 'self'`` does not forbid.

Like ``/openapi.json`` the page needs no login: it shows what the API offers, not a
workspace's data; "Try it out" calls send the token entered under "Authorize".

The page speaks the reader's UI language, chosen as every web page chooses it (``?lang=``,
the remembered choice, the signed-in user's profile, the browser, the default). Swagger UI
itself knows English only, so the page carries a dictionary of its own words (buttons,
headings, table headers: ``kano.adapters.web.api_reference_words``) translated through
the gettext catalogue, and static/js/api-reference.js puts them in place of the English
ones as Swagger UI renders. What the OpenAPI document says (summaries, descriptions,
names) stays as written.
"""

from __future__ import annotations

import json
from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from kano.adapters.web.api_reference_words import (
    NEEDS_JAVASCRIPT,
    PAGE_TITLE,
    SWAGGER_UI_WORDS,
)
from kano.adapters.web.i18n import LANGUAGE_COOKIE, LANGUAGES, choose_language, load_translations
from kano.adapters.web.sessions import SESSION_COOKIE, find_session
from kano.bootstrap import Container

DOCS_PATH = "/docs"
LANGUAGE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600  # as the web pages remember a choice

_PAGE = """\
<!doctype html>
<html lang="{language}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="/static/img/kano.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/vendor/swagger-ui.css">
  <script src="/static/vendor/swagger-ui-bundle.js" defer></script>
  <script src="/static/js/api-reference.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}" data-words="{words}">
    <noscript><p>{needs_javascript}
    <a href="{openapi_url}">{openapi_url}</a></p></noscript>
  </div>
</body>
</html>
"""


def reference_page(language: str, openapi_url: str) -> str:
    """The page in ``language``: its title and Swagger UI's words from the catalogue."""
    gettext = load_translations(language).gettext
    words = {word: gettext(word) for word in SWAGGER_UI_WORDS}
    changed = {word: text for word, text in words.items() if text != word}
    return _PAGE.format(
        language=language,
        title=escape(gettext(PAGE_TITLE)),
        openapi_url=escape(openapi_url),
        words=escape(json.dumps(changed, ensure_ascii=False, sort_keys=True)),
        needs_javascript=escape(gettext(NEEDS_JAVASCRIPT)),
    )


def profile_language(container: Container, session_secret: str | None) -> str | None:
    """The UI language in the profile of the signed-in reader, if any."""
    if not session_secret:
        return None
    with container.sessions() as db:
        found = find_session(db, session_secret)
        return found[1].language if found else None


def install_reference(api: FastAPI, prefix: str) -> None:
    """Serve the reference page of ``api`` (mounted at ``prefix``) at ``prefix/docs``."""
    openapi_url = f"{prefix}{api.openapi_url}"
    pages = {language: reference_page(language, openapi_url) for language in LANGUAGES}

    @api.get(DOCS_PATH, include_in_schema=False, response_class=HTMLResponse)
    def api_reference(request: Request) -> HTMLResponse:
        container: Container = request.app.state.container
        choice = choose_language(
            query=request.query_params.get("lang"),
            cookie=request.cookies.get(LANGUAGE_COOKIE),
            user_language=profile_language(container, request.cookies.get(SESSION_COOKIE)),
            accept_language=request.headers.get("accept-language"),
            default=container.settings.default_language,
        )
        response = HTMLResponse(pages[choice.code], headers={
            "Cache-Control": "no-cache", "Content-Language": choice.code,
            "Vary": "Cookie, Accept-Language",
        })  # fmt: skip
        if choice.asked_in_query:
            response.set_cookie(
                LANGUAGE_COOKIE, choice.code, max_age=LANGUAGE_COOKIE_MAX_AGE_SECONDS,
                path="/", httponly=True, samesite="lax",
                secure=container.settings.cookie_secure,
            )  # fmt: skip
        return response
