"""Every error the API returns is an RFC 9457 problem (``application/problem+json``).

Clients parse one shape whatever went wrong: ``type``, ``title``, ``status``, ``detail``,
``instance``. A 422 adds ``errors``, one entry per invalid field named by a dotted path
(``limit``, ``answers.nps``), so a client can point at the field instead of parsing
prose. A 500 says only that something failed: the stack trace goes to the server log,
never to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kano.adapters.api.schemas.problems import FieldError, Problem, ValidationProblem
from kano.domain.feedback.survey_status import SurveyClosed
from kano.domain.shared.errors import InvalidInput, NotFound, PermissionDenied

PROBLEM_MEDIA_TYPE = "application/problem+json"

# RFC 9110 renamed these; Python before 3.13 still has the old phrases.
_CURRENT_PHRASES = {413: "Content Too Large", 422: "Unprocessable Content"}

# Where FastAPI says a value came from; the client knows, so the field name drops it.
_REQUEST_PARTS = frozenset({"query", "path", "header", "cookie", "body"})

logger = logging.getLogger(__name__)


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def _standard_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a non-standard code must not break the error handler itself
        return "Error"


def status_title(status: int) -> str:
    return _CURRENT_PHRASES.get(status) or _standard_phrase(status)


def problem_response(
    request: Request,
    status: int,
    detail: str | None,
    *,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[FieldError] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> ProblemResponse:
    """The problem document for ``status``, titled with the standard HTTP phrase, with
    ``extensions`` as RFC 9457 extension members (``code`` …)."""
    fields: dict[str, Any] = {
        "title": status_title(status),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body = (
        ValidationProblem(**fields, errors=list(errors)) if errors is not None
        else Problem(**fields)
    )
    content = {**body.model_dump(mode="json"), **(extensions or {})}
    return ProblemResponse(content, status_code=status, headers=headers)


def field_name(location: Iterable[int | str]) -> str:
    """``("query", "limit")`` → ``limit``; ``("body", "answers", "nps")`` → ``answers.nps``."""
    parts = [str(part) for part in location]
    if len(parts) > 1 and parts[0] in _REQUEST_PARTS:
        parts = parts[1:]
    return ".".join(parts) or "request"


def field_errors(raw_errors: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic's error list as ``{field, message}`` pairs a client can show."""
    return [
        FieldError(
            field=field_name(error.get("loc", ())),
            message=str(error.get("msg", "is invalid")).removeprefix("Value error, "),
        )
        for error in raw_errors
    ]


def validation_problem(
    request: Request, errors: list[FieldError], extensions: Mapping[str, Any] | None = None
) -> ProblemResponse:
    first = errors[0]
    detail = f"{first.field}: {first.message}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return problem_response(request, 422, detail, errors=errors, extensions=extensions)


async def _on_request_validation(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors()) or [FieldError(field="request", message="is invalid")]
    return validation_problem(request, errors)


async def _on_invalid_input(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, InvalidInput)
    # An error with a code (e.g. clv_not_fitted) says it and what else it knows, so that a
    # program need not parse the message.
    extensions = {"code": exc.code, **exc.details()} if exc.code else None
    field = FieldError(field=exc.field, message=exc.message)
    return validation_problem(request, [field], extensions)


async def _on_survey_closed(request: Request, exc: Exception) -> ProblemResponse:
    # A valid answer to a survey its builder closed: the survey's state conflicts, not
    # the input (409, code survey_closed, the field and the survey named).
    assert isinstance(exc, SurveyClosed)
    return problem_response(
        request, 409, f"{exc.field}: {exc.message}",
        errors=[FieldError(field=exc.field, message=exc.message)],
        extensions={"code": exc.code, **exc.details()},
    )


async def _on_http_exception(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    # Starlette fills ``detail`` with the status phrase when there is nothing more to say.
    detail = exc.detail if exc.detail != _standard_phrase(exc.status_code) else None
    return problem_response(request, exc.status_code, detail, headers=exc.headers)


async def _on_not_found(request: Request, exc: Exception) -> ProblemResponse:
    return problem_response(request, 404, str(exc))


async def _on_permission_denied(request: Request, exc: Exception) -> ProblemResponse:
    return problem_response(request, 403, str(exc) or None)


async def _on_unexpected(request: Request, exc: Exception) -> ProblemResponse:
    # Starlette re-raises after sending this, so the server still logs the traceback.
    logger.error("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        request, 500, "An unexpected error occurred. It has been logged on the server."
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Route every kind of failure, ours and the framework's, to a problem document."""
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(InvalidInput, _on_invalid_input)
    app.add_exception_handler(SurveyClosed, _on_survey_closed)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(NotFound, _on_not_found)
    app.add_exception_handler(PermissionDenied, _on_permission_denied)
    app.add_exception_handler(Exception, _on_unexpected)


_PROBLEM_DESCRIPTIONS: dict[int, str] = {
    401: "No bearer token, or an unknown or revoked one.",
    403: "The token is valid but its scope does not allow this operation.",
    404: "Nothing with this id exists in the token's workspace.",
    422: "A parameter is invalid; `errors` names each one.",
    500: "An unexpected server error (logged on the server; no details are exposed).",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses.

    FastAPI files them under ``application/json``; ``kano.adapters.api.openapi`` moves
    every 4xx/5xx body to ``application/problem+json``, which is what is really sent.
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {
            "model": ValidationProblem if status == 422 else Problem,
            "description": _PROBLEM_DESCRIPTIONS[status],
        }
        if status == 401:
            entry["headers"] = {
                "WWW-Authenticate": {
                    "description": "The authentication scheme to use: `Bearer`.",
                    "schema": {"type": "string"},
                }
            }
        responses[status] = entry
    return responses
