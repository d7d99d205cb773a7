"""Feedback responses (the CX, "say" layer) with the journey keys they were given at."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    WithJsonSchema,
)

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import ClientTimestamp, ExternalKey, Key, RequestBody
from kano.adapters.api.timestamps import UtcDateTime
from kano.domain.feedback.answers import COMMENT_MAX_LENGTH, SCALES

BULK_LIMIT = 1_000


class FeedbackResponse(BaseModel):
    """One survey response: the scores, the comment, and where in the journey it arose."""

    id: int
    customer_id: int | None
    segment_key: str | None = Field(description="The customer's current segment.")
    survey_key: str | None
    touchpoint_key: str | None
    stage_key: str | None = Field(description="The journey stage of the touchpoint.")
    team_key: str | None = Field(description="The team that owns the touchpoint.")
    channel: str = Field(description="Where the response came in (email, web, phone …).")
    transaction_id: int | None = Field(description="The purchase the response is about.")
    submitted_at: UtcDateTime
    nps: int | None = Field(description="Likelihood to recommend, 0–10.")
    csat: int | None = Field(description="Satisfaction, 1–5.")
    ces: int | None = Field(description="Customer effort, 1–7.")
    rating: int | None
    comment: str | None
    language: str | None


class FeedbackResponsePage(Page[FeedbackResponse]):
    """A page of responses; pass `next_cursor` back as `cursor` for the next one."""


# --- taking responses in ---------------------------------------------------------------


def _scale(name: str, what: str) -> Any:
    low, high = SCALES[name]
    return Field(None, ge=low, le=high,
                 description=f"{what}, {low}–{high}: a JSON number (text is refused).")


def _json_number(value: Any) -> Any:
    """A score is a JSON number: text ("4") and true/false are refused rather than
    converted, as pydantic's lax mode would; 4.0 passes as 4, as the domain's check of
    the survey's own score questions allows (``surveys.api_answers``). Forms, the widget
    and file import send text by nature and have their own conversions."""
    if isinstance(value, str):
        raise ValueError("must be a whole number, not text")
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    return value


Score = Annotated[int | None, BeforeValidator(_json_number)]


def _answer_value(value: Any) -> Any:
    """A number, a text or a list of texts (null: not answered); what the survey's
    question makes of it is checked later, against its definition."""
    if value is None or type(value) in (str, int) or (type(value) is float and value == value
                                                      and abs(value) != float("inf")):
        return value
    if type(value) is list and all(type(item) is str for item in value):
        return value
    raise ValueError("give a number, a text or a list of texts (choice keys)")


AnswerValue = Annotated[
    Any,
    PlainValidator(_answer_value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "null"},
            ]
        }
    ),
]


class AnswersIn(RequestBody):
    """The answers by question key; at least one. A survey without questions of its own
    takes the five keys below. A survey with questions (the survey builder) takes its
    question keys: a score as a number, a text or a single choice as text (the choice's
    key), a multi choice as a list of choice keys, a Kano pair as `<key>` and
    `<key>.dysfunctional`, each one of `like`, `must-be`, `neutral`, `live-with`,
    `dislike`; `nps`, `csat`, `ces`, `rating` and `comment` still mean its question of
    that type. Answers are checked against the survey's questions (required ones too),
    as on the public survey page; a wrong one is a 422 naming it (`answers.color`)."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)
    __pydantic_extra__: dict[str, AnswerValue] = Field(init=False)  # type: ignore[assignment]

    nps: Score = _scale("nps", "Likelihood to recommend")
    csat: Score = _scale("csat", "Satisfaction")
    ces: Score = _scale("ces", "Ease (CES 2.0 agreement)")
    rating: Score = _scale("rating", "Rating")
    comment: str | None = Field(None, max_length=COMMENT_MAX_LENGTH)


class RespondentIn(RequestBody):
    """Who answered: found by `external_id`, else by `email`; created when unknown."""

    email: Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    external_id: ExternalKey | None = None
    name: Annotated[str, Field(max_length=200)] | None = None


class ResponseIn(RequestBody):
    survey: Key = Field(description="The survey's key, e.g. `relationship-nps`.")
    channel: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$")] = (
        "api"
    )
    customer: RespondentIn | None = None
    answers: AnswersIn
    submitted_at: ClientTimestamp | None = Field(None, description="Default: now.")
    language: Literal["en", "ru", "hu"] | None = Field(
        None, description="The respondent's language (the acknowledgement uses it)."
    )
    touchpoint: Key | None = Field(None, description="Default: the survey's touchpoint.")


class AcceptedResponse(BaseModel):
    id: int
    survey: str
    customer_id: int | None
    submitted_at: UtcDateTime
    acknowledgement: Literal["queued", "none"] = Field(
        description="`queued`: an e-mail and/or webhook will tell the customer it arrived."
    )


def _is_default(value: bool) -> bool:
    return value is True


class BulkResponsesIn(RequestBody):
    responses: list[ResponseIn] = Field(min_length=1, max_length=BULK_LIMIT)
    # Left out of the dump when true, so a body without them fingerprints as before.
    acknowledge: StrictBool = Field(
        True,
        exclude_if=_is_default,
        description="`false`: queue no acknowledgements. For a backfill of old responses "
        "(e.g. from another survey tool), whose customers must not be told again; "
        "`kano feedback import` leaves them out likewise unless asked.",
    )
    open_cases: StrictBool = Field(
        True,
        exclude_if=_is_default,
        description="`false`: open no cases, e.g. for old responses followed up elsewhere.",
    )


class BulkAccepted(BaseModel):
    accepted: int
    ids: list[int]


class AcknowledgementStatus(BaseModel):
    kind: Literal["email", "webhook"]
    status: Literal["pending", "sent", "failed", "bounced"] = Field(
        description="pending (queued or being retried), sent, failed (could not be "
        "delivered), or bounced (an e-mail the mail server took and later returned; "
        "`last_error` holds its status code and diagnostic)."
    )
    attempts: int
    sent_at: UtcDateTime | None
    last_error: str | None = Field(
        description="The last delivery error; for a bounced e-mail, the bounce's status code "
        "and diagnostic."
    )


class AnswerOut(BaseModel):
    """An answer beyond the score columns: a choice, a further text, a Kano pair."""

    question: str = Field(description="The question's key in the survey.")
    value: str = Field(
        description="The choice key; a multi choice's keys joined by `,`; the text; a Kano "
        "pair as `functional/dysfunctional` (e.g. `like/dislike`)."
    )
    kano_category: str | None = Field(
        description="A Kano pair's category (attractive, one-dimensional, must-be, "
        "indifferent, reverse, questionable); null for other questions."
    )


class FeedbackResponseDetail(FeedbackResponse):
    acknowledgements: list[AcknowledgementStatus] = Field(
        description="Delivery of the acknowledgement messages of this response. Empty when "
        "none was queued, or when `kano worker` deleted the records of a delivered one "
        "(KANO_OUTBOX_RETENTION_DAYS after delivery, 90 by default)."
    )
    answers: list[AnswerOut] = Field(
        default_factory=list,
        description="The answers that have no score column, in the order they were stored.",
    )
