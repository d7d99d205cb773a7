"""A file is imported a batch at a time (on PostgreSQL each batch is stored as soon as it
is checked): the outcome must be the one of a single batch — customers created
once however many batches they appear in, identical rows keyed apart, a response id
repeated in a later batch refused, and nothing stored from a file with a bad row in its
last batch, even by a caller that commits."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import Customer, FeedbackResponse
from kano.adapters.importers.feedback_file import (
    ImportOptions,
    import_file,
    importing,
    load_mapping,
    prepare,
)
from tests.integration.api.seed import SeededWorkspace
from tests.integration.feedback_import.conftest import counts

MAPPING = """\
survey: after-delivery
columns:
  response_id: Id
  customer_external_id: Customer
  customer_email: Email
questions:
  nps: NPS
  comment: Comment
"""
HEADER = ["Id", "Customer", "Email", "NPS", "Comment"]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def file_rows(count: int) -> list[list[str]]:
    """``count`` responses from 4 new customers taking turns (each in many batches)."""
    return [
        [f"B{i}", f"N{i % 4}", f"new{i % 4}@example.com", str(i % 11), f"comment {i}"]
        for i in range(count)
    ]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "BATCH_ROWS", 3)


def run(sessions: sessionmaker[Session], workspace_id: int, path: Path, mapping: Path) -> object:
    loaded = load_mapping(mapping)
    table = prepare(path, loaded)
    with sessions.begin() as session:  # commits whatever the report says
        return import_file(session, workspace_id, table, loaded, ImportOptions())


def test_a_file_in_many_batches_stores_each_customer_once_and_every_row(
    acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    path = write(tmp_path / "export.csv", file_rows(20))
    before = counts(sessions)
    report = run(sessions, acme.workspace_id, path, mapping)
    assert (report.rows, report.imported, report.customers_created) == (20, 20, 4)
    after = counts(sessions)
    assert after["responses"] - before["responses"] == 20
    assert after["customers"] - before["customers"] == 4
    with sessions() as session:
        per_customer = dict(
            session.execute(
                select(Customer.external_id, func.count(FeedbackResponse.id))
                .join(FeedbackResponse, FeedbackResponse.customer_id == Customer.id)
                .where(Customer.workspace_id == acme.workspace_id, Customer.external_id.like("N%"))
                .group_by(Customer.external_id)
            ).all()
        )
    assert per_customer == {"N0": 5, "N1": 5, "N2": 5, "N3": 5}

    longer = write(tmp_path / "longer.csv", file_rows(26))  # a later export: 6 rows more
    again = run(sessions, acme.workspace_id, longer, mapping)
    assert (again.imported, again.skipped, again.customers_created) == (6, 20, 0)
    assert counts(sessions)["responses"] - before["responses"] == 26


def test_identical_rows_in_different_batches_are_all_imported(
    acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING.replace("  response_id: Id\n", ""), encoding="utf-8")
    same = ["", "N9", "n9@example.com", "10", "the same words"]
    path = write(tmp_path / "export.csv", [same] * 7)
    before = counts(sessions)
    assert run(sessions, acme.workspace_id, path, mapping).imported == 7
    assert run(sessions, acme.workspace_id, path, mapping).skipped == 7
    assert counts(sessions)["responses"] - before["responses"] == 7


def test_a_bad_row_in_the_last_batch_stores_nothing_even_when_the_caller_commits(
    acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    rows = file_rows(20)
    rows[16][3] = "11"  # batch 6 of 7
    rows[19][0] = "B2"  # the id of a row in batch 1
    path = write(tmp_path / "export.csv", rows)
    before = counts(sessions)
    report = run(sessions, acme.workspace_id, path, mapping)
    assert [(e.row, e.column) for e in report.errors] == [(18, "NPS"), (21, "Id")]
    assert "row 4" in report.errors[1].reason
    assert (report.imported, report.customers_created) == (0, 0)
    assert counts(sessions) == before, "nothing of the first five batches is left"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite: one writer
def test_two_imports_of_one_file_at_once_store_it_once(
    acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """The second import's look-up cannot see the first's uncommitted rows; its COPY then
    waits on the unique key until the first commits and fails, and its batches are rolled
    back (the CLI says: run it again). Run again, it skips every row."""
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    path = write(tmp_path / "export.csv", file_rows(20))
    loaded = load_mapping(mapping)
    before = counts(sessions)
    first = sessions()
    assert import_file(first, acme.workspace_id, prepare(path, loaded), loaded,
                       ImportOptions()).imported == 20  # fmt: skip
    outcome: list[BaseException | int] = []

    def second_import() -> None:
        with sessions() as session:
            try:
                report = import_file(session, acme.workspace_id, prepare(path, loaded), loaded,
                                     ImportOptions())  # fmt: skip
                session.commit()
                outcome.append(report.imported)
            except IntegrityError as error:
                session.rollback()
                outcome.append(error)

    racer = threading.Thread(target=second_import)
    racer.start()
    racer.join(timeout=1.0)
    assert racer.is_alive(), "the second import waits for the first's transaction"
    first.commit()
    first.close()
    racer.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], IntegrityError), outcome
    assert counts(sessions)["responses"] - before["responses"] == 20
    again = run(sessions, acme.workspace_id, path, mapping)
    assert (again.imported, again.skipped) == (0, 20)
