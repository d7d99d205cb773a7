"""Each shipped preset reads a realistic export of its tool (samples/): header rows, date
format, scale texts and answer codes, response ids; and an XLSX export reads like its CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.importers.feedback_file import (
    ImportOptions,
    import_file,
    load_mapping,
    prepare,
)
from tests.integration.api.seed import SeededWorkspace
from tests.integration.feedback_import.conftest import SAMPLES, counts, imported

# preset → (--question options, what the sample's rows must become)
EXPECTED: dict[str, tuple[list[str], list[dict[str, Any]]]] = {
    "qualtrics": (
        ["nps=Q1", "comment=Q2", "csat=Q3"],
        [
            # EndDate 09:16:41 in Europe/Budapest (UTC+1 in March) is 08:16:41 UTC.
            {"nps": 10, "csat": 5, "language": "hu", "submitted_at": "2026-03-02 08:16:41",
             "external_id": "C-2001", "email": "anna.kovacs@example.hu",
             "comment": "Gyors szállítás, kedves futár."},
            {"nps": 3, "csat": 2, "language": "en", "submitted_at": "2026-03-02 10:05:00",
             "external_id": "C-2002", "email": "john.smith@example.com",
             "comment": "Delivery was late again, nobody called."},
            {"nps": 8, "csat": 4, "language": "ru", "submitted_at": "2026-03-03 15:47:12",
             "external_id": "C-2003", "email": "maria.ivanova@example.ru", "comment": None},
            {"nps": 0, "csat": 1, "language": "en", "submitted_at": "2026-03-04 07:06:30",
             "external_id": None, "email": None, "comment": "Terrible support."},
        ],
    ),
    "surveymonkey": (
        [
            "nps=How likely is it that you would recommend our company to a friend or colleague?",
            "comment=What is the primary reason for your score?",
            "ces=How easy was it to get your issue resolved?",
        ],
        [
            {"nps": 9, "ces": 7, "submitted_at": "2026-03-02 09:12:40",
             "email": "pat.lee@example.com", "comment": "Great onboarding call"},
            {"nps": 6, "ces": 3, "submitted_at": "2026-03-02 13:03:59",
             "email": "sam.ng@example.com", "comment": "Price went up, quality did not"},
            {"nps": 10, "ces": 6, "submitted_at": "2026-03-04 00:02:30", "email": None,
             "external_id": None, "comment": None},
        ],
    ),
    "google_forms": (
        [
            "nps=How likely are you to recommend us to a friend?",
            "csat=How satisfied were you with the service today?",
            "comment=Anything else you would like to tell us?",
        ],
        [
            {"nps": 9, "csat": 5, "submitted_at": "2026-03-02 09:05:44",
             "email": "lena.weber@example.de", "comment": "Friendly staff"},
            {"nps": 4, "csat": 2, "submitted_at": "2026-03-02 14:31:02",
             "email": "omar.haddad@example.com",
             "comment": "Waited 40 minutes.\nNobody apologised."},
            {"nps": 10, "csat": 4, "submitted_at": "2026-03-10 08:00:00",
             "email": "lena.weber@example.de", "comment": None},
        ],
    ),
    "limesurvey": (
        ["nps=NPS", "csat=CSAT", "comment=REASON"],
        [
            {"nps": 9, "csat": 4, "language": "en", "submitted_at": "2026-03-02 10:00:05",
             "comment": "Quick answers from support"},
            {"nps": 2, "csat": 1, "language": "hu", "submitted_at": "2026-03-02 12:30:00",
             "comment": "Rossz minőség"},
            {"nps": 10, "csat": 5, "language": "ru", "submitted_at": "2026-03-05 18:20:44",
             "comment": None},
        ],
    ),
    "formbricks": (
        [
            "nps=How likely are you to recommend Acme to a friend or colleague?",
            "comment=What could we do better?",
            "rating=How would you rate the checkout?",
        ],
        [
            {"nps": 10, "rating": 5, "external_id": "U-5001",
             "submitted_at": "2026-03-02 08:41:10", "comment": "Nothing really"},
            {"nps": 2, "rating": 1, "external_id": "U-5002",
             "submitted_at": "2026-03-02 19:03:55", "comment": "The checkout crashed twice"},
            {"nps": 7, "rating": 3, "external_id": None,
             "submitted_at": "2026-03-06 07:15:00", "comment": None},
        ],
    ),
}  # fmt: skip


def run_import(
    sessions: sessionmaker[Session], workspace_id: int, path: Path, loaded: Any
) -> Any:
    table = prepare(path, loaded)
    with sessions.begin() as session:
        return import_file(session, workspace_id, table, loaded, ImportOptions())


def subset(row: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in wanted}


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_preset_reads_its_tools_sample_export(
    preset: str,
    acme: SeededWorkspace,
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    questions, expected = EXPECTED[preset]
    if preset == "qualtrics":  # the small-YAML form, with the account's time zone
        mapping = tmp_path / "qualtrics.yaml"
        mapping.write_text(
            "preset: qualtrics\nsurvey: after-delivery\ntimezone: Europe/Budapest\n"
            "questions:\n  nps: Q1\n  comment: Q2\n  csat: Q3\n",
            encoding="utf-8",
        )
        loaded = load_mapping(mapping)
    else:
        loaded = load_mapping(preset=preset, questions=questions, survey="after-delivery")
    report = run_import(sessions, acme.workspace_id, SAMPLES / f"{preset}.csv", loaded)
    assert report.errors == []
    assert report.imported == len(expected)
    rows = imported(sessions, acme.workspace_id)
    assert [subset(row, wanted) for row, wanted in zip(rows, expected, strict=True)] == expected
    again = run_import(sessions, acme.workspace_id, SAMPLES / f"{preset}.csv", loaded)
    assert (again.imported, again.skipped) == (0, len(expected))


def test_xlsx_export_with_date_cells_reads_like_its_csv(
    acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Form Responses 1"
    sheet.append(["Timestamp", "Email Address", "Recommend?", "Why?"])
    sheet.append([datetime(2026, 3, 2, 9, 5, 44), "lena.weber@example.de", 9, "Friendly"])
    sheet.append([datetime(2026, 3, 2, 14, 31, 2), "omar.haddad@example.com", 4.0, None])
    sheet.append([None, None, None, None])  # trailing empty row in the sheet
    path = tmp_path / "responses.xlsx"
    workbook.save(path)
    loaded = load_mapping(
        preset="google_forms",
        questions=["nps=Recommend?", "comment=Why?"],
        survey="after-delivery",
    )
    report = run_import(sessions, acme.workspace_id, path, loaded)
    assert (report.errors, report.imported, report.blank) == ([], 2, 1)
    rows = imported(sessions, acme.workspace_id)
    assert [(r["nps"], r["submitted_at"], r["comment"]) for r in rows] == [
        (9, "2026-03-02 09:05:44", "Friendly"),
        (4, "2026-03-02 14:31:02", None),
    ]


def test_unknown_touchpoint_and_scale_text_are_row_errors_naming_the_column(
    acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "id,submitdate,startlanguage,NPS,Where\n"
        "1,2026-03-02 10:00:05,en,A9,delivery-call\n"
        "2,2026-03-02 10:00:06,de,Somewhat,nowhere\n"
        "1,2026-03-02 10:00:07,en,,delivery-call\n"
        "4,2026-03-02 10:00:08,en,A1,deli\x00very\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "preset: limesurvey\nsurvey: after-delivery\ncolumns:\n  touchpoint: Where\n"
        "questions:\n  nps: NPS\n",
        encoding="utf-8",
    )
    before = counts(sessions)
    report = run_import(sessions, acme.workspace_id, path, load_mapping(mapping))
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "NPS"),
        (3, "Where"),
        (3, "startlanguage"),
        (4, "NPS"),
        (4, "id"),
        (5, "Where"),
    ]
    reasons = [e.reason for e in report.errors]
    assert "'Somewhat' is not a score from 0 to 10; map it under values.nps" in reasons[0]
    assert reasons[1] == "no touchpoint 'nowhere' in this workspace"
    assert "'de' is not one of the languages en, ru, hu" in reasons[2]
    assert reasons[3] == "no answer in any question column"
    assert reasons[4] == "response id '1' is also on row 2"
    assert reasons[5] == "contains a NUL character"
    assert report.imported == 0 and counts(sessions) == before


def test_acknowledge_and_open_cases_on_request_and_never_twice(
    acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    from kano.adapters.importers.feedback_file import ImportOptions

    questions, _ = EXPECTED["surveymonkey"]
    loaded = load_mapping(preset="surveymonkey", questions=questions, survey="after-delivery")
    options = ImportOptions(acknowledge=True, open_cases=True, email_enabled=True)
    path = SAMPLES / "surveymonkey.csv"
    before = counts(sessions)
    for _ in range(2):
        table = prepare(path, loaded)
        with sessions.begin() as session:
            report = import_file(session, acme.workspace_id, table, loaded, options)
        assert report.errors == []
    after = counts(sessions)
    assert after["responses"] - before["responses"] == 3
    assert after["outbox"] - before["outbox"] == 2, "an e-mail to each respondent with one"
    assert after["cases"] - before["cases"] == 1, "the detractor (NPS 6)"
    assert (report.imported, report.skipped, report.messages, report.cases) == (0, 3, 0, 0)
