"""Special requirements read from untrusted fields: every problem names its field; the
overdue rule; and the invitation status read from the outbox."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.adapters.db.invitations import invitation_status
from kano.domain.feedback.requirements import (
    RequirementKind,
    RequirementStatus,
    checked_requirement,
    is_overdue,
)
from kano.domain.shared.errors import InvalidInput

VALID = {"customer": "C-1042", "kind": "Chemical", "text": " No toluene ",
         "status": "in effect", "review_on": "2027-03-31"}


def test_a_valid_requirement_is_normalised() -> None:
    draft = checked_requirement(VALID)
    assert (draft.kind, draft.status, draft.text, draft.review_on) == (
        RequirementKind.CHEMICAL, RequirementStatus.IN_EFFECT, "No toluene", date(2027, 3, 31))
    assert checked_requirement({**VALID, "status": None}).status is RequirementStatus.PROPOSED


@pytest.mark.parametrize(("change", "field"), [
    ({"customer": None}, "row.customer"),
    ({"customer": "C\x00"}, "row.customer"),
    ({"kind": "colour"}, "row.kind"),
    ({"kind": 3}, "row.kind"),
    ({"text": "   "}, "row.text"),
    ({"text": "x" * 4_001}, "row.text"),
    ({"status": "done"}, "row.status"),
    ({"owner": "a\nb"}, "row.owner"),
    ({"product": "p" * 65}, "row.product"),
    ({"review_on": "2027-02-30"}, "row.review_on"),
    ({"review_on": 20270101}, "row.review_on"),
    ({"colour": "red"}, "row.colour"),
])
def test_each_problem_names_its_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        checked_requirement({**VALID, **change}, prefix="row.")
    assert caught.value.field == field


@given(st.dictionaries(st.sampled_from(["customer", "kind", "text", "status", "owner",
                                        "product", "process", "review_on", "other"]),
                       st.one_of(st.none(), st.text(max_size=80), st.integers())))
def test_any_input_is_a_draft_or_an_error_naming_a_field(raw: dict[str, object]) -> None:
    try:
        draft = checked_requirement(raw)
    except InvalidInput as error:
        assert error.field in raw or error.field in {"customer", "kind", "text"}
    else:
        assert draft.text.strip() == draft.text and draft.customer


def test_overdue_means_past_review_date_and_not_retired() -> None:
    today = date(2026, 12, 4)
    assert is_overdue(date(2026, 12, 3), "agreed", today)
    assert not is_overdue(date(2026, 12, 4), "agreed", today)
    assert not is_overdue(date(2026, 12, 3), "retired", today)
    assert not is_overdue(None, "agreed", today)


@pytest.mark.parametrize(("answered", "reminded", "first", "reminder", "status"), [
    (False, False, "pending", None, "queued"),
    (False, False, "sent", None, "sent"),
    (False, True, "sent", "pending", "reminded"),
    (False, True, "sent", "sent", "reminded"),
    (False, False, "failed", None, "failed"),
    (False, True, "sent", "failed", "failed"),
    (True, True, "sent", "failed", "answered"),
    (True, False, "pending", None, "answered"),
])
def test_invitation_status(answered: bool, reminded: bool, first: str, reminder: str | None,
                           status: str) -> None:
    assert invitation_status(answered, reminded, first, reminder) == status
