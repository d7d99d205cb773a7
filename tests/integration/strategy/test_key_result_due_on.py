"""Key results' due dates in strategy as code: a file may name one, else the key result is
due when its cycle ends (the rule of the API and the OKR page); the export writes back a
day that differs from that, and a re-import or a dry run counts a changed day."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import KeyResultRow
from kano.adapters.strategy_code import StrategyFileInvalid
from kano.adapters.strategy_code import entries as e
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, export_text, import_text

CHURN = "          - key: churn-below-2\n"
CYCLE_END = "    ends_on: 2026-09-30\n"


def _with_due_on(day: str) -> str:
    """The example, with its band key result due on ``day`` (written as given)."""
    text = example_text()
    assert text.count(CHURN) == 1
    return text.replace(CHURN, f"{CHURN}            due_on: {day}\n")


def _due_dates(sessions: sessionmaker[Session]) -> dict[str, date | None]:
    with sessions() as session:
        return {row.key: row.due_on for row in session.scalars(select(KeyResultRow))}


def test_named_day_is_stored_and_the_others_are_due_when_the_cycle_ends(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, _with_due_on("2026-08-31"))
    due = _due_dates(sessions)
    assert due.pop("churn-below-2") == date(2026, 8, 31)
    assert len(due) == 4 and set(due.values()) == {date(2026, 9, 30)}


def test_export_writes_a_named_day_back_and_the_round_trip_is_identical(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, _with_due_on("2026-08-31"))
    first = export_text(sessions)
    # Only the day that is not the cycle's end: the others mean "when the cycle ends".
    assert first.count("due_on:") == 1
    assert "band_high: 2.0\n            due_on: 2026-08-31\n" in first
    again = import_text(sessions, first)
    assert not again.changed
    assert export_text(sessions) == first


def test_a_changed_day_is_counted_by_the_dry_run_and_written_by_the_import(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, _with_due_on("2026-08-31"))
    moved = _with_due_on("2026-09-15")
    dry = import_text(sessions, moved, dry_run=True)
    assert dry.summary.table() == [(e.KEY_RESULT, 0, 1, 0)]
    assert _due_dates(sessions)["churn-below-2"] == date(2026, 8, 31)
    assert import_text(sessions, moved).summary == dry.summary
    assert _due_dates(sessions)["churn-below-2"] == date(2026, 9, 15)
    # Left out again: back to the cycle's end.
    import_text(sessions, example_text())
    assert _due_dates(sessions)["churn-below-2"] == date(2026, 9, 30)


def test_moving_the_cycles_end_moves_the_key_results_due_when_it_ends(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, _with_due_on("2026-08-31"))
    longer = _with_due_on("2026-08-31").replace(CYCLE_END, "    ends_on: 2026-10-31\n")
    result = import_text(sessions, longer)
    assert result.summary.table() == [(e.OKR_CYCLE, 0, 1, 0), (e.KEY_RESULT, 0, 4, 0)]
    due = _due_dates(sessions)
    assert due.pop("churn-below-2") == date(2026, 8, 31)
    assert set(due.values()) == {date(2026, 10, 31)}


def test_key_results_stored_without_a_day_get_the_cycles_end_on_the_next_import(
    sessions: sessionmaker[Session],
) -> None:
    """Key results imported before files knew due dates have none (the OKR page showed no
    "Due"): the export leaves the field out, and importing it stores the cycle's end."""
    seed_people(sessions)
    import_text(sessions, example_text())
    with transaction(sessions) as session:
        for row in session.scalars(select(KeyResultRow)):
            row.due_on = None
    exported = export_text(sessions)
    assert "due_on" not in exported
    result = import_text(sessions, exported)
    assert result.summary.table() == [(e.KEY_RESULT, 0, 5, 0)]
    assert set(_due_dates(sessions).values()) == {date(2026, 9, 30)}
    assert export_text(sessions) == exported


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-02-30", "Input should be a valid date or datetime, day value is outside "
         "expected range"),
        ("next friday", "Input should be a valid date or datetime, invalid character in year"),
    ],
)
def test_a_day_that_is_no_date_is_refused_with_its_line_and_path(
    sessions: sessionmaker[Session], day: str, message: str
) -> None:
    seed_people(sessions)
    text = _with_due_on(day)
    line = text.splitlines().index(f"            due_on: {day}") + 1
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, text)
    (error,) = raised.value.errors
    assert error.line == line
    assert error.path == "okr_cycles[0].objectives[0].key_results[1].due_on"
    assert error.message == message
    assert _due_dates(sessions) == {}  # nothing was imported
