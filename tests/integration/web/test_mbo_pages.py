"""MBO review sheets: the page in three languages, the weights rule, XLSX and PDF exports.

Ana's 2026 sheet (example strategy): coaching 40 % × 75 % = 30, first-contact resolution
35 % not yet assessed, academy 25 % × 100 % = 25 → weighted score 55.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import MboObjectiveRow, MboSheetRow
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.exported_files import (
    csv_rows,
    download,
    downloaded_rows,
    pdf_pages,
    pdf_words,
)
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SECRET, SeededStrategy, seed_strategy


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


@pytest.mark.parametrize(("language", "score", "heading"), [
    ("en", "55%", "MBO review sheets"),
    ("ru", "55 %", "Листы оценки MBO"),  # text_of reads the no-break space as a space
    ("hu", "55%", "MBO-értékelőlapok"),
])
def test_sheet_shows_weights_achievements_and_the_weighted_score(
    browser: Browser, strategy: SeededStrategy, language: str, score: str, heading: str
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page(f"/mbo?lang={language}").text

    assert f"<h1>{heading}</h1>" in page
    assert text_of(page, "mbo-score") == score
    assert "Coach every new agent" in page and "Finish the service academy" in page
    assert 'id="weights-problem"' not in page
    assert SECRET not in page


def test_xlsx_holds_the_weights_achievements_and_score(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    rows = downloaded_rows(browser, "/mbo/sheets/ana-2026.xlsx", "mbo-ana-2026.xlsx")

    header = rows.index(["Objective", "Weight, %", "Achievement, %", "Weighted score",
                         "Serves", "Review comment"])
    body = rows[header + 1:]
    assert [row[:4] for row in body] == [
        ["Coach every new agent", 40, 75, 30],
        ["Raise first-contact resolution in my team", 35, None, None],
        ["Finish the service academy", 25, 100, 25],
        ["Total", 100, None, 55],
    ]
    assert body[1][4] == "Solve problems at the first contact"
    assert ["Employee", "E-1001"] in [row[:2] for row in rows]


def test_xlsx_and_pdf_are_translated(browser: Browser, strategy: SeededStrategy) -> None:
    browser.log_in(strategy.editor, strategy.password)

    rows = downloaded_rows(browser, "/mbo/sheets/ana-2026.xlsx?lang=ru")
    pdf = download(browser, "/mbo/sheets/ana-2026.pdf?lang=ru").content

    assert rows[0] == ["Лист оценки MBO", None, None, None, None, None]
    assert ["Статус", "Согласован"] in [row[:2] for row in rows]
    assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) == 1


def test_pdf_is_one_a4_page_for_a_usual_sheet(browser: Browser, strategy: SeededStrategy
                                              ) -> None:
    browser.log_in(strategy.editor, strategy.password)

    response = download(browser, "/mbo/sheets/ana-2026.pdf")

    assert response.content.startswith(b"%PDF-")
    assert pdf_pages(response.content) == 1
    assert re.search(rb"/MediaBox \[ ?0 0 595\.2\d* 841\.8\d* ?\]", response.content)


def test_a_long_sheet_continues_on_more_pages(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        sheet = session.scalars(select(MboSheetRow).where(
            MboSheetRow.workspace_id == strategy.companies.acme_id)).one()
        session.execute(update(MboObjectiveRow).where(MboObjectiveRow.sheet_id == sheet.id)
                        .values(weight_percent=1.0))
        session.add_all(
            MboObjectiveRow(workspace_id=sheet.workspace_id, sheet_id=sheet.id, key=f"extra-{i}",
                            title=f"Extra objective number {i} with a title long enough to "
                                  "wrap onto a second line in the printed review sheet",
                            weight_percent=97 / 60, achievement_percent=80.0, position=10 + i)
            for i in range(60)
        )
    browser.log_in(strategy.editor, strategy.password)

    pdf = download(browser, "/mbo/sheets/ana-2026.pdf").content

    assert pdf_pages(pdf) >= 3


def test_weights_that_do_not_add_up_are_named_instead_of_scored(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        session.execute(update(MboObjectiveRow).where(
            MboObjectiveRow.workspace_id == strategy.companies.acme_id,
            MboObjectiveRow.key == "skills").values(weight_percent=20.0))
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page("/mbo").text
    rows = downloaded_rows(browser, "/mbo/sheets/ana-2026.xlsx")

    problem = "The weights add up to 95%; they must add up to 100%."
    assert text_of(page, "weights-problem") == problem
    assert text_of(page, "mbo-score") == "–"
    assert [problem, None, None, None, None, None] in rows
    assert rows[-1][:4] == ["Total", 95, None, None]


def test_each_workspace_exports_its_own_sheet_under_the_same_key(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.companies.bob, strategy.password)  # owner in Acme, viewer in Globex
    acme_rows = downloaded_rows(browser, "/mbo/sheets/ana-2026.xlsx")
    browser.client.post("/workspace", data={
        "workspace_id": str(strategy.companies.globex_id), "csrf_token": browser.session_token()})

    globex_rows = downloaded_rows(browser, "/mbo/sheets/ana-2026.xlsx")

    assert not any(SECRET in str(value) for row in acme_rows for value in row)
    assert any(SECRET in str(value) for row in globex_rows for value in row)


def test_an_unknown_sheet_is_not_found(browser: Browser, strategy: SeededStrategy) -> None:
    browser.log_in(strategy.editor, strategy.password)

    assert browser.client.get("/mbo/sheets/nobody-1999.pdf").status_code == 404


@pytest.mark.parametrize(("language", "note"), [
    ("en", "Not final: objectives weighing 35% have no achievement yet and count as 0."),
    ("ru", "Оценка не окончательная: у целей с общим весом 35 % ещё нет достижения, они "
           "считаются как 0."),
    ("hu", "Nem végleges: a(z) 35% súlyú céloknak még nincs teljesítésük, ezek 0-nak "
           "számítanak."),
])
def test_a_score_with_unassessed_objectives_says_it_is_not_final(
    browser: Browser, strategy: SeededStrategy, language: str, note: str
) -> None:
    """Ana's first-contact objective (35 %) has no achievement yet: her 55 % read as a
    final review score, though a third of the weight was still to assess."""
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page(f"/mbo?lang={language}").text

    assert text_of(page, "mbo-unassessed") == note


COACHING = "Seven of eight new agents passed; =SUM(A1) stays text"
OVERALL = "Strong year; the academy made the difference"


def test_review_comments_are_kept_on_the_page_and_in_every_file(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    """The reviewer's comments, written on the page, are stored with the sheet and shown
    by the page, the XLSX, the PDF and the period's CSV and XLSX (HR's payroll files)."""
    browser.log_in(strategy.editor, strategy.password)
    token = browser.session_token()
    saved = browser.client.post("/mbo/sheets/ana-2026/objectives/coaching", data={
        "title": "Coach every new agent", "weight": "40", "achievement": "75", "link": "",
        "comment": COACHING, "csrf_token": token})
    status = browser.client.post("/mbo/sheets/ana-2026/status", data={
        "status": "agreed", "comment": OVERALL, "csrf_token": token})
    assert saved.status_code == 303 and status.status_code == 303, (saved.text, status.text)
    with sessions() as session:
        assert session.scalar(select(MboSheetRow.review_comment).where(
            MboSheetRow.workspace_id == strategy.companies.acme_id)) == OVERALL

    page = browser.page("/mbo?lang=ru").text
    sheet_xlsx = downloaded_rows(browser, "/mbo/sheets/ana-2026.xlsx?lang=en")
    pdf = download(browser, "/mbo/sheets/ana-2026.pdf?lang=en").content
    period_csv = csv_rows(download(browser, "/mbo/periods/2026.csv?lang=hu").content)
    period_xlsx = downloaded_rows(browser, "/mbo/periods/2026.xlsx?lang=en", "mbo-2026.xlsx")

    assert text_of(page, "mbo-coaching-comment").startswith(
        f"Комментарий к оценке: {COACHING} — {strategy.editor}, ")
    assert text_of(page, "mbo-sheet-comment").startswith(
        f"Комментарий оценивающего к листу: {OVERALL} — {strategy.editor}, ")
    assert f'id="mbo-form-coaching-comment" name="comment" maxlength="2000" value="{COACHING}"' \
        in page.replace("&#34;", '"')  # the stored comment fills its field, to be changed
    assert ["Reviewer's comment on the sheet", OVERALL] in [row[:2] for row in sheet_xlsx]
    header = sheet_xlsx.index(["Objective", "Weight, %", "Achievement, %", "Weighted score",
                               "Serves", "Review comment"])
    assert [row[5] for row in sheet_xlsx[header + 1:]] == [COACHING, None, None, None]
    words = " ".join(pdf_words(pdf))
    assert "Seven" in words and "academy" in words and "difference" in words
    assert period_csv[0][-2:] == ["Értékelési megjegyzés", "Az értékelő megjegyzése a laphoz"]
    assert [row[-2:] for row in period_csv[1:]] == [
        [COACHING, OVERALL], ["", OVERALL], ["", OVERALL]]
    assert period_xlsx[0] == [
        "Employee", "Employee id", "Sheet", "Status", "Objective", "Weight, %",
        "Achievement, %", "Weighted score", "Sheet's weighted score", "Review comment",
        "Reviewer's comment on the sheet"]
    assert [row[4:] for row in period_xlsx[1:]] == [
        ["Coach every new agent", 40, 75, 30, 55, COACHING, OVERALL],
        ["Raise first-contact resolution in my team", 35, None, None, 55, None, OVERALL],
        ["Finish the service academy", 25, 100, 25, 55, None, OVERALL]]
    # Clearing the comment field clears the stored comment.
    browser.client.post("/mbo/sheets/ana-2026/objectives/coaching", data={
        "title": "Coach every new agent", "weight": "40", "achievement": "75", "link": "",
        "comment": "  ", "csrf_token": token})
    assert 'id="mbo-coaching-comment"' not in browser.page("/mbo").text
