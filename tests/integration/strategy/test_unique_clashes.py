"""Every unique key or index a strategy file can run into either takes the file's edit or
refuses it up front with a line-numbered message — never a raw database error.

One sheet per employee and period is a unique index (migration 0035) that the import's
updates could break half-way: two sheets of one employee swapping periods is a legitimate
edit, and is applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import mbo_store
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Employee, MboObjectiveRow, MboSheetRow
from kano.adapters.strategy_code import StrategyFileInvalid, importer
from kano.adapters.strategy_code.importer import Importer
from kano.adapters.strategy_code.snapshot import load_snapshot
from kano.domain.workspaces import Role
from tests.integration.cli.test_access_commands import kano
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import export_text, import_text, row_counts

EMPLOYEES = ("E-1001", "E-1002")


def _sheets(*sheets: tuple[str, str, str]) -> str:
    """A file of MBO sheets (key, employee, period), each with one objective named after
    its sheet, so that a test can see which objectives went with which sheet."""
    text = "format: kano-strategy/1\nmbo_sheets:\n"
    for key, employee, period in sheets:
        text += (f"  - key: {key}\n    employee: {employee}\n    period: \"{period}\"\n"
                 f"    objectives:\n      - {{key: goal, title: Goal of {key}, weight: 100}}\n")
    return text


def _stored(sessions: sessionmaker[Session]) -> dict[str, tuple[str, str, list[str]]]:
    """Sheet key → (employee, period, titles of its objectives)."""
    with sessions() as session:
        rows = session.execute(
            select(MboSheetRow.key, Employee.external_id, MboSheetRow.period_label,
                   MboObjectiveRow.title)
            .join(Employee, Employee.id == MboSheetRow.employee_id)
            .join(MboObjectiveRow, MboObjectiveRow.sheet_id == MboSheetRow.id)
            .order_by(MboSheetRow.key, MboObjectiveRow.position)).all()
    stored: dict[str, tuple[str, str, list[str]]] = {}
    for key, employee, period, title in rows:
        stored.setdefault(key, (employee, period, []))[2].append(title)
    return stored


@pytest.fixture
def h1_h2(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """E-1001 has sheet ``a`` for 2026-H1 and ``b`` for 2026-H2."""
    seed_people(sessions, employees=EMPLOYEES)
    import_text(sessions, _sheets(("a", "E-1001", "2026-H1"), ("b", "E-1001", "2026-H2")))
    return sessions


def test_two_sheets_of_one_employee_swap_their_periods(h1_h2: sessionmaker[Session]) -> None:
    swapped = _sheets(("a", "E-1001", "2026-H2"), ("b", "E-1001", "2026-H1"))

    result = import_text(h1_h2, swapped)

    assert result.summary.as_detail() == {
        "MBO sheet": {"created": 0, "updated": 2, "deleted": 0}}
    assert _stored(h1_h2) == {"a": ("E-1001", "2026-H2", ["Goal of a"]),
                              "b": ("E-1001", "2026-H1", ["Goal of b"])}
    assert import_text(h1_h2, swapped).summary.is_empty()  # and it reads back to itself
    assert import_text(h1_h2, export_text(h1_h2)).summary.is_empty()


def test_a_swap_in_a_dry_run_is_reported_and_leaves_the_sheets_alone(
    h1_h2: sessionmaker[Session],
) -> None:
    before = row_counts(h1_h2), export_text(h1_h2)
    swapped = _sheets(("b", "E-1001", "2026-H1"), ("a", "E-1001", "2026-H2"))

    result = import_text(h1_h2, swapped, dry_run=True)

    assert result.summary.as_detail() == {
        "MBO sheet": {"created": 0, "updated": 2, "deleted": 0}}
    assert (row_counts(h1_h2), export_text(h1_h2)) == before


def test_sheets_move_along_a_chain_of_periods_and_a_new_sheet_takes_the_first(
    h1_h2: sessionmaker[Session],
) -> None:
    """The new sheet comes first in the file and takes 2026-H1, which ``a`` leaves for the
    2026-H2 that ``b`` leaves for 2027."""
    result = import_text(h1_h2, _sheets(
        ("c", "E-1001", "2026-H1"), ("a", "E-1001", "2026-H2"), ("b", "E-1001", "2027")))

    assert result.summary.as_detail() == {
        "MBO sheet": {"created": 1, "updated": 2, "deleted": 0},
        "MBO objective": {"created": 1, "updated": 0, "deleted": 0}}
    assert _stored(h1_h2) == {"a": ("E-1001", "2026-H2", ["Goal of a"]),
                              "b": ("E-1001", "2027", ["Goal of b"]),
                              "c": ("E-1001", "2026-H1", ["Goal of c"])}


def test_two_sheets_of_one_period_swap_their_employees(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions, employees=EMPLOYEES)
    import_text(sessions, _sheets(("a", "E-1001", "2026"), ("b", "E-1002", "2026")))

    import_text(sessions, _sheets(("a", "E-1002", "2026"), ("b", "E-1001", "2026")))

    assert _stored(sessions) == {"a": ("E-1002", "2026", ["Goal of a"]),
                                 "b": ("E-1001", "2026", ["Goal of b"])}


def test_the_command_line_applies_a_swap(
    db_url: str, h1_h2: sessionmaker[Session], tmp_path: Path
) -> None:
    swapped = tmp_path / "swapped.yaml"
    swapped.write_text(_sheets(("a", "E-1001", "2026-H2"), ("b", "E-1001", "2026-H1")),
                       encoding="utf-8")

    result = kano(db_url, "strategy", "import", str(swapped), "--workspace", "acme")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "MBO sheet" in result.stdout
    assert _stored(h1_h2)["a"][1] == "2026-H2" and _stored(h1_h2)["b"][1] == "2026-H1"


# Objectives, measures, initiatives, OKR objectives and key results have keys unique in the
# whole workspace. A file may move such a row between the scorecards (cycles) it lists; a
# key held by a row in a scorecard (cycle) the file does not list is refused on its line.
CARD_ONE = """\
format: kano-strategy/1
scorecards:
  - key: one
    name: One
    perspectives:
      - key: customer
        name: Customer
        objectives:
          - key: happy
            title: Happy customers
            measures:
              - {key: nps, name: NPS, unit: pt, target: 50, amber_from: 20, green_from: 40,
                 direction: higher}
          - {key: loyal, title: Loyal customers}
    links:
      - {cause: happy, effect: loyal}
    initiatives:
      - {key: academy, name: Service academy, objectives: [happy]}
okr_cycles:
  - key: q1
    name: Q1
    kind: quarter
    starts_on: 2026-01-01
    ends_on: 2026-03-31
    objectives:
      - key: faster
        title: Answer faster
        key_results:
          - {key: reply-time, title: Reply within an hour, kind: metric, start: 5, target: 1}
"""

CARD_TWO = """\
format: kano-strategy/1
scorecards:
  - key: two
    name: Two
    perspectives:
      - key: finance
        name: Finance
        objectives:
          - key: {objective}
            title: Grow
            measures:
              - {{key: {measure}, name: Revenue, unit: EUR, target: 9, amber_from: 5,
                 green_from: 8, direction: higher}}
    initiatives:
      - {{key: {initiative}, name: Sales push}}
okr_cycles:
  - key: q2
    name: Q2
    kind: quarter
    starts_on: 2026-04-01
    ends_on: 2026-06-30
    objectives:
      - key: {okr}
        title: Sell more
        key_results:
          - {{key: {kr}, title: Ten deals, kind: metric, start: 0, target: 10}}
"""

FREE = {"objective": "grow", "measure": "revenue", "initiative": "push", "okr": "sell",
        "kr": "deals"}


@pytest.mark.parametrize(("field", "taken", "line", "path", "message"), [
    ("objective", "happy", 9, "scorecards[0].perspectives[0].objectives[0].key",
     "objective 'happy' exists already in scorecard 'one', which this file does not list: "
     "give this one another key, or list scorecard 'one' too to move it"),
    ("measure", "nps", 12, "scorecards[0].perspectives[0].objectives[0].measures[0].key",
     "measure 'nps' exists already in scorecard 'one', which this file does not list: "
     "give this one another key, or list scorecard 'one' too to move it"),
    ("initiative", "academy", 15, "scorecards[0].initiatives[0].key",
     "initiative 'academy' exists already in scorecard 'one', which this file does not list: "
     "give this one another key, or list scorecard 'one' too to move it"),
    ("okr", "faster", 23, "okr_cycles[0].objectives[0].key",
     "OKR objective 'faster' exists already in cycle 'q1', which this file does not list: "
     "give this one another key, or list cycle 'q1' too to move it"),
    ("kr", "reply-time", 26, "okr_cycles[0].objectives[0].key_results[0].key",
     "key result 'reply-time' exists already in cycle 'q1', which this file does not list: "
     "give this one another key, or list cycle 'q1' too to move it"),
])
def test_a_key_held_in_a_scorecard_or_cycle_the_file_does_not_list_is_refused_by_line(
    sessions: sessionmaker[Session], field: str, taken: str, line: int, path: str,
    message: str,
) -> None:
    seed_people(sessions)
    import_text(sessions, CARD_ONE)
    before = row_counts(sessions), export_text(sessions)

    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, CARD_TWO.format(**(FREE | {field: taken})))

    assert [(e.line, e.path, e.message) for e in raised.value.errors] == [(line, path, message)]
    assert (row_counts(sessions), export_text(sessions)) == before
    import_text(sessions, CARD_TWO.format(**FREE))  # other keys are fine


BOTH = """\
format: kano-strategy/1
scorecards:
  - key: one
    name: One
    perspectives:
      - key: customer
        name: Customer
        objectives:
          - {key: loyal, title: Loyal customers}
  - key: two
    name: Two
    perspectives:
      - key: finance
        name: Finance
        objectives:
          - key: happy
            title: Happy customers
            measures:
              - {key: nps, name: NPS, unit: pt, target: 50, amber_from: 20, green_from: 40,
                 direction: higher}
"""
ONLY_TWO = "format: kano-strategy/1\nscorecards:\n" + BOTH[BOTH.index("  - key: two"):]


def test_an_objective_moves_to_another_scorecard_when_the_file_lists_both(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, CARD_ONE)
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, ONLY_TWO)
    assert [e.line for e in raised.value.errors] == [9, 12]  # objective happy, measure nps

    import_text(sessions, BOTH)

    exported = export_text(sessions)
    assert exported.index("key: two") < exported.index("key: happy") < exported.index("key: nps")
    assert "key: academy" not in exported  # scorecard one no longer lists its initiative


def _page_creates_a_sheet_after_the_import_reads(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, key: str, period: str,
) -> None:
    """The MBO page creates E-1002's sheet ``key`` for ``period`` right after the next
    import has read the workspace (and before it writes anything)."""
    reads: list[int] = []

    def snapshot_then_the_page_writes(session: Session, workspace_id: int) -> Any:
        snapshot = load_snapshot(session, workspace_id)
        reads.append(workspace_id)
        if len(reads) > 1:  # the page writes once, after the import's first read
            return snapshot
        with transaction(sessions) as page:
            employee = page.scalar(select(Employee.id).where(Employee.external_id == "E-1002"))
            assert employee is not None
            page_author = Importer(workspace_id, None, Role.ADMIN, "mbo page")
            mbo_store.create_sheet(page, page_author, employee_id=employee, period_label=period,
                                   key=key)
        return snapshot

    monkeypatch.setattr(importer, "load_snapshot", snapshot_then_the_page_writes)


def test_a_period_taken_on_the_mbo_page_during_the_import_is_refused_by_line(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The unique index refuses the import's sheet for a period the page took meanwhile; the
    import reports it as its checks would have, on the sheet's line, and keeps nothing."""
    seed_people(sessions, employees=EMPLOYEES)
    import_text(sessions, _sheets(("a", "E-1001", "2026")))
    before = row_counts(sessions)
    _page_creates_a_sheet_after_the_import_reads(sessions, monkeypatch, "from-page", "2026")

    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, _sheets(("a", "E-1001", "2026"), ("b", "E-1002", "2026")))

    assert [(e.line, e.path, e.message) for e in raised.value.errors] == [
        (10, "mbo_sheets[1].period", "employee 'E-1002' has a sheet for period '2026' already "
                                     "('from-page'): one sheet per employee and period")]
    after = row_counts(sessions)
    assert after["MBO sheet"] == before["MBO sheet"] + 1  # the page's sheet, not the file's
    assert after["MBO objective"] == before["MBO objective"]


def test_a_sheet_key_taken_during_the_import_asks_to_run_it_again(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page took the key of the file's new sheet: run again, the import would update
    that sheet, so there is no line to blame — the refusal says so, in one line."""
    seed_people(sessions, employees=EMPLOYEES)
    _page_creates_a_sheet_after_the_import_reads(sessions, monkeypatch, "b", "2025")

    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, _sheets(("b", "E-1002", "2026")))

    [error] = raised.value.errors
    assert (error.line, error.path) == (1, "")
    assert error.message.startswith("the database refused the import (")
    assert error.message.endswith("; nothing was imported — if this workspace was being "
                                  "changed at the same time, run the import again")
    assert "Traceback" not in str(raised.value)
    assert _stored(sessions) == {}  # the page's sheet has no objectives; the file's is gone
