"""Percentages the way each language writes them (CLDR): "5%" in English and Hungarian,
"5 %" with a non-breaking space in Russian; the same sign in the charts' number locale."""

from __future__ import annotations

import pytest

from kano.adapters.web.charts import d3_number_locale
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.i18n import LANGUAGES, load_translations
from kano.adapters.web.templating import Templates


@pytest.mark.parametrize(
    ("language", "share", "digits", "shown"),
    [
        ("en", 0.05, 0, "5%"), ("hu", 0.05, 0, "5%"), ("ru", 0.05, 0, "5\u00a0%"),
        ("en", 0.1234, 1, "12.3%"), ("hu", 0.1234, 1, "12,3%"), ("ru", 0.1234, 1, "12,3\u00a0%"),
        ("en", 1.0, 0, "100%"), ("en", -0.042, 1, "\u22124.2%"), ("en", None, 0, "–"),
    ],
)  # fmt: skip
def test_percent_follows_the_language(
    language: str, share: float | None, digits: int, shown: str
) -> None:
    assert NumberFormats(language).percent(share, digits) == shown


def test_a_signed_percent_says_plus_when_it_rose() -> None:
    assert NumberFormats("ru").percent(0.031, 1, signed=True) == "+3,1\u00a0%"
    assert NumberFormats("hu").percent(-0.031, 1, signed=True) == "\u22123,1%"
    assert NumberFormats("en").percent(0.0, 1, signed=True) == "0.0%"


@pytest.mark.parametrize(("language", "sign"), [("en", "%"), ("hu", "%"), ("ru", "\u00a0%")])
def test_templates_and_charts_write_the_languages_percent(language: str, sign: str) -> None:
    templates = Templates({code: load_translations(code) for code in LANGUAGES})
    shown = templates.environment(language).from_string("{{ 0.25|percent }}").render()
    assert shown == f"25{sign}"
    assert d3_number_locale(language)["percent"] == sign
