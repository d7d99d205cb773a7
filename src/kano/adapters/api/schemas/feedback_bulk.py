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
from itertools import repeat
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
_LANGUAGES = frozenset(LANGUAGES)


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


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if type(value) is not str or _TIMESTAMP.fullmatch(value) is None:
        raise _Declined
    try:
        return as_naive_utc(datetime.fromisoformat(value))
    except ValueError as error:  # 31 February, or an offset past year 9999
        raise _Declined from error


_NONE = type(None)
_EMPTY: dict[str, Any] = {}  # an item's missing customer, read as no fields (never written)
_EMAILS = re.compile(rf"{_EMAIL.pattern}(?:\n{_EMAIL.pattern})*")
"""E-mails joined by newlines, each as :data:`_EMAIL` (which matches no newline): one
call for a batch instead of one per e-mail."""


def _column(rows: list[dict[str, Any]], name: str, default: Any = None) -> list[Any]:
    """``row.get(name, default)`` of every row, in C (``map`` over ``dict.get``)."""
    return list(map(dict.get, rows, repeat(name, len(rows)), repeat(default, len(rows))))


def _typed(values: list[Any], *kinds: type) -> list[Any]:
    """The values that are not None, after making sure each is of one of ``kinds``."""
    if not set(map(type, values)) <= {*kinds, _NONE}:
        raise _Declined
    return [value for value in values if value is not None]


def _texts(values: list[Any], pattern: re.Pattern[str] | None = None, longest: int = 0) -> None:
    """Every value None or a str (at most ``longest`` long, matching ``pattern``):
    each distinct value matched once (a batch names one or two surveys)."""
    given = _typed(values, str)
    if longest and given and max(map(len, given)) > longest:
        raise _Declined
    if pattern is not None:
        for value in set(given):
            if pattern.fullmatch(value) is None:
                raise _Declined


def _scores(values: list[Any], low: int, high: int) -> None:
    for value in set(_typed(values, int)):  # a bool is not an int here
        if not low <= value <= high:
            raise _Declined


def checked_bulk(body: Any) -> CheckedBulk:
    """The body as columns, or :class:`_Declined` when any value is not plainly valid.

    Checked a column at a time: each field of every item read with one ``map`` in C, its
    types compared as a set, each distinct value checked once (1,000 items: 2.2 → 0.9 ms
    of CPU, with one call per value before)."""
    if type(body) is not dict or "responses" not in body or not body.keys() <= _BODY_FIELDS:
        raise _Declined
    items = body["responses"]
    if type(items) is not list or not 1 <= len(items) <= BULK_LIMIT:
        raise _Declined
    options = {name: body.get(name, True) for name in _OPTIONS}
    if any(type(value) is not bool for value in options.values()):
        raise _Declined
    if set(map(type, items)) != {dict} or not _ITEM_FIELDS.issuperset(set().union(*items)):
        raise _Declined
    answers = _column(items, "answers")
    if set(map(type, answers)) != {dict} or not _ANSWER_FIELDS.issuperset(set().union(*answers)):
        raise _Declined
    survey = _column(items, "survey")
    if None in survey:
        raise _Declined
    _texts(survey, _KEY)
    channel = _column(items, "channel", "api")
    if None in channel:
        raise _Declined
    _texts(channel, _CHANNEL)
    scores = {name: _column(answers, name) for name in SCALES}
    for name, values in scores.items():
        _scores(values, *SCALES[name])
    comment = _column(answers, "comment")
    _texts(comment, None, COMMENT_MAX_LENGTH)
    customers = _column(items, "customer")
    given = _typed(customers, dict)
    if given and not _CUSTOMER_FIELDS.issuperset(set().union(*given)):
        raise _Declined
    whole = customers if len(given) == len(customers) else [c or _EMPTY for c in customers]
    email = _column(whole, "email")
    _texts(email, None, _EMAIL_MAX)
    emails = [value for value in email if value is not None]
    if emails and _EMAILS.fullmatch("\n".join(emails)) is None:
        raise _Declined
    external_id = _column(whole, "external_id")
    _texts(external_id, None, _EXTERNAL_ID_MAX)
    ids = [value for value in external_id if value is not None]
    if not all(map(str.strip, ids)) or _CONTROL.search("".join(ids)):
        raise _Declined
    name = _column(whole, "name")
    _texts(name, None, _NAME_MAX)
    submitted_at = _column(items, "submitted_at")
    if any(value is not None for value in submitted_at):
        submitted_at = list(map(_timestamp, submitted_at))
    language = _column(items, "language")
    if not set(_typed(language, str)) <= _LANGUAGES:
        raise _Declined
    touchpoint = _column(items, "touchpoint")
    _texts(touchpoint, _KEY)
    return CheckedBulk(
        survey=survey,
        channel=channel,
        nps=scores["nps"],
        csat=scores["csat"],
        ces=scores["ces"],
        rating=scores["rating"],
        comment=comment,
        customer_given=[customer is not None for customer in customers],
        customer_email=email,
        customer_external_id=external_id,
        customer_name=name,
        submitted_at=submitted_at,
        language=language,
        touchpoint=touchpoint,
        **options,
    )


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
