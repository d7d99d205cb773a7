"""A key result's live window (``per``) in strategy as code: left out it is the cycle so
far; ``per: month`` is stored, written back by the export (the default is left out), a
changed window is counted by a dry run, and a bad value is refused naming the field."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import KeyResultRow
from kano.adapters.strategy_code import StrategyFileInvalid
from kano.adapters.strategy_code import entries as e
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, export_text, import_text

BINDING = "\n            metric: {id: nps, slice: {segment: b2b}}\n"


def _with_per(per: str) -> str:
    text = example_text()
    assert text.count(BINDING) == 1
    return text.replace(BINDING, f"{BINDING}            per: {per}\n")


def _pers(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return {row.key: row.per for row in session.scalars(select(KeyResultRow))}


def test_per_month_round_trips_and_the_default_is_left_out(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, _with_per("month"))
    pers = _pers(sessions)
    assert pers.pop("nps-to-40") == "month"
    assert set(pers.values()) == {"cycle"}
    first = export_text(sessions)
    assert first.count("per:") == 1 and f"{BINDING}            per: month\n" in first
    assert not import_text(sessions, first).changed
    assert export_text(sessions) == first

    dry = import_text(sessions, example_text(), dry_run=True)
    assert dry.summary.table() == [(e.KEY_RESULT, 0, 1, 0)]
    import_text(sessions, example_text())
    assert _pers(sessions)["nps-to-40"] == "cycle"


def test_an_unknown_window_is_refused_naming_the_field(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    text = _with_per("week")
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, text)
    (error,) = raised.value.errors
    assert error.line == text.splitlines().index("            per: week") + 1
    assert error.path == "okr_cycles[0].objectives[0].key_results[0].per"
    assert "'cycle' or 'month'" in error.message
    assert _pers(sessions) == {}  # nothing was imported
