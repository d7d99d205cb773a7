"""Hypothesis: any valid document survives the database, and importing one document over
another gives the same state as importing it into an empty workspace.

SQLite only (one migrated database for all examples, a new workspace per example); the
example-based tests cover PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import make_engine, make_session_factory
from kano.adapters.strategy_code import read_document
from kano.adapters.strategy_code.schema import StrategyDocument, document_dump
from kano.adapters.strategy_code.yaml_style import dump_yaml
from tests.databases import DatabaseFactory
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import export_text, import_text
from tests.unit.strategy_code.documents import NAME, TEXT, documents

USERS = ("ceo@acme.example", "ana@acme.example")
TEAMS = ("sales", "service")
EMPLOYEES = ("E-1", "E-2")
_workspaces = itertools.count()


@pytest.fixture(scope="module")
def sqlite_sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("hypothesis-db"), "hypothesis")
    engine = make_engine(factory.fresh("sqlite"))
    yield make_session_factory(engine)
    engine.dispose()


def _new_workspace(sessions: sessionmaker[Session]) -> str:
    slug = f"ws-{next(_workspaces)}"
    seed_people(sessions, slug, users=USERS, teams=TEAMS, employees=EMPLOYEES)
    return slug


def _yaml(document: StrategyDocument) -> str:
    return dump_yaml(document_dump(document))


COMMON = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@COMMON
@given(documents(USERS, TEAMS, EMPLOYEES))
def test_any_document_round_trips_byte_identically(
    sqlite_sessions: sessionmaker[Session], document: StrategyDocument
) -> None:
    workspace = _new_workspace(sqlite_sessions)
    import_text(sqlite_sessions, _yaml(document), workspace)
    first = export_text(sqlite_sessions, workspace)
    again = import_text(sqlite_sessions, first, workspace)
    assert not again.changed
    assert export_text(sqlite_sessions, workspace) == first
    # The export says what the file said, in export order.
    assert import_text(sqlite_sessions, _yaml(document), workspace).changed is False


@settings(COMMON, max_examples=20)
@given(
    documents(USERS, TEAMS, EMPLOYEES, fixed_containers=True),
    documents(USERS, TEAMS, EMPLOYEES, fixed_containers=True),
)
def test_importing_over_an_older_version_equals_importing_fresh(
    sqlite_sessions: sessionmaker[Session], older: StrategyDocument, newer: StrategyDocument
) -> None:
    updated, fresh = _new_workspace(sqlite_sessions), _new_workspace(sqlite_sessions)
    import_text(sqlite_sessions, _yaml(older), updated)
    import_text(sqlite_sessions, _yaml(newer), updated)
    import_text(sqlite_sessions, _yaml(newer), fresh)
    header = f"'{updated}'", f"--workspace {updated}"
    exported = export_text(sqlite_sessions, updated)
    for old in header:
        exported = exported.replace(old, old.replace(updated, fresh))
    assert exported == export_text(sqlite_sessions, fresh)


def _definition(metric_id: str) -> st.SearchStrategy[dict[str, Any]]:
    """A custom metric whose texts are anything a person might type."""
    names = NAME | st.fixed_dictionaries({"en": NAME}, optional={"ru": NAME, "hu": NAME})
    required = {
        "id": st.just(metric_id),
        "name": names,
        "layer": st.sampled_from(["TX", "CX"]),
        "direction": st.sampled_from(["higher", "lower"]),
        "source": st.just("transactions"),
        "aggregate": st.just("count"),
    }
    optional = {
        "unit": TEXT,
        "description": TEXT,
        "filter": st.sampled_from(["amount > 10", "channel = 'web'"]),
    }
    return st.fixed_dictionaries(required, optional=optional)


CUSTOM_METRICS = st.lists(
    st.sampled_from(["web_orders", "big_orders", "store_orders"]), unique=True, max_size=3
).flatmap(lambda ids: st.tuples(*(_definition(metric_id) for metric_id in ids)))


@COMMON
@given(CUSTOM_METRICS)
def test_custom_metrics_round_trip_byte_identically(
    sqlite_sessions: sessionmaker[Session], definitions: tuple[dict[str, Any], ...]
) -> None:
    workspace = _new_workspace(sqlite_sessions)
    text = dump_yaml({"format": "kano-strategy/1", "metrics": list(definitions)})
    import_text(sqlite_sessions, text, workspace)
    first = export_text(sqlite_sessions, workspace)
    document, _ = read_document(first, "export.yaml")
    assert document.metrics == list(definitions)
    assert not import_text(sqlite_sessions, first, workspace).changed
    assert export_text(sqlite_sessions, workspace) == first
