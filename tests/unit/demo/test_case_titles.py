"""The demo's case titles name Kano's default rules in the demo's language (the QA pass
read "…: detractor", "…: hard to deal with" in the Russian demo's inbox)."""

from __future__ import annotations

import pytest

from kano.demo.case_titles import RULE_WORDS, case_title
from kano.domain.feedback.cases import DEFAULT_RULES


def test_english_titles_are_intakes() -> None:
    assert case_title("Relationship NPS", "hard-to-deal-with") == (
        "Relationship NPS: hard to deal with")
    assert case_title(None, "detractor") == "Feedback: detractor"


@pytest.mark.parametrize("language", ["ru", "hu"])
def test_every_default_rule_has_words_in_the_demo_languages(language: str) -> None:
    for rule in DEFAULT_RULES:
        title = case_title("Опрос", rule.key, language)
        assert rule.key.replace("-", " ") not in title
        assert title == f"Опрос: {RULE_WORDS[language][rule.key]}"
    assert case_title(None, "detractor", "ru") == "Отзыв: критик"
    assert case_title(None, "dissatisfied", "hu") == "Visszajelzés: elégedetlen"


def test_a_rule_the_demo_does_not_know_keeps_its_key() -> None:
    assert case_title("Опрос", "late-refund", "ru") == "Опрос: late refund"
