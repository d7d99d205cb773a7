"""Case titles as a reader sees them (``case_title_in``, the ``case_title`` filter): the
stored "<survey>: <rule's words>" with Kano's default rules in the reader's language."""

from __future__ import annotations

import pytest

from kano.adapters.web.case_rule_labels import case_title_in
from kano.domain.feedback.case_titles import rule_case_title


@pytest.mark.parametrize(("language", "detractor", "no_survey"), [
    ("en", "Реляционный NPS: detractor", "Feedback: hard to deal with"),
    ("ru", "Реляционный NPS: критик", "Отзыв: сложное взаимодействие"),
    ("hu", "Реляционный NPS: kritikus", "Visszajelzés: nehézkes ügyintézés"),
])  # fmt: skip
def test_default_rule_titles_read_in_the_reader_language(
    language: str, detractor: str, no_survey: str
) -> None:
    shown = case_title_in(language)
    assert shown(rule_case_title("Реляционный NPS", "detractor"), "detractor") == detractor
    assert shown(rule_case_title(None, "hard-to-deal-with"), "hard-to-deal-with") == no_survey


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_other_titles_are_shown_as_stored(language: str) -> None:
    shown = case_title_in(language)
    assert shown("Refund promised by phone", "detractor") == "Refund promised by phone"
    assert shown("Invoice: late refund", "late-refund") == "Invoice: late refund"  # own rule
    assert shown("After delivery: detractor", "dissatisfied") == "After delivery: detractor"
    assert shown("After delivery: detractor", None) == "After delivery: detractor"
