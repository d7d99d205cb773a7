"""The journey map's emotion curve names what its numbers count. The UX walk found the
drawing (inline and as the PNG/PDF a reader hands on, which carry no page caption) with
figures such as "−0,19" on an axis without a title; now it says "standard deviations from
the journey average" in the reader's language."""

from __future__ import annotations

import re

import pytest

from tests.integration.journeys.test_journey_page import site
from tests.integration.web.browsing import Browser

__all__ = ["site"]


@pytest.mark.parametrize(("lang", "title"), [
    ("en", "Emotion, in standard deviations from the journey average"),
    ("ru", "Эмоция в стандартных отклонениях от среднего по пути"),
    ("hu", "Érzelem az út átlagától mért szórásegységekben"),
])  # fmt: skip
def test_the_emotion_curve_has_an_axis_title(site: Browser, lang: str, title: str) -> None:
    drawing = site.page("/journeys/smb.svg", params={"segment": "*", "lang": lang}).text
    assert re.search(rf'class="axis-title">{title}</text>', drawing), drawing[:1500]
    page = site.page("/journeys", params={"journey": "smb", "segment": "*", "lang": lang}).text
    assert f'class="axis-title">{title}</text>' in page
