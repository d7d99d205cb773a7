"""Every figure of a measure is written with the same decimals, those its metric declares
(NPS ".1f": "31.0", "34.5", "37.2 points", not "31" beside "34.5"), and a measure entered
by hand with as many as its own figures need ("55.0%" beside "58.5%", not "55%"): on the
scorecard (latest, target, interval) and on the objective page (baseline, thresholds,
target, every period), and in the scorecard PDF, on the example strategy."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import ObjectiveRow
from tests.integration.web.browsing import Browser
from tests.integration.web.exported_files import download, pdf_words
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SeededStrategy, id_of, seed_strategy


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def _section(page: str, measure_heading: str) -> str:
    start = page.index(measure_heading)
    end = page.find('<h3 id="measure-heading-', start + len(measure_heading))
    return page[start:end if end > 0 else len(page)]


def _decimals(figures: list[str]) -> set[int]:
    return {len(f.partition(".")[2]) for f in figures}


def test_a_measures_figures_share_the_decimals_of_its_metric_or_its_own(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    easy = id_of(sessions, ObjectiveRow, strategy.companies.acme_id, "easy-to-work-with")
    page = browser.page(f"/scorecard/objectives/{easy}?lang=en").text

    nps = _section(page, ">Net Promoter Score</h3>")
    points = re.findall(r"(\d+(?:\.\d+)?) points?\b", nps)
    assert len(points) >= 8, nps  # baseline, amber, green, target, three periods …
    assert _decimals(points) == {1}, points
    assert "31.0 points" in nps and "37.2 points" in nps

    repeat = _section(page, ">Repeat purchase rate</h3>")
    # the progress towards the target is a share of the way, not a figure of the measure
    repeat = re.sub(r'<span class="progress-text">[^<]*</span>|<progress[^>]*>[^<]*</progress>',
                    "", repeat)
    shares = re.findall(r"(\d+(?:\.\d+)?)%", repeat)
    assert shares and len(_decimals(shares)) == 1, shares

    scorecard = browser.page("/scorecard?lang=en").text
    row = re.search(r'<tr id="measure-\d+" role="row">\s*<th scope="row" role="rowheader">'
                    r"Net Promoter Score.*?</tr>", scorecard, re.S)  # fmt: skip
    assert row, scorecard
    figures = re.findall(r"(\d+(?:\.\d+)?) points?\b", row.group(0))
    assert len(figures) >= 4 and _decimals(figures) == {1}, figures


def test_the_scorecard_pdf_writes_a_measures_figures_as_the_pages_do(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    words = pdf_words(download(browser, "/scorecard.pdf?lang=en").content)

    # NPS (".1f"): baseline 31, target 38 and latest 37.2 all to one decimal, and its
    # thresholds "≥ 30.0" / "≥ 36.0"; First-contact resolution ("%", ".1f"): "≥ 65.0%"
    text = " ".join(words)
    for figure in ("31.0", "38.0", "37.2", "30.0", "36.0", "65.0%"):
        assert figure in words or figure in text, (figure, text)
