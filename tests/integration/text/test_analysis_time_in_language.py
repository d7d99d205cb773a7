"""The Themes page says when its stored analysis was made in the reader's language, as the OKR
page says when its live values were refreshed (a walk of the demo found "Анализ от
2026-12-07 08:41 UTC." and "Elemzés: 2026-12-07 08:41 UTC." among written-out dates)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from babel.dates import format_datetime

from tests.integration.jobs.test_live_binding import demo_data
from tests.integration.text.test_stored_analysis import Stack, _stored_rows, analysed, stack
from tests.integration.web.browsing import text_of

__all__ = ["analysed", "demo_data", "stack"]


@pytest.mark.parametrize(("language", "lead"), [
    ("en", "Analysis from "), ("ru", "Анализ от "), ("hu", "Elemzés: ")])
def test_the_themes_page_says_when_it_was_analysed_in_the_readers_language(
    stack: Stack, analysed: str, language: str, lead: str
) -> None:
    _, (summary, *_) = _stored_rows(stack)
    at = summary["analysed_at"]
    assert isinstance(at, datetime)

    freshness = text_of(stack.page(f"/text?lang={language}"), "text-freshness")
    written = " ".join(format_datetime(at, format="medium", locale=language).split())
    assert freshness.startswith(f"{lead}{written} UTC."), freshness
    assert not re.search(r"\d{4}-\d{2}-\d{2}", freshness), freshness
