"""``/responses``: feedback responses with their survey, touchpoint, stage and team keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Row, Select, and_, select
from sqlalchemy.orm import Session

from kano.adapters.api.deps import ReadAccess, SessionDep, WriteAccess, container_of
from kano.adapters.api.editing import write_responses
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.idempotency import IdempotencyKey, run_once
from kano.adapters.api.json_route import OrjsonRoute
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import (
    ResourceId,
    TimeWindowParams,
    key_filter,
    optional_id,
    text_filter,
)
from kano.adapters.api.schemas.feedback import (
    AcceptedResponse,
    AcknowledgementStatus,
    AnswerOut,
    AnswersIn,
    BulkAccepted,
    FeedbackResponse,
    FeedbackResponseDetail,
    FeedbackResponsePage,
    ResponseIn,
)
from kano.adapters.api.schemas.feedback_bulk import BulkResponsesBody, CheckedBulk
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.db import feedback_bulk, orm
from kano.adapters.db.feedback_intake import Submission, accept_response
from kano.adapters.db.survey_store import answers_of, definitions_of
from kano.domain.feedback.answers import Answers, checked_answers
from kano.domain.feedback.surveys import (
    SCORE_KEYS,
    ExtraAnswer,
    SurveyAnswers,
    SurveyDefinition,
    api_answers,
    checked_scores_fit,
)
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter(prefix="/responses", tags=["feedback"], route_class=OrjsonRoute)
SURVEY_CLOSED_RESPONSE: dict[str, Any] = {
    "model": Problem,
    "description": "The survey is closed: it takes no answers (`code` survey_closed, the "
                   "field and the `survey` named). Nothing was stored.",
}
Definitions = Mapping[str, SurveyDefinition | None]


def nps_bound(description: str) -> Any:
    return Query(ge=0, le=10, description=description)


# The response, then the keys of its survey, touchpoint, stage, team and segment.
ResponseColumns = tuple[orm.FeedbackResponse, str, str, str, str, str]


def responses_of(workspace_id: int) -> Select[*ResponseColumns]:
    """Responses of one workspace with every journey key, in one query (no N+1).

    Each join repeats the workspace condition: a key from another workspace can never
    appear here even if a row referenced one by mistake.
    """
    response = orm.FeedbackResponse
    same_workspace = response.workspace_id
    return (
        select(
            response,
            orm.Survey.key.label("survey_key"),
            orm.Touchpoint.key.label("touchpoint_key"),
            orm.JourneyStage.key.label("stage_key"),
            orm.Team.key.label("team_key"),
            orm.Segment.key.label("segment_key"),
        )
        .outerjoin(
            orm.Survey,
            and_(orm.Survey.id == response.survey_id, orm.Survey.workspace_id == same_workspace),
        )
        .outerjoin(
            orm.Touchpoint,
            and_(
                orm.Touchpoint.id == response.touchpoint_id,
                orm.Touchpoint.workspace_id == same_workspace,
            ),
        )
        .outerjoin(
            orm.JourneyStage,
            and_(
                orm.JourneyStage.id == orm.Touchpoint.stage_id,
                orm.JourneyStage.workspace_id == same_workspace,
            ),
        )
        .outerjoin(
            orm.Team,
            and_(
                orm.Team.id == orm.Touchpoint.owner_team_id, orm.Team.workspace_id == same_workspace
            ),
        )
        .outerjoin(
            orm.Customer,
            and_(
                orm.Customer.id == response.customer_id, orm.Customer.workspace_id == same_workspace
            ),
        )
        .outerjoin(
            orm.Segment,
            and_(
                orm.Segment.id == orm.Customer.segment_id,
                orm.Segment.workspace_id == same_workspace,
            ),
        )
        .where(response.workspace_id == workspace_id)
    )


def response_from_row(row: Row[*ResponseColumns]) -> FeedbackResponse:
    response, survey_key, touchpoint_key, stage_key, team_key, segment_key = row
    return FeedbackResponse(
        id=response.id,
        customer_id=response.customer_id,
        segment_key=segment_key,
        survey_key=survey_key,
        touchpoint_key=touchpoint_key,
        stage_key=stage_key,
        team_key=team_key,
        channel=response.channel,
        transaction_id=response.transaction_id,
        submitted_at=response.submitted_at,
        nps=response.nps,
        csat=response.csat,
        ces=response.ces,
        rating=response.rating,
        comment=response.comment,
        language=response.language,
    )


@router.get(
    "",
    summary="List feedback responses",
    response_model=FeedbackResponsePage,
    responses=problem_responses(401, 403, 422, 500),
)
def list_responses(
    caller: ReadAccess,
    session: SessionDep,
    page: PageParams,
    window: TimeWindowParams,
    touchpoint: Annotated[
        str | None, key_filter("Only responses at this touchpoint (key).")
    ] = None,
    channel: Annotated[str | None, text_filter("Only responses from this channel.", 32)] = None,
    customer_id: Annotated[int | None, optional_id("Only responses of this customer.")] = None,
    min_nps: Annotated[int | None, nps_bound("Only responses with NPS ≥ this.")] = None,
    max_nps: Annotated[int | None, nps_bound("Only responses with NPS ≤ this.")] = None,
) -> FeedbackResponsePage:
    """Responses ordered by id; `since`/`until` filter on `submitted_at`. An NPS bound
    leaves out responses without an NPS score."""
    if min_nps is not None and max_nps is not None and max_nps < min_nps:
        raise InvalidInput("max_nps", "must not be below `min_nps`")
    response = orm.FeedbackResponse
    statement = window.apply(responses_of(caller.workspace_id), response.submitted_at)
    if touchpoint is not None:
        statement = statement.where(orm.Touchpoint.key == touchpoint)
    if channel is not None:
        statement = statement.where(response.channel == channel)
    if customer_id is not None:
        statement = statement.where(response.customer_id == customer_id)
    if min_nps is not None:
        statement = statement.where(response.nps >= min_nps)
    if max_nps is not None:
        statement = statement.where(response.nps <= max_nps)
    rows, next_cursor = fetch_page(session, statement, response.id, page)
    return FeedbackResponsePage(
        items=[response_from_row(row) for row in rows], next_cursor=next_cursor
    )


@router.get(
    "/{response_id}",
    summary="Get one feedback response",
    response_model=FeedbackResponseDetail,
    responses=problem_responses(401, 403, 404, 422, 500),
)
def get_response(
    caller: ReadAccess, session: SessionDep, response_id: ResourceId
) -> FeedbackResponseDetail:
    """One response of the token's workspace (any other id is a 404, whoever owns it),
    with the delivery status of its acknowledgements."""
    row = session.execute(
        responses_of(caller.workspace_id).where(orm.FeedbackResponse.id == response_id)
    ).first()
    if row is None:
        raise NotFound("response", response_id)
    messages = session.scalars(
        select(orm.OutboxMessageRow)
        .where(
            orm.OutboxMessageRow.workspace_id == caller.workspace_id,
            orm.OutboxMessageRow.response_id == response_id,
            # a closed loop's message has the same response; the case shows its delivery
            orm.OutboxMessageRow.purpose == "acknowledgement",
        )
        .order_by(orm.OutboxMessageRow.id)
    )
    acknowledgements = [
        AcknowledgementStatus(
            kind=m.kind,  # type: ignore[arg-type]
            status=m.status,  # type: ignore[arg-type]
            attempts=m.attempts,
            sent_at=m.sent_at,
            last_error=m.last_error,
        )
        for m in messages
    ]
    answers = [
        AnswerOut(
            question=answer.question,
            value=answer.value,
            kano_category=answer.kano_category.value if answer.kano_category else None,
        )
        for answer in answers_of(session, caller.workspace_id, response_id)
    ]
    return FeedbackResponseDetail(
        **response_from_row(row).model_dump(), acknowledgements=acknowledgements, answers=answers
    )


def raw_answers(given: AnswersIn) -> dict[str, Any]:
    """The answers of a body by key, those left out or null dropped."""
    raw = {name: value for name in SCORE_KEYS if (value := getattr(given, name)) is not None}
    if given.model_extra:
        raw.update((key, value) for key, value in given.model_extra.items() if value is not None)
    return raw


def checked_body_answers(
    body: ResponseIn, definitions: Definitions, field: str = "answers"
) -> SurveyAnswers:
    """The body's answers checked against its survey's definition in ``definitions``
    (``definitions_of``; None: the fixed score keys); the one rule of the route, the fast
    path and the bulk route. Answers beyond the score keys to a survey that does not exist
    are refused naming the survey, not the answer (``survey``, ``responses.2.survey``)."""
    raw = raw_answers(body.answers)
    definition = definitions.get(body.survey)
    if raw.keys() <= _SCORE_KEY_SET:  # score keys only: checked the cheap way first
        return checked_scores_fit(definition, checked_answers(raw, field), field)
    if body.survey not in definitions:
        raise InvalidInput(field.removesuffix("answers") + "survey",
                           f"no survey {body.survey!r} in this workspace")
    return api_answers(definition, raw, field)


_SCORE_KEY_SET = frozenset(SCORE_KEYS)


def _submission(body: ResponseIn, answers: SurveyAnswers) -> Submission:
    customer = body.customer
    return Submission(
        survey=body.survey,
        channel=body.channel,
        answers=answers.scores,
        customer_email=customer.email if customer else None,
        customer_external_id=customer.external_id if customer else None,
        customer_name=customer.name if customer else None,
        submitted_at=body.submitted_at,
        language=body.language,
        touchpoint=body.touchpoint,
        extra=answers.extra,
    )


def _accepted(session: Session, workspace_id: int, body: ResponseIn, email: bool) -> Any:
    answers = checked_body_answers(body, definitions_of(session, workspace_id, [body.survey]))
    accepted = accept_response(
        session, workspace_id, _submission(body, answers), email_enabled=email
    )
    return AcceptedResponse(
        id=accepted.response.id,
        survey=accepted.survey_key,
        customer_id=accepted.response.customer_id,
        submitted_at=accepted.response.submitted_at,
        acknowledgement=accepted.acknowledgement,  # type: ignore[arg-type]
    ).model_dump(mode="json")


@router.post(
    "",
    summary="Submit a survey response",
    status_code=201,
    response_model=AcceptedResponse,
    responses={**write_responses(400, 401, 403, 422, 500), 409: SURVEY_CLOSED_RESPONSE},
)
def submit_response(
    caller: WriteAccess,
    session: SessionDep,
    request: Request,
    body: ResponseIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Store the response and queue its acknowledgement (e-mail to the customer when
    KANO_SMTP_URL is set and the customer has not opted out; a signed webhook to each of
    the workspace's endpoints) in one transaction. With an `Idempotency-Key`, a repeat
    returns the first result (header `Idempotent-Replayed: true`) and stores nothing."""
    email = bool(container_of(request).settings.smtp_url)
    return run_once(
        session,
        caller.workspace_id,
        idempotency_key,
        body.model_dump(mode="json"),
        lambda: (201, _accepted(session, caller.workspace_id, body, email)),
    )


def _bulk_columns(
    items: list[ResponseIn], definitions: Definitions
) -> tuple[feedback_bulk.ResponseColumns, list[Answers]]:
    """The items as columns, answers checked as the single route checks them (a
    ``Submission`` and a ``model_dump`` per item were a sixth of a batch's server time)."""
    checked = [
        checked_body_answers(item, definitions, f"responses.{index}.answers")
        for index, item in enumerate(items)
    ]
    answers = [c.scores for c in checked]
    customers = [item.customer for item in items]
    batch = feedback_bulk.ResponseColumns(
        survey=[item.survey for item in items],
        channel=[item.channel for item in items],
        nps=[a.nps for a in answers],
        csat=[a.csat for a in answers],
        ces=[a.ces for a in answers],
        rating=[a.rating for a in answers],
        comment=[a.comment for a in answers],
        customer_email=[c.email if c else None for c in customers],
        customer_external_id=[c.external_id if c else None for c in customers],
        customer_name=[c.name if c else None for c in customers],
        submitted_at=[item.submitted_at for item in items],
        language=[item.language for item in items],
        touchpoint=[item.touchpoint for item in items],
        extra=[c.extra for c in checked] if any(c.extra for c in checked) else None,
    )
    return batch, answers


def _checked_columns(
    body: CheckedBulk, definitions: Definitions
) -> tuple[feedback_bulk.ResponseColumns, list[Answers]]:
    """:func:`_bulk_columns` for a body checked a field at a time (score keys only, in
    their scales already): comments stripped, the first response with no answer refused
    by ``checked_answers`` itself, so the error is the same, and the responses to a
    survey with questions checked against them (``checked_scores_fit``)."""
    comments = [None if c is None else (c.strip() or None) for c in body.comment]
    answers = [
        Answers(nps=n, csat=c, ces=e, rating=r, comment=t)
        for n, c, e, r, t in zip(body.nps, body.csat, body.ces, body.rating, comments, strict=True)
    ]
    for index, given in enumerate(answers):
        if given == _NO_ANSWER:
            checked_answers({}, f"responses.{index}.answers")  # raises
    extra: list[tuple[ExtraAnswer, ...]] | None = None
    if any(definition is not None for definition in definitions.values()):
        extra = [()] * len(answers)
        for index, (survey, given) in enumerate(zip(body.survey, answers, strict=True)):
            definition = definitions.get(survey)
            if definition is not None:
                # Usually the same answers; a survey whose `comment` key is not its first
                # text question keeps that answer beside the response instead.
                fitted = checked_scores_fit(definition, given, f"responses.{index}.answers")
                answers[index], extra[index] = fitted.scores, fitted.extra
    batch = feedback_bulk.ResponseColumns(
        survey=body.survey,
        channel=body.channel,
        nps=[a.nps for a in answers] if extra else body.nps,
        csat=[a.csat for a in answers] if extra else body.csat,
        ces=[a.ces for a in answers] if extra else body.ces,
        rating=[a.rating for a in answers] if extra else body.rating,
        comment=[a.comment for a in answers] if extra else comments,
        customer_email=body.customer_email,
        customer_external_id=body.customer_external_id,
        customer_name=body.customer_name,
        submitted_at=body.submitted_at,
        language=body.language,
        touchpoint=body.touchpoint,
        extra=extra if extra and any(extra) else None,
    )
    return batch, answers


_NO_ANSWER = Answers()


@router.post(
    ":bulk",
    summary="Submit many survey responses at once",
    status_code=201,
    response_model=BulkAccepted,
    responses={**write_responses(400, 401, 403, 422, 500), 409: SURVEY_CLOSED_RESPONSE},
)
def submit_responses_in_bulk(
    caller: WriteAccess,
    session: SessionDep,
    request: Request,
    body: BulkResponsesBody,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Up to 1,000 responses, all or nothing: one invalid response (named
    `responses.i.…`) stores none. Each is acknowledged like a single one (and opens a
    case by the same rules) unless `acknowledge` / `open_cases` is `false` (a backfill of
    old responses); stored set-based, a few statements for the whole batch."""
    email = bool(container_of(request).settings.smtp_url)
    workspace_id = caller.workspace_id

    # Usually the body checked a field at a time (schemas/feedback_bulk.py), else the model.
    given = cast(object, body)

    def accept_all() -> tuple[int, Any]:
        if isinstance(given, CheckedBulk):
            definitions = definitions_of(session, workspace_id, given.survey)
            batch, answers = _checked_columns(given, definitions)
        else:
            surveys = [item.survey for item in body.responses]
            definitions = definitions_of(session, workspace_id, surveys)
            batch, answers = _bulk_columns(body.responses, definitions)
        ids = feedback_bulk.accept_columns(
            session, workspace_id, batch, email_enabled=email, answers=answers,
            acknowledge=body.acknowledge, open_cases=body.open_cases,  # on either reading
        ).ids  # fmt: skip
        return 201, {"accepted": len(ids), "ids": ids}

    # The fingerprint only matters with a key (the dump and hash cost ~13 ms a batch).
    payload: Any = None
    if idempotency_key is not None:
        payload = given.dumped() if isinstance(given, CheckedBulk) else body.model_dump(mode="json")
    return run_once(session, workspace_id, idempotency_key, payload, accept_all)
