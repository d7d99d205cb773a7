"""The warehouse fixtures' demo company (size S, seed 1, workspace 7 next to seed 2)."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Workspace
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.warehouse import ParquetSource
from kano.bootstrap import Container
from kano.domain.workspaces import Scope
from tests.integration.warehouse.conftest import (  # noqa: F401 -- fixtures re-exported
    DEMO_WORKSPACE,
    OTHER_WORKSPACE,
    demo_dir,
    demo_warehouses,
    other_dir,
    warehouse_factory,
)
from tests.warehouses import load_into


@dataclass(frozen=True)
class DemoWorkspace:
    slug: str
    workspace_id: int
    token: str
    warehouse_url: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def demo_workspace(container: Container, demo_dir: Path) -> DemoWorkspace:  # noqa: F811
    """The demo company in the app database (on each engine) and in the DuckDB warehouse,
    next to a second workspace with the same stages, so isolation is exercised."""
    load_company(container.sessions, demo_dir, "other")
    load_company(container.sessions, demo_dir, "northwind", "Northwind (demo)")
    with transaction(container.sessions) as session:
        ws = session.scalars(select(Workspace).where(Workspace.slug == "northwind")).one()
        token = accounts.create_api_token(session, ws, Scope.WRITE, "tester").token
        ws_id = ws.id
    url = container.settings.resolved_warehouse_url()
    load_into(url, ParquetSource(demo_dir), ws_id)
    return DemoWorkspace("northwind", ws_id, token, url)
