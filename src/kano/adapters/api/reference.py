"""The browsable API reference at ``/api/v1/docs``: Swagger UI, served by Kano itself.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script,
which neither an offline install nor the site's Content-Security-Policy (``script-src
'self'``, no inline code) allows. Here the page is plain HTML that loads the vendored
bundle and a small init script from ``/static``, so it runs under the same policy as every
other page: Swagger UI styles itself from its .css file and sets the few dynamic styles
through the DOM, which ``style-src 'self'`` does not forbid.

Like ``/openapi.json`` the page needs no login: it shows what the API offers, not a
workspace's data; "Try it out" calls send the token entered under "Authorize". The page
is in English, as the OpenAPI document it shows is.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

DOCS_PATH = "/docs"

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kano API reference</title>
  <link rel="icon" href="/static/img/kano.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/vendor/swagger-ui.css">
  <script src="/static/vendor/swagger-ui-bundle.js" defer></script>
  <script src="/static/js/api-reference.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}">
    <noscript><p>The API reference needs JavaScript. The OpenAPI document is at
    <a href="{openapi_url}">{openapi_url}</a>.</p></noscript>
  </div>
</body>
</html>
"""


def install_reference(api: FastAPI, prefix: str) -> None:
    """Serve the reference page of ``api`` (mounted at ``prefix``) at ``prefix/docs``."""
    page = _PAGE.format(openapi_url=f"{prefix}{api.openapi_url}")

    @api.get(DOCS_PATH, include_in_schema=False, response_class=HTMLResponse)
    def api_reference() -> HTMLResponse:
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
