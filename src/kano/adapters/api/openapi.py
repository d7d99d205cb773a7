"""The OpenAPI document, adjusted to say what the API really sends.

FastAPI files every documented response body under ``application/json``; error bodies
are RFC 9457 problems sent as ``application/problem+json``, so clients and schema-driven
testers (schemathesis) must see that media type for every 4xx and 5xx.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kano.adapters.api.errors import PROBLEM_MEDIA_TYPE

API_DESCRIPTION = """\
The REST API of Kano: customers, feedback responses and transactions of one workspace.

**Authentication.** Every call needs `Authorization: Bearer kano_…`, an API token of one
workspace; it sees that workspace's data and nothing else. A `read` token may call every
GET, a `write` token may also change data.

**Pages.** Lists return `{"items": [...], "next_cursor": ...}` ordered by id. Pass
`next_cursor` back as `cursor` until it is null; `limit` sets the page size (1–1000,
default 100).

**Errors.** Every error is an RFC 9457 problem (`application/problem+json`); a 422 lists
each invalid parameter in `errors` as `{field, message}`.

**Times.** Sent and received in ISO 8601; responses are in UTC (`Z`), and a time without
an offset in a request is taken as UTC.
"""


def _problems_as_problem_json(schema: dict[str, Any]) -> None:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` with a generator that applies the adjustment once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            _problems_as_problem_json(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
