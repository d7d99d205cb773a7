"""The acknowledgement e-mail promises a call back only when a case will bring one, and
then within the case's first-response time, in the customer's language."""

from __future__ import annotations

import pytest

from kano.adapters.messaging.acknowledgement import acknowledgement, working_time
from kano.domain.feedback.answers import Answers


@pytest.mark.parametrize(
    ("hours", "language", "phrase"),
    [
        (4, "en", "4 working hours"),
        (1, "en", "1 working hour"),
        (0.5, "en", "1 working hour"),
        (8, "en", "1 working day"),
        (9, "en", "2 working days"),
        (40, "en", "5 working days"),
        (4, "ru", "4 рабочих часов"),
        (1, "ru", "1 рабочего часа"),
        (8, "ru", "1 рабочего дня"),
        (16, "ru", "2 рабочих дней"),
        (21 * 8, "ru", "21 рабочего дня"),
        (11 * 8, "ru", "11 рабочих дней"),
        (4, "hu", "4 munkaórán"),
        (16, "hu", "2 munkanapon"),
    ],
)
def test_first_response_time_reads_as_working_hours_or_days(
    hours: float, language: str, phrase: str
) -> None:
    assert working_time(hours, language) == phrase


def test_a_detractor_with_a_case_is_promised_contact_within_the_rule_time() -> None:
    text = acknowledgement(Answers(nps=2), "en", "Ann", "R-7", contact_within_hours=4)
    assert text.body == (
        "Thank you for your feedback, Ann.\n\n"
        "We are sorry it fell short. Someone responsible will look into it and contact you "
        "within 4 working hours to tell you what we are doing about it.\n\n"
        "Reference: R-7\n"
    )


def test_a_detractor_without_a_case_gets_an_apology_and_no_promise() -> None:
    body = acknowledgement(Answers(nps=5), "en", "Ann", "R-7").body
    assert "We are sorry it fell short." in body
    assert "contact you" not in body
    assert "We read every answer" in body


def test_a_happy_customer_whose_comment_opened_a_case_is_promised_contact_without_apology() -> None:
    body = acknowledgement(Answers(nps=9), "hu", "Anna", "R-7", contact_within_hours=16).body
    assert "Sajnáljuk" not in body
    assert "2 munkanapon belül jelentkezik" in body


def test_russian_promise_uses_the_genitive_after_v_techenie() -> None:
    body = acknowledgement(Answers(csat=1), "ru", "Анна", "R-7", contact_within_hours=8).body
    assert "Нам жаль" in body
    assert "в течение 1 рабочего дня сообщит вам" in body


def test_an_unknown_language_falls_back_to_english() -> None:
    assert acknowledgement(Answers(nps=9), "de", "Ann", "R-7").subject == (
        "We received your feedback"
    )
