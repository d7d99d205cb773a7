"""Days as each UI language writes them: the pilot and requirement pages showed ISO dates
("2026-03-01 – 2026-10-31") on Russian and Hungarian pages."""

from __future__ import annotations

from datetime import date

import pytest

from kano.adapters.web.formatting import NumberFormats


def _plain(text: str) -> str:
    """CLDR puts thin and narrow no-break spaces in ("2026\u202fг.", "1.\u2009–"): this
    test is about the order and the words, so any space is one space."""
    return " ".join(text.split())


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Mar 1, 2026"), ("ru", "1 мар. 2026 г."), ("hu", "2026. márc. 1."),
])  # fmt: skip
def test_a_day_reads_the_languages_way(language: str, expected: str) -> None:
    formats = NumberFormats(language)
    assert _plain(formats.day(date(2026, 3, 1))) == expected
    assert _plain(formats.day("2026-03-01")) == expected  # ISO text, as a rollout step keeps it


@pytest.mark.parametrize(("language", "one_year", "two_years"), [
    ("en", "Mar 1 – Oct 31, 2026", "Dec 1, 2025 – Jan 31, 2026"),
    ("ru", "1 мар. – 31 окт. 2026 г.", "1 дек. 2025 г. – 31 янв. 2026 г."),
    ("hu", "2026. márc. 1. – okt. 31.", "2025. dec. 1. – 2026. jan. 31."),
])  # fmt: skip
def test_a_day_range_names_the_year_once_when_it_can(
    language: str, one_year: str, two_years: str
) -> None:
    formats = NumberFormats(language)
    assert _plain(formats.day_range(date(2026, 3, 1), date(2026, 10, 31))) == one_year
    assert _plain(formats.day_range(date(2025, 12, 1), date(2026, 1, 31))) == two_years
    assert formats.day_range(date(2026, 3, 1), date(2026, 3, 1)) == formats.day(date(2026, 3, 1))
