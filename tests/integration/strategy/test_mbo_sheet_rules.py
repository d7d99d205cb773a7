"""A strategy file follows the MBO rules of the API and the MBO page (``mbo_store``): one
sheet per employee and period, and a stored sheet's status moves one step at a time. The
example strategy stores Ana's agreed 2026 sheet ``ana-2026`` (E-1001)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import MboObjectiveRow, MboSheetRow
from kano.adapters.strategy_code import StrategyFileInvalid
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, export_text, import_text

ANA_2026 = """\
  - key: {key}
    employee: E-1001
    period: "{period}"
    status: {status}
    objectives:
      - {{key: one, title: One, weight: 100}}
"""


def _file(*sheets: str) -> str:
    return "format: kano-strategy/1\nmbo_sheets:\n" + "".join(sheets)


def test_a_second_sheet_for_the_same_employee_and_period_is_refused(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, example_text())
    exported = export_text(sessions)

    # Another key for the stored sheet's employee and period (the stored one stays) …
    with pytest.raises(StrategyFileInvalid) as stored:
        import_text(sessions, _file(ANA_2026.format(key="ana-again", period="2026",
                                                    status="draft")))
    # … and two sheets in one file.
    with pytest.raises(StrategyFileInvalid) as twice:
        import_text(sessions, _file(
            ANA_2026.format(key="ana-2027", period="2027", status="draft"),
            ANA_2026.format(key="ana-2027-b", period="2027", status="draft")))

    assert [(e.line, e.path, e.message) for e in stored.value.errors] == [
        (5, "mbo_sheets[0].period", "employee 'E-1001' has a sheet for period '2026' already "
                                    "('ana-2026'): one sheet per employee and period")]
    assert [(e.line, e.path, e.message) for e in twice.value.errors] == [
        (11, "mbo_sheets[1].period", "employee 'E-1001' has a sheet for period '2027' already "
                                     "('ana-2027'): one sheet per employee and period")]
    assert export_text(sessions) == exported
    # The stored sheet itself may be re-imported with the same employee and period.
    import_text(sessions, _file(ANA_2026.format(key="ana-2026", period="2026",
                                                status="agreed")))


def test_a_stored_sheet_moves_one_status_at_a_time(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, example_text())  # ana-2026 is agreed
    import_text(sessions, _file(ANA_2026.format(key="ana-2026", period="2026",
                                                status="reviewed")))

    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, _file(ANA_2026.format(key="ana-2026", period="2026",
                                                    status="draft")))

    assert [(e.line, e.path, e.message) for e in raised.value.errors] == [
        (6, "mbo_sheets[0].status",
         "a reviewed sheet cannot become draft; from reviewed it moves to agreed")]
    # A new sheet may start in any status (a past review typed in).
    import_text(sessions, _file(ANA_2026.format(key="ana-2025", period="2025",
                                                status="reviewed")))
    assert "key: ana-2025" in export_text(sessions)


def test_review_comments_round_trip_through_the_file(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    text = _file("""\
  - key: ana-2027
    employee: E-1001
    period: "2027"
    status: agreed
    comment: Strong year
    objectives:
      - {key: one, title: One, weight: 100, achievement: 90, comment: "Nine of ten sites"}
""")
    import_text(sessions, text)
    exported = export_text(sessions)

    assert "comment: Strong year" in exported and "comment: Nine of ten sites" in exported
    import_text(sessions, exported)  # the export reads back …
    assert export_text(sessions) == exported  # … to itself
    with sessions() as session:
        stored = session.execute(
            select(MboSheetRow.review_comment, MboObjectiveRow.review_comment)
            .join(MboObjectiveRow, MboObjectiveRow.sheet_id == MboSheetRow.id)).all()
    assert [tuple(row) for row in stored] == [("Strong year", "Nine of ten sites")]
