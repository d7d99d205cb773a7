"""The churn drivers chart as Chromium draws it with the vendored Vega (the page's own spec,
``value_charts.churn_drivers``, drawn with the options of ``static/js/kano.js``): the AUC
drops are thousandths, and with d3's default tick count the Hungarian page read
"−0,004−0,002 0,000 0,002 …" run into one another under the bars. No server needed."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from kano.adapters.web import value_charts
from kano.adapters.web.i18n import load_translations

pytestmark = pytest.mark.browser

VENDOR = Path(value_charts.__file__).parent / "static" / "vendor"
# The demo's drops, as the QA pass saw them (days since the last order first).
DROPS = [0.0415, 0.031, 0.0118, 0.0044, 0.0038, 0.0031, 0.0029, 0.0018, 0.0011,
         -0.0002, -0.0003, -0.0005, -0.0016]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_the_churn_drivers_axis_labels_stand_apart(chromium: Browser, language: str) -> None:
    gettext = load_translations(language).gettext
    drivers = [{"feature": f"feature {i}", "importance": d} for i, d in enumerate(DROPS)]
    spec = value_charts.churn_drivers(drivers, gettext, language)
    context = chromium.new_context(viewport={"width": 1280, "height": 700})
    try:
        page = context.new_page()
        page.set_content('<div id="chart" style="width: 920px"></div>')
        for script in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
            page.add_script_tag(path=str(VENDOR / script))
        page.evaluate("""spec => vegaEmbed("#chart", spec, {ast: true, renderer: "svg",
            actions: false, config: {aria: false}})
            .then(() => document.body.dataset.drawn = "yes")""",
                      json.loads(json.dumps(spec)))  # fmt: skip
        page.wait_for_selector("body[data-drawn=yes]", timeout=20_000)
        boxes = page.evaluate("""() => {
            const axis = [...document.querySelectorAll('svg g.role-axis')].find(
                g => g.querySelector('g.role-axis-title text')?.textContent.includes('AUC'));
            return [...axis.querySelectorAll('g.role-axis-label text')]
                .filter(t => t.getAttribute('opacity') !== '0')
                .map(t => [t.getBoundingClientRect(), t.textContent])
                .map(([b, text]) => [b.left, b.right, text])
                .sort((a, b) => a[0] - b[0]);
        }""")
    finally:
        context.close()

    assert len(boxes) >= 3, boxes
    gaps = [right[0] - left[1] for left, right in pairwise(boxes)]
    assert min(gaps) >= 4, boxes  # at least a few pixels between neighbouring labels
