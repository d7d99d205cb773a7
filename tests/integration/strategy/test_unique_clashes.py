"""Every unique key or index a strategy file can run into either takes the file's edit or
refuses it up front with a line-numbered message — never a raw database error.

One sheet per employee and period is a unique index (migration 0035) that the import's
updates could break half-way: two sheets of one employee swapping periods is a legitimate
edit, and is applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import Employee, MboObjectiveRow, MboSheetRow
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
