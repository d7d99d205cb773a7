"""No N+1: a page costs the same number of SQL statements whatever its length."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.bootstrap import Container
from tests.integration.api.seed import SeededWorkspace, seed_workspace


@contextmanager
def counted_statements(container: Container) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(container.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(container.engine, "before_cursor_execute", record)


def statements_for(api: TestClient, container: Container, path: str,
                   seeded: SeededWorkspace) -> int:
    api.get(path, headers=seeded.auth())  # records the token's use, outside the count
    with counted_statements(container) as statements:
        assert api.get(path, headers=seeded.auth()).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/customers", "/responses", "/transactions"])
def test_page_of_many_rows_costs_as_many_statements_as_a_page_of_one(
    api: TestClient, container: Container, sessions: sessionmaker[Session], path: str
) -> None:
    one = seed_workspace(sessions, "one", customers=1)
    many = seed_workspace(sessions, "many", customers=30)
    assert statements_for(api, container, path, one) == statements_for(
        api, container, path, many
    ) <= 2  # the token lookup and the page
