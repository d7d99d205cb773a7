"""Strategy as code against real databases: round trips, idempotence and scope."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import ObjectiveRow, PerspectiveRow, Workspace
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code import read_document
from kano.adapters.strategy_code.schema import document_dump
from kano.adapters.strategy_code.yaml_style import dump_yaml
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import (
    example_text,
    export_text,
    import_text,
    row_counts,
)

EXPECTED_ROWS = {
    e.SCORECARD: 2,
    e.PERSPECTIVE: 6,
    e.OBJECTIVE: 11,
    e.MEASURE: 9,
    e.MEASURE_VALUE: 13,
    e.LINK: 7,
    e.INITIATIVE: 2,
    e.INITIATIVE_OBJECTIVE: 3,
    e.OKR_CYCLE: 1,
    e.OKR_OBJECTIVE: 3,
    e.KEY_RESULT: 5,
    e.CHECK_IN: 4,
    e.MBO_SHEET: 1,
    e.MBO_OBJECTIVE: 3,
}


def test_example_imports_every_entity(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    result = import_text(sessions, example_text())
    assert dict(result.summary.created) == EXPECTED_ROWS
    assert not result.summary.updated and not result.summary.deleted
    counts = row_counts(sessions)
    assert {entity: counts[entity] for entity in EXPECTED_ROWS} == EXPECTED_ROWS


def test_import_export_import_export_is_byte_identical(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, example_text())
    first = export_text(sessions)
    again = import_text(sessions, first)
    assert not again.changed
    second = export_text(sessions)
    assert second == first
    assert first.startswith("# Strategy of workspace 'acme'")
    assert "period: 2026-01-01" in first and "at: 2026-07-15 09:00:00" in first


def test_importing_the_same_file_twice_changes_nothing(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, example_text())
    counts, exported = row_counts(sessions), export_text(sessions)
    result = import_text(sessions, example_text())
    assert not result.changed and result.summary.table() == []
    # Not even an audit entry: nothing happened.
    assert row_counts(sessions) == counts
    assert export_text(sessions) == exported


def test_dry_run_reports_the_changes_and_writes_nothing(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    before = row_counts(sessions)
    dry = import_text(sessions, example_text(), dry_run=True)
    assert dict(dry.summary.created) == EXPECTED_ROWS and dry.dry_run
    assert row_counts(sessions) == before
    real = import_text(sessions, example_text())
    assert real.summary == dry.summary


def test_missing_workspace_is_created_but_not_by_a_dry_run(
    sessions: sessionmaker[Session],
) -> None:
    text = "format: kano-strategy/1\nscorecards:\n  - {key: main, name: Main}\n"
    dry = import_text(sessions, text, workspace="fresh", dry_run=True)
    assert dry.workspace_created and dry.summary.created[e.SCORECARD] == 1
    with sessions() as session:
        assert session.scalar(select(Workspace).where(Workspace.slug == "fresh")) is None
    assert import_text(sessions, text, workspace="fresh").workspace_created
    assert "key: main" in export_text(sessions, "fresh")


def test_a_file_replaces_what_it_lists_and_keeps_what_it_does_not_mention(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, example_text())
    only_service = """\
format: kano-strategy/1
scorecards:
  - key: service
    name: Customer service scorecard
    level: department
    parent: company
    perspectives:
      - key: customer
        name: Our customers
        objectives:
          - key: service-effortless
            title: Effortless service, every time
            aligned_to: easy-to-work-with
"""
    result = import_text(sessions, only_service)
    assert result.summary.table() == [
        (e.PERSPECTIVE, 0, 0, 1),
        (e.OBJECTIVE, 0, 1, 1),
        (e.MEASURE, 0, 0, 1),
        (e.LINK, 0, 0, 1),
    ]
    exported = export_text(sessions)
    document, _ = read_document(exported, "export.yaml")
    service = next(card for card in document.scorecards if card.key == "service")
    assert [p.key for p in service.perspectives] == ["customer"]
    assert service.perspectives[0].objectives[0].measures == []
    company = next(card for card in document.scorecards if card.key == "company")
    assert len(company.perspectives) == 4 and len(company.links) == 6
    assert len(document.okr_cycles) == 1 and len(document.mbo_sheets) == 1


def test_objective_moved_to_another_perspective_keeps_its_row_and_measures(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, example_text())
    with sessions() as session:
        before = session.scalars(
            select(ObjectiveRow).where(ObjectiveRow.key == "engaged-people")
        ).one()
    document, _ = read_document(export_text(sessions), "export.yaml")
    company = document.scorecards[0]
    learning = next(p for p in company.perspectives if p.key == "learning")
    process = next(p for p in company.perspectives if p.key == "process")
    moved = learning.objectives.pop(0)
    process.objectives.insert(0, moved)
    company.perspectives.reverse()  # and reorder the bands
    result = import_text(sessions, dump_yaml(document_dump(document)))
    assert result.summary.table() == [(e.PERSPECTIVE, 0, 4, 0), (e.OBJECTIVE, 0, 5, 0)]
    with sessions() as session:
        after = session.scalars(
            select(ObjectiveRow).where(ObjectiveRow.key == "engaged-people")
        ).one()
        perspective = session.get(PerspectiveRow, after.perspective_id)
        assert after.id == before.id and perspective is not None and perspective.key == "process"
    exported, _ = read_document(export_text(sessions), "export.yaml")
    assert [p.key for p in exported.scorecards[0].perspectives] == [
        "learning",
        "process",
        "financial",
        "customer",
    ]
    assert len(exported.scorecards[0].perspectives[1].objectives[0].measures[0].values) == 2
