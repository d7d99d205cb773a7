"""The journey map's sample notes in Russian and Hungarian, which write decimals with a
comma: the UX walk found "(n 36, 4,66 … 5,67)", where the comma after the count reads as
one more decimal comma ("36,4"). The count is now "n = 36", as on the OKR and strategy
pages, and in ru/hu a semicolon parts it from the interval; the map's drawing too."""

from __future__ import annotations

import re

import pytest

from tests.integration.journeys.test_journey_page import site
from tests.integration.web.browsing import Browser, text_of

__all__ = ["site"]


@pytest.mark.parametrize(("lang", "parted"), [("en", ", "), ("ru", "; "), ("hu", "; ")])
def test_a_score_s_count_is_parted_from_its_interval_the_language_s_way(
    site: Browser, lang: str, parted: str
) -> None:
    html = site.page("/journeys", params={"journey": "smb", "segment": "*", "lang": lang}).text
    notes = re.findall(r"\(n [^)<]*\)", text_of(html, "pain-point-table"))
    assert notes, text_of(html, "pain-point-table")
    for note in notes:
        assert re.fullmatch(rf"\(n = [\d\s\u00a0,]+?(?:{parted}\S+ … \S+)?\)", note), notes
    assert any(parted in note for note in notes), notes
    drawing = site.page("/journeys/smb.svg", params={"segment": "*", "lang": lang}).text
    assert re.search(r"\(n = \d", drawing), drawing[:2000]
