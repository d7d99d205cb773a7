"""The Responses page: every survey response of the workspace (issue 6: "a public survey
link answered in a browser shows up in the response list").

``/responses`` lists them newest first, 50 a page with an "Older" link, filtered by a GET
form (survey, channel, touchpoint, period, score band, with a comment, customer), each
with the delivery of its acknowledgement and the case it opened. ``/responses/{id}``
shows one with all its answers. ``/responses.csv`` and ``.xlsx`` download the filtered
list (at most ``EXPORT_LIMIT`` rows, streamed, as CSV; ``XLSX_LIMIT`` as XLSX). Every
role may read; nothing here writes. (Named ``responses_page`` beside the API's
``routers/responses.py``.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from fastapi import APIRouter
from starlette.responses import Response, StreamingResponse

from kano.adapters.db.survey_store import answer_lines
from kano.adapters.db.views.responses import (
    EXPORT_LIMIT,
    PAGE_SIZE,
    SCORE_BANDS,
    ResponseFilters,
    channels_of,
    export_lines,
    records_may_be_deleted,
    response_detail,
    response_page,
    surveys_of,
    touchpoints_of,
)
from kano.adapters.exports.response_table import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    response_csv_chunks,
    response_xlsx,
)
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.cases import DELIVERY_LABELS, STATUS_LABELS
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.requirements import KIND_LABELS
from kano.adapters.web.routes.requirements import STATUS_LABELS as REQUIREMENT_STATUS_LABELS
from kano.adapters.web.routes.surveys import KANO_LABELS
from kano.adapters.web.strategy_access import no_workspace, not_found

router = APIRouter()

SCORE_LABELS = {
    "detractor": N_("NPS detractors (0–6)"),
    "passive": N_("NPS passives (7–8)"),
    "promoter": N_("NPS promoters (9–10)"),
    "unhappy": N_("Unhappy (detractor, CSAT 1–2 or CES 1–3)"),
}
assert tuple(SCORE_LABELS) == SCORE_BANDS
MESSAGES = {
    "period": N_("Give the period as two dates (YYYY-MM-DD), the first not after the second."),
}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_ID = 2**63 - 1
KEY_LENGTH = 64
# openpyxl writes some 1,500 rows a second here (20,000 rows: 13 s; 100,000: 85 s before
# plain values, ~65 s after), and the workbook is built before the download starts: the
# XLSX stops earlier than the streamed CSV.
XLSX_LIMIT = 20_000


def _text(value: str, length: int) -> str:
    return CONTROL.sub("", value).strip()[:length]


def _day(value: str) -> date | None:
    """A YYYY-MM-DD day; None when empty. ValueError when it is not one."""
    return date.fromisoformat(value.strip()) if value.strip() else None


def _filters(survey: str, channel: str, touchpoint: str, date_from: str, date_to: str,
             score: str, comment: str, customer: str) -> tuple[ResponseFilters, str | None]:
    """The form's filters, and the message of a period that cannot be read (its dates
    are then left out of the filters)."""
    problem = None
    try:
        first, last = _day(date_from), _day(date_to)
        if first and last and first > last:
            raise ValueError("the period ends before it starts")
    except ValueError:
        first = last = None
        problem = MESSAGES["period"]
    filters = ResponseFilters(
        survey=_text(survey, KEY_LENGTH) or None,
        channel=_text(channel, 32) or None,
        touchpoint=_text(touchpoint, KEY_LENGTH) or None,
        date_from=first, date_to=last,
        score=score if score in SCORE_BANDS else None,
        commented=comment in ("1", "on", "yes", "true"),
        customer=_text(customer, 200) or None,
    )
    return filters, problem


def query_of(filters: ResponseFilters) -> dict[str, str]:
    """The filters as the form's query parameters (empty ones left out): the export
    links and the "Older" link keep them."""
    values = {
        "survey": filters.survey or "", "channel": filters.channel or "",
        "touchpoint": filters.touchpoint or "",
        "from": filters.date_from.isoformat() if filters.date_from else "",
        "to": filters.date_to.isoformat() if filters.date_to else "",
        "score": filters.score or "", "comment": "1" if filters.commented else "",
        "customer": filters.customer or "",
    }
    return {name: value for name, value in values.items() if value}


def _labels() -> dict[str, Any]:
    return {"delivery_labels": DELIVERY_LABELS, "status_labels": STATUS_LABELS,
            "score_labels": SCORE_LABELS, "kano_labels": KANO_LABELS,
            "requirement_kinds": KIND_LABELS,
            "requirement_statuses": REQUIREMENT_STATUS_LABELS}


@router.get("/responses")
def response_list(page: SignedInPage, db: DbSession, survey: str = "", channel: str = "",
                  touchpoint: str = "", score: str = "", comment: str = "",
                  customer: str = "", older: str = "") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    params = page.request.query_params  # "from" is a Python keyword: read it here
    filters, problem = _filters(survey, channel, touchpoint, params.get("from", ""),
                                params.get("to", ""), score, comment, customer)
    cursor = int(older) if older.isdigit() and 0 < int(older) <= MAX_ID else None
    workspace_id = page.workspace.id
    found = response_page(db, workspace_id, filters, cursor)
    query = query_of(filters)
    return page.render(
        "responses/index.html", status_code=422 if problem else 200, active="responses",
        found=found, filters=filters, problem=problem, page_size=PAGE_SIZE,
        surveys=surveys_of(db, workspace_id), touchpoints=touchpoints_of(db, workspace_id),
        channels=channels_of(db, workspace_id),
        csv_limit=format_decimal(EXPORT_LIMIT, locale=page.language.code),
        xlsx_limit=format_decimal(XLSX_LIMIT, locale=page.language.code),
        first_page=cursor is None, query=urlencode(query),
        older_query=urlencode(query | {"older": str(found.older)}) if found.older else None,
        **_labels(),
    )


def _export(page: SignedInPageContext, db: DbSession, kind: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    params = page.request.query_params
    filters, problem = _filters(*(params.get(name, "") for name in (
        "survey", "channel", "touchpoint", "from", "to", "score", "comment", "customer")))
    if problem:
        return Response(page.gettext(problem), status_code=422,
                        media_type="text/plain; charset=utf-8")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{page.workspace.slug}-responses")
    headers = {"Content-Disposition": f'attachment; filename="{stem}.{kind}"',
               "Cache-Control": "no-store"}
    workspace_id = page.workspace.id
    if kind == "xlsx":
        content = response_xlsx(export_lines(db, workspace_id, filters, limit=XLSX_LIMIT))
        return Response(content, media_type=XLSX_MEDIA_TYPE, headers=headers)
    # The rows are read while the file is sent, so the export has a session of its own:
    # the request's is closed once this function returns.
    sessions = page.web.container.sessions

    def chunks() -> Iterator[bytes]:
        with sessions() as session:
            yield from response_csv_chunks(export_lines(session, workspace_id, filters))

    return StreamingResponse(chunks(), media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
                             headers=headers)


@router.get("/responses.csv")
def responses_csv(page: SignedInPage, db: DbSession) -> Response:
    return _export(page, db, "csv")


@router.get("/responses.xlsx")
def responses_xlsx(page: SignedInPage, db: DbSession) -> Response:
    return _export(page, db, "xlsx")


@router.get("/responses/{response_id}")
def response(page: SignedInPage, db: DbSession, response_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not 0 < response_id <= MAX_ID:
        return not_found(page, "responses")
    detail = response_detail(db, page.workspace.id, response_id)
    if detail is None:
        return not_found(page, "responses")
    answers = answer_lines(db, page.workspace.id, response_id, page.language.code)
    kept_days = page.web.container.settings.outbox_retention_days
    return page.render("responses/response.html", active="responses", detail=detail,
                       line=detail.line, answers=answers,
                       records_may_be_deleted=records_may_be_deleted(
                           db, page.workspace.id, response_id, kept_days),
                       kept_days=kept_days, **_labels())
