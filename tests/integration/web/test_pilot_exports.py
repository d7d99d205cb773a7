"""Pilot files: the pilots list as CSV/XLSX, a pilot's period × group figures as CSV/XLSX,
its evaluation as a PDF — the numbers the pilot page shows, in the reader's language, of
the reader's workspace only. SQLite and PostgreSQL through the app's own fixtures; the
evaluation is stored as the Evaluate button stores it (``save_evaluation``)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import pilots as store
from kano.adapters.db.engine import transaction
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.exported_files import (
    download,
    downloaded_rows,
    pdf_characters,
    pdf_pages,
)
from tests.integration.web.seed import PASSWORD, SeededCompanies

PILOT = {
    "name": "Same-day delivery", "hypothesis": "Faster delivery sells more.",
    "pilot_group": {"filters": {"region": ["north"]}},
    "control_group": {"filters": {"region": ["south"]}},
    "kpis": ["revenue"], "baseline_start": "2025-05-01", "baseline_end": "2025-06-30",
    "test_start": "2025-07-01", "test_end": "2025-08-31",
}
MEANS = [
    {"period": "2025-05", "group": "pilot", "mean": 101.25, "n": 40},
    {"period": "2025-05", "group": "control", "mean": 99.5, "n": 38},
    {"period": "2025-06", "group": "pilot", "mean": 102.0, "n": 41},
    {"period": "2025-06", "group": "control", "mean": 100.75, "n": 38},
    {"period": "2025-07", "group": "pilot", "mean": 118.5, "n": 41},
    {"period": "2025-07", "group": "control", "mean": 101.0, "n": 37},
    {"period": "2025-08", "group": "pilot", "mean": 121.0, "n": 40},
    {"period": "2025-08", "group": "control", "mean": 102.25, "n": 37},
]
EVALUATION: dict[str, Any] = {"kpis": {"revenue": {
    "effect": 17.25, "relative_effect": 0.17, "ci_low": 9.5, "ci_high": 25.0,
    "p_value": 0.0004, "pilot_units": 41, "control_units": 38, "unit": None,
    "inference": "cr1", "means": MEANS,
    "pre_trend": {"testable": True, "rejected": False, "p_value": 0.62, "inference": "cr1"},
}}}


@pytest.fixture
def pilot_id(sessions: sessionmaker[Session], companies: SeededCompanies) -> int:
    with transaction(sessions) as session:
        line = store.create_pilot(session, companies.acme_id, PILOT, metric_ids={"revenue"},
                                  actor=companies.bob, user_id=None)
        store.save_evaluation(session, companies.acme_id, line.id, EVALUATION,
                              actor=companies.bob, user_id=None)
        store.update_pilot(session, companies.acme_id, line.id, {
            "decision": "scale", "decision_note": "Region by region",
            "rollout": [{"name": "Central region", "planned_on": "2025-11-01",
                         "status": "planned", "note": None}]},
            metric_ids={"revenue"}, actor=companies.bob, user_id=None)
        store.create_pilot(session, companies.globex_id, {**PILOT, "name": "Globex secret"},
                           metric_ids={"revenue"}, actor="x", user_id=None)
        return line.id


def _csv(browser: Browser, path: str) -> list[list[str]]:
    response = browser.client.get(path)
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_figures_csv_and_xlsx_hold_the_means_behind_the_chart(
    browser: Browser, companies: SeededCompanies, pilot_id: int,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    page = browser.page(f"/pilots/{pilot_id}").text
    assert f'href="/pilots/{pilot_id}/figures.csv"' in page
    chart = re.search(r'id="chart-revenue-spec">(.*?)</script>', page, re.S)
    assert chart is not None and "118.5" in chart.group(1)  # the page's chart, same means

    rows = _csv(browser, f"/pilots/{pilot_id}/figures.csv")
    sheet = downloaded_rows(browser, f"/pilots/{pilot_id}/figures.xlsx",
                            f"pilot-{pilot_id}-figures.xlsx")

    assert rows[0] == ["KPI", "Metric id", "Month", "Period", "Group", "Mean", "Customers"]
    assert rows[1] == ["Revenue", "revenue", "2025-05", "Baseline period", "Pilot group",
                       "101.25", "40"]
    assert rows[6] == ["Revenue", "revenue", "2025-07", "Test period", "Control group",
                       "101.0", "37"]
    assert len(rows) == 1 + len(MEANS)
    assert sheet[0] == rows[0]
    assert sheet[5][2:] == ["2025-07", "Test period", "Pilot group", 118.5, 41]


def test_the_pilots_list_exports_its_rows_of_this_workspace_only(
    browser: Browser, companies: SeededCompanies, pilot_id: int,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    assert 'href="/pilots.csv"' in browser.page("/pilots").text

    rows = _csv(browser, "/pilots.csv?lang=ru")
    sheet = downloaded_rows(browser, "/pilots.xlsx", "pilots.xlsx")

    assert rows[0][:3] == ["Название", "Статус", "Пилотная группа"]
    assert len(rows) == 2 and rows[1][0] == "Same-day delivery"
    assert rows[1][5:9] == ["2025-05-01", "2025-06-30", "2025-07-01", "2025-08-31"]
    assert "Region by region" in rows[1]
    assert [row[0] for row in sheet[1:]] == ["Same-day delivery"]
    assert sheet[1][1] == "Decided" and sheet[1][11] == "Scale"
    assert not any("Globex" in str(cell) for row in sheet for cell in row)


def test_the_evaluation_pdf_says_what_the_page_says(
    browser: Browser, companies: SeededCompanies, pilot_id: int,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    page = browser.page(f"/pilots/{pilot_id}").text
    effect = text_of(page, "result-revenue")

    response = download(browser, f"/pilots/{pilot_id}/evaluation.pdf")

    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) >= 1
    assert "+17.25" in effect  # the page's estimate; the PDF prints its digits and sign
    assert set("+17.25") <= pdf_characters(pdf)
    assert response.headers["content-disposition"] == (
        f'attachment; filename="pilot-{pilot_id}.pdf"')
    russian = download(browser, f"/pilots/{pilot_id}/evaluation.pdf?lang=ru").content
    assert set("ОценкаРешение") <= pdf_characters(russian)  # "Оценка", "Решение"


def test_another_workspaces_pilot_is_not_found(
    browser: Browser, companies: SeededCompanies, pilot_id: int,
) -> None:
    browser.log_in(companies.alice, PASSWORD)  # Acme only
    with browser.client as client:
        for suffix in ("evaluation.pdf", "figures.csv", "figures.xlsx"):
            assert client.get(f"/pilots/{pilot_id + 1}/{suffix}").status_code == 404
