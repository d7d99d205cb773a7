"""Scorecard exports (CSV, XLSX, PDF) on the example strategy
(tests/integration/strategy/example_strategy.yaml): the rows a strategy lead takes to the
board, in the reader's language and the workspace's currency, never another workspace's."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import MeasureRow, ObjectiveRow, PerspectiveRow, Workspace
from tests.integration.web.browsing import Browser
from tests.integration.web.exported_files import (
    download,
    downloaded_rows,
    pdf_characters,
    pdf_pages,
    xlsx_rows,
    xlsx_sheet,
)
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SECRET, SeededStrategy, id_of, seed_strategy

HU_SCORECARD_HEADER = ["Nézőpont", "Cél", "Mutató", "Típus", "Felelős", "Mértékegység",
                       "Kiinduló érték", "Célérték", "Tény", "Időszak", "Állapot",
                       "Pontszám", "Súly", "Irány", "Sárga ettől", "Zöld ettől",
                       "Zöld sáv ettől", "Zöld sáv eddig", "Sárga tűrés (±)"]
HU_STATUSES = {"Terv szerint", "Veszélyben", "Lemaradásban", "Nincs adat"}


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def test_scorecard_xlsx_holds_every_level_with_rolled_up_scores_in_hungarian(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    rows = downloaded_rows(browser, "/scorecard.xlsx?lang=hu", "scorecard-company.xlsx")

    assert rows[0] == HU_SCORECARD_HEADER
    overall, body = rows[1], rows[2:]
    assert overall[0] == "Összpontszám" and overall[10] in HU_STATUSES
    perspectives = [row[0] for row in body if row[1] is None]
    assert perspectives == ["Customer", "Financial", "Internal processes", "Learning & growth"]
    nps = next(row for row in body if row[2] == "Net Promoter Score")
    assert nps[:4] == ["Customer", "Be easy to work with", "Net Promoter Score",
                       "Amit az ügyfelek mondanak"]
    assert nps[5:9] == ["points", 31, 38, 37.2]  # the latest period's own target
    assert nps[9] == datetime(2026, 7, 1) and nps[10] in HU_STATUSES
    assert nps[13:] == ["A nagyobb a jobb", 30, 36, None, None, None]
    # An objective's score is the weighted mean of its measures' scores.
    easy = next(row for row in body if row[1] == "Be easy to work with" and row[2] is None)
    measures = [row for row in body if row[1] == "Be easy to work with" and row[2]]
    scored = [(row[11], row[12]) for row in measures if row[11] is not None]
    assert len(scored) == 2 and easy[4]  # the owner's name
    expected = sum(float(s) * float(w) for s, w in scored) / sum(float(w) for _, w in scored)
    assert easy[11] == pytest.approx(expected, abs=0.01)
    assert SECRET not in str(rows)


def test_scorecard_csv_writes_money_in_the_workspace_currency(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    with transaction(sessions) as session:
        session.execute(update(Workspace).where(Workspace.id == acme).values(currency="HUF"))
        session.execute(update(MeasureRow).where(MeasureRow.workspace_id == acme,
                                                 MeasureRow.key == "revenue")
                        .values(unit="money"))
    browser.log_in(strategy.editor, strategy.password)

    rows = downloaded_rows(browser, "/scorecard.csv")
    content = download(browser, "/scorecard.xlsx").content
    workbook, sheet = xlsx_rows(content), xlsx_sheet(content)

    assert rows[0][:3] == ["Perspective", "Objective", "Measure"]
    revenue = next(row for row in rows if row[2] == "Revenue")
    assert revenue[5:9] == ["HUF", "", "11000000.0", "10120000.0"]
    cell = next(row for row in sheet.iter_rows() if row[2].value == "Revenue")[8]
    assert cell.value == 10120000 and "HUF" in cell.number_format
    assert len(workbook) == len(rows)


def _stored_thresholds(sessions: sessionmaker[Session], workspace_id: int
                       ) -> dict[str, tuple[str, list[float | None]]]:
    """Each measure's direction and thresholds as stored, by name (names used once)."""
    with sessions() as session:
        measures = session.scalars(select(MeasureRow).where(
            MeasureRow.workspace_id == workspace_id)).all()
    names = Counter(m.name for m in measures)
    return {m.name: (m.direction, [m.amber_from, m.green_from, m.band_low, m.band_high,
                                   m.tolerance])
            for m in measures if names[m.name] == 1}


def test_scorecard_csv_and_xlsx_carry_each_measures_direction_and_thresholds(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    stored = _stored_thresholds(sessions, strategy.companies.acme_id)
    browser.log_in(strategy.editor, strategy.password)

    csv_lines = downloaded_rows(browser, "/scorecard.csv")
    sheet = xlsx_rows(download(browser, "/scorecard.xlsx").content)

    directions = {"higher": "Higher is better", "lower": "Lower is better",
                  "band": "Within a band"}
    assert csv_lines[0][13:] == sheet[0][13:] == [
        "Direction", "Amber from", "Green from", "Green band from", "Green band to",
        "Amber tolerance (±)"]
    measures = [row for row in sheet[1:] if row[2]]
    checked = {row[2] for row in measures if row[2] in stored}
    assert {"Net Promoter Score", "Gross margin", "Revenue"} <= checked
    for row in measures:
        if row[2] not in stored:
            continue
        direction, thresholds = stored[str(row[2])]
        assert row[13] == directions[direction]
        assert row[14:] == thresholds, row[2]
    for line in csv_lines[1:]:
        if line[2] not in stored:
            assert line[13:] == [""] * 6  # the overall, perspective and objective rows
            continue
        direction, thresholds = stored[line[2]]
        assert line[13] == directions[direction]
        assert [float(cell) if cell else None for cell in line[14:]] == thresholds
    gross_margin = next(row for row in measures if row[2] == "Gross margin")
    assert gross_margin[13:] == ["Within a band", None, None, 38, 45, 3]


def test_scorecard_files_keep_a_formula_as_text(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    formula = '=HYPERLINK("http://evil.test","click")'
    with transaction(sessions) as session:
        session.execute(update(ObjectiveRow).where(ObjectiveRow.workspace_id == acme,
                                                   ObjectiveRow.key == "fast-onboarding")
                        .values(title=formula))
    browser.log_in(strategy.editor, strategy.password)

    rows = downloaded_rows(browser, "/scorecard.csv")
    sheet = xlsx_sheet(download(browser, "/scorecard.xlsx").content)

    assert ["'" + formula] == [row[1] for row in rows if formula in row[1]]
    cells = [row[1] for row in sheet.iter_rows() if row[1].value == formula]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_scorecard_follows_the_chosen_scorecard_for_a_viewer(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.viewer, strategy.password)

    page = browser.page("/scorecard?scorecard=service").text
    rows = downloaded_rows(browser, "/scorecard.csv?scorecard=service")

    assert 'href="/scorecard.pdf?scorecard=service"' in page
    assert [row[1] for row in rows if row[1] and not row[2]] == [
        "Effortless service", "Answer within two minutes"]
    assert "Be easy to work with" not in str(rows) and SECRET not in str(rows)
    assert browser.client.get("/scorecard.txt").status_code == 404


def test_scorecard_pdf_is_landscape_a4_and_prints_hungarian_and_russian(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    with transaction(sessions) as session:
        session.execute(update(PerspectiveRow).where(PerspectiveRow.workspace_id == acme,
                                                     PerspectiveRow.key == "learning")
                        .values(name="Обучение и развитие"))
    browser.log_in(strategy.editor, strategy.password)

    pdf = download(browser, "/scorecard.pdf?lang=hu").content

    assert pdf.startswith(b"%PDF-") and 1 <= pdf_pages(pdf) <= 2  # 23 rows
    assert re.search(rb"/MediaBox \[\s*0 0 841\.8\d* 595\.2\d*", pdf)  # landscape A4
    # "Összpontszám", "Nézőpont", "Állapot" and the Russian perspective's name print.
    assert set("ÖszpontámőéÁОбучен") <= pdf_characters(pdf)
    # The thresholds print with their direction's sign (nothing else in this file has
    # these signs): "≥ 30" (NPS), "≤ 2.5" (days to resolve), "± 3%" (the gross margin).
    assert set("≥≤±") <= pdf_characters(pdf)


def test_a_long_scorecard_pdf_continues_on_pages_that_repeat_the_header(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    objective = id_of(sessions, ObjectiveRow, acme, "fast-onboarding")
    with transaction(sessions) as session:
        for number in range(80):
            session.add(MeasureRow(
                workspace_id=acme, objective_id=objective, key=f"extra-{number}",
                name=f"Extra measure number {number} with a name long enough to wrap "
                     "onto a second line of its column", unit="%", kind="do",
                direction="higher", weight=1.0, frequency="monthly", position=10 + number,
                target=90.0,
            ))
    browser.log_in(strategy.editor, strategy.password)

    pdf = download(browser, "/scorecard.pdf").content
    rows = downloaded_rows(browser, "/scorecard.xlsx")

    assert pdf_pages(pdf) >= 3
    assert sum(1 for row in rows if str(row[2]).startswith("Extra measure")) == 80
