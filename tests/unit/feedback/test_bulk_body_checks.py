"""The bulk body checked a field at a time (``schemas/feedback_bulk.py``) against the
``BulkResponsesIn`` model it stands in for: whatever the quick checks accept, the model
accepts with the same values and the same idempotency dump; whatever they decline, the
route's body type answers exactly as the model does (value or the same errors)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from kano.adapters.api.routers.responses import _bulk_columns, _checked_columns
from kano.adapters.api.schemas.feedback import BulkResponsesIn
from kano.adapters.api.schemas.feedback_bulk import (
    BulkResponsesBody,
    CheckedBulk,
    checked_bulk,
)
from kano.domain.shared.errors import InvalidInput

BODY = TypeAdapter(BulkResponsesBody)

_texts = st.text(max_size=8) | st.sampled_from(
    ["relationship-nps", "a", "A.b_c-1", "-x", "x\n", " ", "é", "\x00", "a" * 64, "a" * 65]
)
_odd = st.none() | st.booleans() | st.integers(-3, 13) | st.floats(-1, 12) | _texts
_emails = (
    st.sampled_from(
        ["ann@example.com", "a@b", "a b@c", "@b", "a@", "a@@b", "ä@b.hu", "a@b\n", "A@B.COM"]
    )
    | _odd
)
_timestamps = (
    st.sampled_from(
        [
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00Z",
            "2026-01-01T10:20:30.5+02:00",
            "2026-06-30T23:59:59.123456-11:30",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:00:00-02:00",
            "2026-02-30T00:00:00",
            "2026-01-01 00:00:00",
            "2026-01-01",
            "2026-01-01T24:00:00",
            "1700000000",
        ]
    )
    | _odd
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _mostly(valid: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a valid value, sometimes an odd one (so whole bodies are often valid)."""
    return st.integers(0, 12).flatmap(lambda pick: odd if pick == 0 else valid)


_answers = st.fixed_dictionaries(
    {},
    optional={
        "nps": _mostly(_maybe(st.integers(0, 10)), _odd),
        "csat": _mostly(_maybe(st.integers(1, 5)), _odd),
        "ces": _maybe(st.integers(1, 7)),
        "rating": _maybe(st.integers(1, 5)),
        "comment": _mostly(_maybe(st.sampled_from(["fine", "  ", " late \n", ""])), _odd),
    },
)
_customer = st.fixed_dictionaries(
    {},
    optional={
        "email": _mostly(_maybe(st.just("ann@example.com")), _emails),
        "external_id": _mostly(
            _maybe(st.sampled_from(["C-1", "x" * 64])),
            st.sampled_from([" ", "C\x01", "x" * 65]) | _odd,
        ),
        "name": _maybe(st.sampled_from(["Ann", "n" * 200, "n" * 201])),
    },
)
_item = st.fixed_dictionaries(
    {
        "survey": _mostly(st.sampled_from(["relationship-nps", "a" * 64]), _odd),
        "answers": _mostly(_answers, _answers.map(lambda a: {**a, "other": 1}) | _odd),
    },
    optional={
        "channel": _mostly(st.sampled_from(["api", "x-1_y"]), st.sampled_from(["Web", "a" * 33])),
        "customer": _mostly(_maybe(_customer), _customer.map(lambda c: {**c, "phone": "1"})),
        "submitted_at": _maybe(_timestamps),
        "language": _mostly(_maybe(st.sampled_from(["en", "ru", "hu"])), _odd),
        "touchpoint": _maybe(st.sampled_from(["delivery", "bad key"])),
    },
)
_option = _mostly(st.booleans(), _odd)
_bodies = _mostly(
    st.fixed_dictionaries(
        {"responses": st.lists(_item, max_size=4)},
        optional={"acknowledge": _option, "open_cases": _option},
    ),
    st.lists(_item, max_size=1) | st.fixed_dictionaries({"responses": _item}),
)


def _outcome(read: Any) -> Any:
    try:
        return ("columns", *read())
    except InvalidInput as error:
        return ("refused", error.field, error.message)


@given(_bodies)
def test_the_quick_checks_accept_only_what_the_model_accepts_and_read_it_alike(
    body: Any,
) -> None:
    try:
        model = BulkResponsesIn.model_validate(body)
    except ValidationError as error:
        with pytest.raises(ValidationError) as through_route:
            BODY.validate_python(body)
        assert through_route.value.json() == error.json()
        return
    read = BODY.validate_python(body)
    assert (read.acknowledge, read.open_cases) == (model.acknowledge, model.open_cases)
    if isinstance(read, CheckedBulk):
        assert read.dumped() == model.model_dump(mode="json")
        quick = _outcome(lambda: _checked_columns(read, {}))
    else:
        assert read == model
        quick = _outcome(lambda: _bulk_columns(read.responses, {}))
    slow = _outcome(lambda: _bulk_columns(model.responses, {}))
    if quick[0] == "columns":
        assert slow[0] == "columns"
        assert vars(quick[1]) == vars(slow[1]) and quick[2] == slow[2]
    else:
        assert quick == slow


def test_the_usual_body_is_read_by_the_quick_checks() -> None:
    body = {
        "responses": [
            {
                "survey": "relationship-nps",
                "customer": {"external_id": "C-1", "email": "ann@example.com", "name": "Ann"},
                "answers": {"nps": 3, "comment": " late "},
                "submitted_at": "2026-01-01T10:00:00+02:00",
                "language": "hu",
            },
            {"survey": "relationship-nps", "channel": "web", "answers": {"csat": 5}},
        ]
    }
    read = checked_bulk(body)
    assert read.submitted_at[0] is not None and read.submitted_at[0].hour == 8
    assert read.channel == ["api", "web"] and read.customer_given == [True, False]
    columns, answers = _checked_columns(read, {})
    assert columns.comment == ["late", None] and answers[0].nps == 3


def test_a_score_out_of_its_scale_is_the_models_error_naming_the_field() -> None:
    items = [{"survey": "s", "answers": {"nps": 5}} for _ in range(5)]
    items[3]["answers"]["nps"] = 11
    with pytest.raises(ValidationError) as error:
        BODY.validate_python({"responses": items})
    [problem] = error.value.errors()
    assert problem["loc"] == ("responses", 3, "answers", "nps")


def test_a_response_without_answers_is_refused_naming_it() -> None:
    read = checked_bulk({"responses": [{"survey": "s", "answers": {"nps": 1}},
                                {"survey": "s", "answers": {"comment": "  "}}]})  # fmt: skip
    with pytest.raises(InvalidInput) as error:
        _checked_columns(read, {})
    assert error.value.field == "responses.1.answers"


def test_backfill_options_are_read_and_left_out_of_the_fingerprint_when_true() -> None:
    items = [{"survey": "s", "answers": {"nps": 2}}]
    usual = checked_bulk({"responses": items})
    assert (usual.acknowledge, usual.open_cases) == (True, True)
    assert usual.dumped() == checked_bulk({"responses": items, "acknowledge": True}).dumped()
    backfill = checked_bulk({"responses": items, "acknowledge": False, "open_cases": False})
    assert (backfill.acknowledge, backfill.open_cases) == (False, False)
    assert backfill.dumped() != usual.dumped()
    with pytest.raises(ValidationError) as error:
        BODY.validate_python({"responses": items, "acknowledge": "false"})
    assert error.value.errors()[0]["loc"] == ("acknowledge",)
