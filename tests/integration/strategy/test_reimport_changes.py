"""A re-import that changes many measures, values and links: each table's changed rows go
to the database as one batch (one UPDATE statement, executemany), and the outcome is what
one store call per row gave — the rows, one audit entry per changed row saying what
changed, in file order, and nothing at all when a store refuses one of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry, CauseEffectLinkRow, MeasureRow, MeasureValueRow
from kano.adapters.strategy_code import StrategyFileInvalid, read_document
from kano.adapters.strategy_code.importer import import_document
from kano.bootstrap import Container
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import export_text, import_text, row_counts

OBJECTIVES = ("o1", "o2", "o3", "o4")
MEASURES = [f"{o}-m{m}" for o in OBJECTIVES for m in range(3)]
PERIODS = ("2026-01-01", "2026-02-01")
LINKS = [("o1", "o2"), ("o2", "o3"), ("o3", "o4"), ("o1", "o4")]


def strategy(changed: bool = False) -> str:
    """Four objectives with three measures of two values each, and four links; ``changed``
    raises every target (3 → 4), every actual (by 10) and gives every link a hypothesis
    and a lag."""
    lines = [
        "format: kano-strategy/1",
        "scorecards:",
        "  - key: main",
        "    name: Main",
        "    perspectives:",
        "      - key: customer",
        "        name: Customer",
        "        objectives:",
    ]
    for o in OBJECTIVES:
        lines += [
            f"          - key: {o}",
            f"            title: Objective {o}",
            "            owner: ceo@acme.example",
            "            measures:",
        ]
        for m in range(3):
            lines += [
                f"              - key: {o}-m{m}",
                f"                name: Measure {m} of {o}",
                "                direction: higher",
                "                amber_from: 1",
                "                green_from: 2",
                f"                target: {4 if changed else 3}",
                "                values:",
            ]
            for n, period in enumerate(PERIODS):
                lines.append(
                    f"                  - {{period: {period}, actual: {n + m + 10 * changed}}}"
                )
    lines.append("    links:")
    for n, (cause, effect) in enumerate(LINKS):
        lines += [f"      - cause: {cause}", f"        effect: {effect}"]
        if changed:
            lines += [f"        hypothesis: Link {n} holds", "        lag_months: 2"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def imported(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    seed_people(sessions)
    import_text(sessions, strategy())
    return sessions


def _last_audit_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


@contextmanager
def updates_sent(container: Container) -> Iterator[dict[str, list[int]]]:
    """Per table: the number of parameter sets of each UPDATE statement sent."""
    sent: dict[str, list[int]] = {}

    def count(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
    ) -> None:
        if statement.startswith("UPDATE "):
            table = statement.split()[1]
            sent.setdefault(table, []).append(len(parameters) if executemany else 1)

    event.listen(container.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(container.engine, "before_cursor_execute", count)


def test_a_reimport_changing_every_measure_value_and_link_stores_and_audits_each(
    imported: sessionmaker[Session],
) -> None:
    start = _last_audit_id(imported)
    result = import_text(imported, strategy(changed=True))
    assert result.summary.table() == [
        ("measure", 0, 12, 0),
        ("measure value", 0, 24, 0),
        ("link", 0, 4, 0),
    ]
    with imported() as session:
        assert {m.key: m.target for m in session.scalars(select(MeasureRow))} == dict.fromkeys(
            MEASURES, 4.0
        )
        keys = dict(session.execute(select(MeasureRow.id, MeasureRow.key)).all())
        assert {
            (keys[v.measure_id], v.period_start.isoformat()): v.actual
            for v in session.scalars(select(MeasureValueRow))
        } == {
            (key, period): float(n + int(key[-1]) + 10)
            for key in MEASURES
            for n, period in enumerate(PERIODS)
        }
        assert sorted(
            (link.hypothesis, link.lag_months)
            for link in session.scalars(select(CauseEffectLinkRow))
        ) == [(f"Link {n} holds", 2) for n in range(4)]
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.id > start, AuditEntry.entity != "strategy")
            .order_by(AuditEntry.id)
        ).all()
    assert {(entry.actor, entry.action) for entry in entries} == {("cli", "update")}
    assert [(entry.entity, entry.detail) for entry in entries] == [
        *(("measure", {"key": key, "target": {"from": 3.0, "to": 4.0}}) for key in MEASURES),
        *(
            (
                "measure_value",
                {
                    "measure": key,
                    "period": period,
                    "actual": {"from": float(n + int(key[-1])), "to": float(n + int(key[-1]) + 10)},
                },
            )
            for key in MEASURES
            for n, period in enumerate(PERIODS)
        ),
        *(
            (
                "cause_effect_link",
                {
                    "hypothesis": {"from": None, "to": f"Link {n} holds"},
                    "lag_months": {"from": 0, "to": 2},
                },
            )
            for n in range(4)
        ),
    ]
    # Importing the changed file again changes nothing.
    again = _last_audit_id(imported)
    assert not import_text(imported, strategy(changed=True)).changed
    assert _last_audit_id(imported) == again


def test_the_changed_rows_of_each_table_go_in_one_update_statement(
    imported: sessionmaker[Session],
    container: Container,
) -> None:
    with updates_sent(container) as sent:
        import_text(imported, strategy(changed=True))
    assert sent == {"measures": [12], "measure_values": [24], "cause_effect_links": [4]}


def _interval(value: Any, low: float, high: float) -> None:
    value.ci_low, value.ci_high = low, high


@pytest.mark.parametrize(
    ("refuse", "path", "message"),
    [
        (
            lambda objectives: setattr(objectives[3].measures[2], "weight", 2e9),
            "scorecards[0].perspectives[0].objectives[3].measures[2].weight",
            "must be from 0 to 1e+09",
        ),
        (
            lambda objectives: _interval(objectives[2].measures[1].values[1], 5.0, 3.0),
            "scorecards[0].perspectives[0].objectives[2].measures[1].values[1].ci_low",
            "must not exceed ci_high",
        ),
    ],
    ids=["measure", "value"],
)
def test_a_changed_row_the_store_refuses_undoes_the_whole_reimport(
    imported: sessionmaker[Session],
    refuse: Any,
    path: str,
    message: str,
) -> None:
    """The store refuses one changed row of a batch (set after the file's checks): it is
    named by its own path, and no row of the batch, nor anything before it, stays."""
    before = row_counts(imported), export_text(imported)
    document, loaded = read_document(strategy(changed=True), "changed.yaml")
    refuse(document.scorecards[0].perspectives[0].objectives)
    with pytest.raises(StrategyFileInvalid) as raised:
        import_document(imported, document, loaded, source="changed.yaml", workspace="acme")
    assert [(error.path, error.message) for error in raised.value.errors] == [(path, message)]
    assert (row_counts(imported), export_text(imported)) == before


def test_a_changed_link_the_store_refuses_undoes_the_whole_reimport(
    imported: sessionmaker[Session],
) -> None:
    before = row_counts(imported), export_text(imported)
    document, loaded = read_document(strategy(changed=True), "changed.yaml")
    document.scorecards[0].links[3].lag_months = 500
    with pytest.raises(StrategyFileInvalid) as raised:
        import_document(imported, document, loaded, source="changed.yaml", workspace="acme")
    assert [(error.path, error.message) for error in raised.value.errors] == [
        ("scorecards[0].links[3].lag_months", "must be a whole number of months from 0 to 120")
    ]
    assert (row_counts(imported), export_text(imported)) == before
