"""Charts on a Russian or Hungarian page, as Chromium draws them through ``static/js/kano.js``:
no English left inside the drawing. Vega-Lite labels every mark, axis and legend for screen
readers itself, in English and with the spec's field names ("month: нояб. 2025 г.; …",
"X-axis for a discrete scale with 12 values: …", "Y-axis titled 'Выручка' for a linear
scale …"); the QA pass in Russian and Hungarian read them on every chart. The container
carries the translated label (role="img"), so the drawing itself carries none.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser

ENGLISH = re.compile(r"\b(axis|scale|values|legend|titled|month|Vega|visualization)\b",
                     re.IGNORECASE)
# Every chart's own words: ARIA labels and titles anywhere inside a drawn chart.
LABELS_IN_CHARTS = """() => [...document.querySelectorAll('[data-vega-spec] *')]
    .flatMap(e => ['aria-label', 'aria-roledescription']
        .map(a => e.getAttribute(a)).filter(v => v))"""


@pytest.mark.parametrize("language", ["ru", "hu"])
def test_a_chart_on_a_russian_or_hungarian_page_holds_no_english_label(
    kano_server: RunningServer, seeded_database: SeededDatabase, chromium: Browser,
    language: str,
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(kano_server.url(f"/login?lang={language}"))
        page.locator("input[name=email]").fill(seeded_database.showcase.email)
        page.locator("input[name=password]").fill(seeded_database.showcase.password)
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        for path, chart in (("/", "#home-chart"),):  # the seed's months: the home chart
            page.goto(kano_server.url(path))
            expect(page.locator(f'{chart}[data-chart-state="drawn"]')).to_be_visible(
                timeout=20_000)
            drawn = page.locator(f"{chart} svg g.role-axis-label text").all_text_contents()
            assert drawn, path  # the chart has axes: the check below looks at a real drawing
            labels = page.evaluate(LABELS_IN_CHARTS)
            english = [label for label in labels if ENGLISH.search(label)]
            assert english == [], (path, english[:3])
            # The container still names the chart in the reader's language.
            assert not ENGLISH.search(page.locator(chart).get_attribute("aria-label") or "x")
    finally:
        context.close()
    assert problems == []
