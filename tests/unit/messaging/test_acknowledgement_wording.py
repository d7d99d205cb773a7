"""A workspace writes its acknowledgement e-mail in its own words: checked when saved,
merged over the built-in texts part by part, and composed the same way."""

from __future__ import annotations

import pytest

from kano.adapters.messaging.acknowledgement import acknowledgement, effective_texts, wording
from kano.domain.feedback.acknowledgement_texts import (
    checked_changes,
    checked_part,
    stored_overrides,
    with_changes,
)
from kano.domain.feedback.answers import Answers
from kano.domain.shared.errors import InvalidInput


def test_a_signature_is_the_last_paragraph_and_the_rest_stays_built_in() -> None:
    overrides = {"hu": {"signature": "— Az Acme ügyfélszolgálata"}}
    own = acknowledgement(Answers(nps=9), "hu", "Anna", "R-7", overrides=overrides)
    built_in = acknowledgement(Answers(nps=9), "hu", "Anna", "R-7")
    assert own.body == built_in.body + "\n— Az Acme ügyfélszolgálata\n"
    assert own.subject == built_in.subject
    # other languages keep no signature
    assert acknowledgement(Answers(nps=9), "en", "Ann", "R-7", overrides=overrides).body == (
        acknowledgement(Answers(nps=9), "en", "Ann", "R-7").body
    )


def test_overridden_parts_fill_their_placeholders_and_the_workspace_name() -> None:
    overrides = {"en": {
        "subject": "{workspace}: thanks",
        "greeting": "Dear {name},",
        "contact": "{workspace} will call you within {within}.",
        "closing": "Ticket {reference}",
    }}  # fmt: skip
    text = wording(overrides, "Acme {Ltd}").compose(Answers(nps=2), "en", "Ann {x}", "R-7", 4)
    assert text.subject == "Acme {Ltd}: thanks"
    assert text.body == (
        "Dear Ann {x},\n\n"
        "We are sorry it fell short. Acme {Ltd} will call you within 4 working hours.\n\n"
        "Ticket R-7\n"
    )


def test_an_empty_apology_is_left_out_without_a_stray_space() -> None:
    text = wording({"en": {"sorry": ""}}).compose(Answers(nps=2), "en", "Ann", "R-7")
    assert "\n\nWe read every answer" in text.body


def test_a_workspace_name_with_a_line_break_never_splits_the_subject() -> None:
    text = wording({"en": {"subject": "{workspace}"}}, "Acme\r\nBcc: x@evil.example")
    assert "\n" not in text.compose(Answers(nps=9), "en", "Ann", "R-1").subject


def test_effective_texts_show_the_workspace_text_where_it_wrote_one() -> None:
    texts = effective_texts({"ru": {"signature": "Команда Acme"}})
    assert texts["ru"]["signature"] == "Команда Acme"
    assert texts["ru"]["subject"] == "Мы получили ваш отзыв"
    assert texts["en"]["signature"] == ""


@pytest.mark.parametrize(
    ("language", "part", "value", "field", "says"),
    [
        ("hu", "contact", "{within belül", "texts.hu.contact", "without its pair"),
        ("hu", "contact", "within} x", "texts.hu.contact", "without its pair"),
        ("en", "greeting", "Dear {reference}", "texts.en.greeting", "{reference} is not"),
        ("en", "fine", "Dear {name}", "texts.en.fine", "{name} is not"),
        ("en", "greeting", "Dear {}", "texts.en.greeting", "{} is not"),
        ("en", "greeting", "Dear {name.__class__}", "texts.en.greeting", "is not a placeholder"),
        ("en", "greeting", "Dear {name:>999999999}", "texts.en.greeting", "without : or !"),
        ("en", "greeting", "Dear {name!r}", "texts.en.greeting", "without : or !"),
        ("en", "subject", "Thanks\r\nBcc: x@evil.example", "texts.en.subject", "single line"),
        ("en", "subject", "x" * 151, "texts.en.subject", "at most 150"),
        ("en", "subject", "  ", "texts.en.subject", "not be empty"),
        ("ru", "signature", "x" * 1001, "texts.ru.signature", "at most 1000"),
        ("ru", "motto", "x", "texts.ru.motto", "not a part"),
        ("de", "subject", "x", "texts.de", "use one of"),
        ("en", "sorry", 5, "texts.en.sorry", "must be text"),
        ("en", "sorry", "a\x00b", "texts.en.sorry", "control characters"),
    ],
)
def test_a_bad_text_is_refused_naming_its_field(
    language: str, part: str, value: object, field: str, says: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_part(language, part, value)
    assert refused.value.field == field
    assert says in refused.value.message


def test_valid_texts_keep_literal_braces_and_normalise_line_ends() -> None:
    assert checked_part("en", "signature", "Acme\r\nCare team {{24/7}}\r\n") == (
        "Acme\nCare team {{24/7}}"
    )
    text = wording({"en": {"signature": "Acme {{24/7}} {workspace}"}}, "W")
    assert text.compose(Answers(nps=9), "en", "A", "R-1").body.endswith("Acme {24/7} W\n")


def test_null_resets_a_part_and_a_language_without_parts_is_dropped() -> None:
    stored = {"ru": {"signature": "Команда", "subject": "Спасибо"}, "en": {"sorry": "Oops"}}
    changes = checked_changes({"ru": {"signature": None}, "en": None, "hu": {"fine": "Köszi"}})
    assert with_changes(stored, changes) == {"ru": {"subject": "Спасибо"}, "hu": {"fine": "Köszi"}}


def test_a_stored_part_that_no_longer_passes_falls_back_to_the_built_in_text() -> None:
    assert stored_overrides({"en": {"greeting": "Hi {nme}", "signature": "Acme"}, "xx": {}}) == {
        "en": {"signature": "Acme"}
    }
    assert stored_overrides(None) == {}
