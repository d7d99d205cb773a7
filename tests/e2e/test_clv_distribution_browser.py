"""The CLV distribution as Chromium draws it with the vendored Vega: on demo-like values
(consumers around €200, businesses around €9,000, key accounts up to €1.3M) the money
axis reads in the page's language at each power of ten, and every segment has several
bars. The spec is the page's own (``value_charts.clv_distribution``), drawn with the
options of ``static/js/kano.js``; no server is needed to draw it."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from kano.adapters.web import value_charts
from kano.adapters.web.i18n import load_translations

pytestmark = pytest.mark.browser

VENDOR = Path(value_charts.__file__).parent / "static" / "vendor"
NBSP = "\u00a0"
TICKS = {
    "en": ["€10", "€100", "€1k", "€10k", "€100k", "€1M"],
    "ru": [f"10{NBSP}€", f"100{NBSP}€", f"1{NBSP}тыс.{NBSP}€", f"10{NBSP}тыс.{NBSP}€",
           f"100{NBSP}тыс.{NBSP}€", f"1{NBSP}млн{NBSP}€"],
    "hu": [f"10{NBSP}EUR", f"100{NBSP}EUR", f"1{NBSP}E{NBSP}EUR", f"10{NBSP}E{NBSP}EUR",
           f"100{NBSP}E{NBSP}EUR", f"1{NBSP}M{NBSP}EUR"],
}  # fmt: skip


def _demo_like() -> list[dict[str, Any]]:
    rng = random.Random(1052)
    spread = (("consumer", 745, 217.0, 0.9), ("smb", 271, 9_200.0, 0.9),
              ("key_account", 36, 340_000.0, 0.6))  # fmt: skip
    customers = [{"segment": segment, "clv": min(rng.lognormvariate(0, sigma) * middle,
                                                 1_250_000.0)}
                 for segment, count, middle, sigma in spread for _ in range(count)]  # fmt: skip
    return [*customers, {"segment": "key_account", "clv": 1_250_949.47},
            {"segment": "smb", "clv": 0.0}]


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_the_clv_axis_is_money_in_the_readers_language(
    chromium: Browser, language: str
) -> None:
    gettext = load_translations(language).gettext
    names = {"consumer": "Consumers", "smb": "SMB", "key_account": "Key accounts"}
    spec = value_charts.clv_distribution(_demo_like(), gettext, language, "EUR", names)
    context = chromium.new_context(viewport={"width": 1000, "height": 600})
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.set_content('<div id="chart" style="width: 900px"></div>')
        for script in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
            page.add_script_tag(path=str(VENDOR / script))
        page.evaluate("""spec => vegaEmbed("#chart", spec, {ast: true, renderer: "svg",
            actions: false}).then(() => document.body.dataset.drawn = "yes")""",
                      json.loads(json.dumps(spec)))  # fmt: skip
        page.wait_for_selector("body[data-drawn=yes]", timeout=20_000)
        x_axis = page.locator("svg g.role-axis").filter(
            has=page.locator("g.role-axis-title", has_text="CLV"))
        labels = x_axis.locator("g.role-axis-label text").all_text_contents()
        bars = page.locator("svg g.mark-rect path").evaluate_all(
            "paths => paths.map(p => p.getAttribute('aria-label'))")
    finally:
        context.close()

    assert labels == TICKS[language]
    for segment in names.values():
        assert sum(1 for bar in bars if bar.startswith(segment + ",")) >= 3, (segment, bars)
    assert problems == []
