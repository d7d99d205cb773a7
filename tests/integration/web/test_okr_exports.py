"""OKR exports (CSV, XLSX, PDF) of a cycle on the example strategy's Q3 2026
(tests/integration/strategy/example_strategy.yaml): objectives with level, owner and
parent, key results with start, target, current, progress, confidence and last check-in."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import KeyResultRow, OkrObjectiveRow
from tests.integration.web.browsing import Browser
from tests.integration.web.exported_files import (
    csv_rows,
    download,
    downloaded_rows,
    pdf_characters,
    pdf_pages,
)
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SECRET, SeededStrategy, seed_strategy

HU_OKR_HEADER = ["Szint", "Cél", "Szülő cél", "Felelős", "Csapat", "Kulcseredmény",
                 "Mértékegység", "Kezdőérték", "Célérték", "Jelenlegi érték", "Előrehaladás",
                 "Bizalom", "Utolsó állapotjelentés (UTC)", "Ciklus"]


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def test_okr_xlsx_holds_the_tree_with_key_results_in_hungarian(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    rows = downloaded_rows(browser, "/okr.xlsx?cycle=2026-q3&lang=hu", "okr-2026-q3.xlsx")

    assert rows[0] == HU_OKR_HEADER
    objectives = [row[:3] for row in rows[1:] if row[5] is None]
    assert objectives == [  # depth first, each under its parent
        ["Vállalat", "Delight our B2B customers", None],
        ["Csapat", "Get it right the first time", "Delight our B2B customers"],
        ["Személy", "Coach every new agent", "Get it right the first time"],
    ]
    nps = next(row for row in rows if row[5] == "NPS from 31 to 40 by 30 September")
    assert nps[6:10] == ["points", 31, 40, 37.2]
    assert nps[10] == pytest.approx((37.2 - 31) / (40 - 31), abs=1e-4)  # progress 0.0–1.0
    assert nps[11:] == [8, datetime(2026, 8, 15, 9, 0), "Q3 2026"]  # the latest check-in
    coaching = next(row for row in rows if row[5] == "24 coaching sessions held")
    assert coaching[10] == pytest.approx(9 / 24, abs=1e-4) and coaching[11] == 4
    assert SECRET not in str(rows)


def test_okr_csv_and_pdf_of_the_cycle_the_page_shows(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    with transaction(sessions) as session:
        session.execute(update(OkrObjectiveRow).where(OkrObjectiveRow.workspace_id == acme,
                                                      OkrObjectiveRow.key == "ana-coaching")
                        .values(title="Каждого нового агента — наставник"))
    browser.log_in(strategy.viewer, strategy.password)

    page = browser.page("/okr?cycle=2026-q3").text
    raw = download(browser, "/okr.csv?cycle=2026-q3").content
    rows = csv_rows(raw)
    pdf = download(browser, "/okr.pdf?cycle=2026-q3&lang=hu").content

    assert 'href="/okr.xlsx?cycle=2026-q3"' in page
    assert raw.startswith(b"\xef\xbb\xbfLevel,")  # the BOM: Excel reads UTF-8, not cp1251
    assert "Каждого нового агента — наставник".encode() in raw
    assert rows[0][:3] == ["Level", "Objective", "Parent objective"]
    assert rows[0][-2:] == ["Last check-in (UTC)", "Cycle"]
    assert len(rows) == 1 + 3 + 5  # the header, three objectives, five key results
    playbooks = next(row for row in rows if row[5].startswith("Publish playbooks"))
    assert playbooks[10:] == ["0.6", "7", "2026-08-01 16:30:00", "Q3 2026"]
    assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) == 1
    assert set("Előrehaladás Каждого") <= pdf_characters(pdf)
    assert SECRET not in str(rows)


def test_okr_csv_drops_the_float_noise_of_summed_live_values(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    """A live revenue key result sums floats in the warehouse (1580229.399999999); the file
    gives the figure a person would write."""
    with transaction(sessions) as session:
        session.execute(update(KeyResultRow).where(
            KeyResultRow.workspace_id == strategy.companies.acme_id,
            KeyResultRow.title == "NPS from 31 to 40 by 30 September",
        ).values(current=37.199999999999996))
    browser.log_in(strategy.viewer, strategy.password)

    rows = csv_rows(download(browser, "/okr.csv?cycle=2026-q3").content)

    nps = next(row for row in rows if row[5] == "NPS from 31 to 40 by 30 September")
    assert nps[9] == "37.2"  # not 37.199999999999996
