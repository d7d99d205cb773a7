"""The client matrix's scatter as Chromium draws it with the vendored Vega, for a workspace
of 60,000 accounts (the page's own spec: ``value_charts.matrix_points`` then
``matrix_scatter``): ``MATRIX_POINTS`` marks, every cell's colour among them, the
biggest account of each cell drawn. Before the cap the page handed Vega every account.
No server needed."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from kano.adapters.web import value_charts
from kano.adapters.web.i18n import load_translations

pytestmark = pytest.mark.browser

VENDOR = Path(value_charts.__file__).parent / "static" / "vendor"
LEVELS = ("low", "medium", "high")


def _accounts(n: int) -> list[dict[str, object]]:
    """``n`` accounts spread unevenly over the nine cells (most in low × low)."""
    draw = random.Random(11)
    accounts = []
    for customer_id in range(1, n + 1):
        a = LEVELS[min(int(draw.expovariate(1.2)), 2)]
        r = LEVELS[draw.randrange(3)]
        accounts.append({
            "customer_id": customer_id, "attractiveness_level": a, "relationship_level": r,
            "attractiveness": (LEVELS.index(a) + draw.random()) / 3,
            "relationship": (LEVELS.index(r) + draw.random()) / 3,
            "revenue_365d": round(draw.lognormvariate(8, 1.5), 2),
        })  # fmt: skip
    return accounts


def test_sixty_thousand_accounts_draw_as_the_capped_sample(chromium: Browser) -> None:
    accounts = _accounts(60_000)
    drawn = value_charts.matrix_points(accounts)
    spec = value_charts.matrix_scatter(drawn.rows, load_translations("en").gettext, "en", {})
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_content('<div id="chart" style="width: 920px"></div>')
        for script in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
            page.add_script_tag(path=str(VENDOR / script))
        page.evaluate("""spec => vegaEmbed("#chart", spec, {ast: true, renderer: "svg",
            actions: false}).then(result => {
              window.drawn = result.view.data("data_0") ?? result.view.data("source_0");
              document.body.dataset.drawn = "yes"; })""",
                      json.loads(json.dumps(spec)))  # fmt: skip
        page.wait_for_selector("body[data-drawn=yes]", timeout=30_000)
        marks = page.evaluate(
            "() => document.querySelectorAll('g.mark-symbol.role-mark path').length")
        colours = page.evaluate("""() => [...new Set([...document.querySelectorAll(
            'g.mark-symbol.role-mark path')].map(p => p.getAttribute('fill')))]""")
        revenues = set(page.evaluate("() => window.drawn.map(d => d.revenue)"))
    finally:
        context.close()

    assert len(accounts) > value_charts.MATRIX_POINTS
    assert marks == drawn.shown == value_charts.MATRIX_POINTS
    assert set(colours) == set(value_charts.CELL_COLOURS.values())
    for a in LEVELS:
        for r in LEVELS:
            cell = [x for x in accounts if (x["attractiveness_level"], x["relationship_level"])
                    == (a, r)]  # fmt: skip
            assert max(float(str(x["revenue_365d"])) for x in cell) in revenues, (a, r)
