"""The body of ``POST /responses:bulk`` checked a field at a time, pydantic as the fallback.

Validating 1,000 ``ResponseIn`` models cost 10–20 ms of a batch's server CPU (some of
their rules are Python validators run per item), and dumping them again for the
idempotency fingerprint another 9 ms. :data:`BulkResponsesBody` is ``BulkResponsesIn``
with a wrap validator in front: a body whose every value is plainly valid (the shapes
API clients send: JSON strings, whole numbers, ISO timestamps) is checked here with a
few comparisons per value and handed on as :class:`CheckedBulk` columns; anything else —
a wrong type, a value out of range, a number given as text, an unusual timestamp — goes to
the model itself, which accepts or refuses it exactly as before, with the same 422
errors (``responses.3.answers.nps``). So these checks only have to be *at least as
strict* as the model's, never looser (a hypothesis test holds both equal on what they
accept). The OpenAPI schema is the model's: the wrap validator does not change it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import ValidatorFunctionWrapHandler, WrapValidator

from kano.adapters.api.schemas.feedback import BULK_LIMIT, BulkResponsesIn
from kano.adapters.api.timestamps import as_naive_utc
from kano.domain.feedback.answers import COMMENT_MAX_LENGTH, LANGUAGES, SCALES

_ITEM_FIELDS = frozenset(
    ("survey", "channel", "customer", "answers", "submitted_at", "language", "touchpoint")
)
_OPTIONS = ("acknowledge", "open_cases")
_BODY_FIELDS = frozenset(("responses", *_OPTIONS))
_CUSTOMER_FIELDS = frozenset(("email", "external_id", "name"))
_ANSWER_FIELDS = frozenset((*SCALES, "comment"))
# Stricter than the model's patterns: full matches (Python's ``$`` also matches before a
# final newline), e-mails of printable ASCII only (``\s`` differs between Python and
# the Rust regex engine outside ASCII).
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_CHANNEL = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_EMAIL = re.compile(r"[!-?A-~]+@[!-?A-~]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# An ISO 8601 timestamp as API clients write it; fromisoformat reads it as pydantic does.
_TIMESTAMP = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?"
)
_EXTERNAL_ID_MAX, _NAME_MAX, _EMAIL_MAX = 64, 200, 320


class _Declined(Exception):
    """A value this module does not vouch for: the model decides."""


@dataclass(frozen=True)
class CheckedBulk:
    """A bulk body as columns (one list per field, all as long), as the model would have
    read it: defaults filled in, timestamps as naive UTC. Comments are as given (the
    domain's ``checked_answers`` rules are the route's)."""

    survey: list[str]
    channel: list[str]
    nps: list[int | None]
    csat: list[int | None]
    ces: list[int | None]
    rating: list[int | None]
    comment: list[str | None]
    customer_given: list[bool]
    customer_email: list[str | None]
    customer_external_id: list[str | None]
    customer_name: list[str | None]
    submitted_at: list[datetime | None]
    language: list[str | None]
    touchpoint: list[str | None]
    acknowledge: bool = True
    open_cases: bool = True

    def __len__(self) -> int:
        return len(self.survey)

    def dumped(self) -> dict[str, Any]:
        """What ``BulkResponsesIn.model_dump(mode="json")`` gives for this body (the
        idempotency fingerprint hashes it, so a repeat matches whichever path read it)."""
        items = []
        for i in range(len(self.survey)):
            at = self.submitted_at[i]
            items.append(
                {
                    "survey": self.survey[i],
                    "channel": self.channel[i],
                    "customer": {
                        "email": self.customer_email[i],
                        "external_id": self.customer_external_id[i],
                        "name": self.customer_name[i],
                    }
                    if self.customer_given[i]
                    else None,
                    "answers": {
                        "nps": self.nps[i],
                        "csat": self.csat[i],
                        "ces": self.ces[i],
                        "rating": self.rating[i],
                        "comment": self.comment[i],
                    },
                    "submitted_at": None if at is None else at.isoformat(),
                    "language": self.language[i],
                    "touchpoint": self.touchpoint[i],
                }
            )
        options = {name: False for name in _OPTIONS if not getattr(self, name)}
        return {"responses": items, **options}  # the model leaves out options left true


def _text(value: Any, pattern: re.Pattern[str] | None = None, longest: int = 0) -> str:
    if type(value) is not str or (longest and len(value) > longest):
        raise _Declined
    if pattern is not None and pattern.fullmatch(value) is None:
        raise _Declined
    return value


def _optional_text(
    value: Any, pattern: re.Pattern[str] | None = None, longest: int = 0
) -> str | None:
    return None if value is None else _text(value, pattern, longest)


def _score(value: Any, low: int, high: int) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not low <= value <= high:  # a bool is not an int here
        raise _Declined
    return value


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if type(value) is not str or _TIMESTAMP.fullmatch(value) is None:
        raise _Declined
    try:
        return as_naive_utc(datetime.fromisoformat(value))
    except ValueError as error:  # 31 February, or an offset past year 9999
        raise _Declined from error


def checked_bulk(body: Any) -> CheckedBulk:
    """The body as columns, or :class:`_Declined` when any value is not plainly valid."""
    if type(body) is not dict or "responses" not in body or not body.keys() <= _BODY_FIELDS:
        raise _Declined
    items = body["responses"]
    if type(items) is not list or not 1 <= len(items) <= BULK_LIMIT:
        raise _Declined
    options = {name: body.get(name, True) for name in _OPTIONS}
    if any(type(value) is not bool for value in options.values()):
        raise _Declined
    get = dict.get
    columns = CheckedBulk([], [], [], [], [], [], [], [], [], [], [], [], [], [], **options)
    (nps_low, nps_high), (csat_low, csat_high) = SCALES["nps"], SCALES["csat"]
    (ces_low, ces_high), (rating_low, rating_high) = SCALES["ces"], SCALES["rating"]
    for item in items:
        if type(item) is not dict or not item.keys() <= _ITEM_FIELDS:
            raise _Declined
        answers = item.get("answers")
        if type(answers) is not dict or not answers.keys() <= _ANSWER_FIELDS:
            raise _Declined
        columns.survey.append(_text(item.get("survey"), _KEY))
        columns.channel.append(_text(item["channel"], _CHANNEL) if "channel" in item else "api")
        columns.nps.append(_score(get(answers, "nps"), nps_low, nps_high))
        columns.csat.append(_score(get(answers, "csat"), csat_low, csat_high))
        columns.ces.append(_score(get(answers, "ces"), ces_low, ces_high))
        columns.rating.append(_score(get(answers, "rating"), rating_low, rating_high))
        columns.comment.append(_optional_text(get(answers, "comment"), None, COMMENT_MAX_LENGTH))
        customer = item.get("customer")
        if customer is None:
            email = external_id = name = None
        elif type(customer) is dict and customer.keys() <= _CUSTOMER_FIELDS:
            email = _optional_text(get(customer, "email"), _EMAIL, _EMAIL_MAX)
            external_id = _optional_text(get(customer, "external_id"), None, _EXTERNAL_ID_MAX)
            if external_id is not None and (
                not external_id.strip() or _CONTROL.search(external_id)
            ):
                raise _Declined
            name = _optional_text(get(customer, "name"), None, _NAME_MAX)
        else:
            raise _Declined
        columns.customer_given.append(customer is not None)
        columns.customer_email.append(email)
        columns.customer_external_id.append(external_id)
        columns.customer_name.append(name)
        columns.submitted_at.append(_timestamp(item.get("submitted_at")))
        language = item.get("language")
        if language is not None and language not in LANGUAGES:
            raise _Declined
        columns.language.append(language)
        columns.touchpoint.append(_optional_text(item.get("touchpoint"), _KEY))
    return columns


def _checked_or_model(
    body: Any, model: ValidatorFunctionWrapHandler
) -> CheckedBulk | BulkResponsesIn:
    try:
        return checked_bulk(body)
    except _Declined:
        validated: BulkResponsesIn = model(body)
        return validated


BulkResponsesBody = Annotated[BulkResponsesIn, WrapValidator(_checked_or_model)]
"""The route's body type: a :class:`CheckedBulk` when every value is plainly valid,
else the validated ``BulkResponsesIn`` (or the model's 422)."""
