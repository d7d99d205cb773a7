"""Loading the company again (``kano demo`` a second time, ``kano generate --into-db``)
replaces the stages, so the journeys seeded over the old stages must go with them and be
seeded again over the new ones — on SQLite and PostgreSQL, and only in that workspace.

Before the fix the journeys stayed while the reload deleted their stages (the stage order
rows cascade), and the journey map answered 500: "a journey needs at least one stage".
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from kano.adapters.db import journey_store
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import JourneyRow, Workspace
from kano.adapters.importers.company_parquet import load_company
from kano.app import create_app
from kano.bootstrap import Container
from kano.demo.strategy import import_demo_strategy
from tests.integration.journeys.conftest import DemoWorkspace
from tests.integration.web.browsing import Browser

ADMIN = "helen.carter@northwind.example"


def _journeys(container: Container, workspace_id: int) -> dict[str, list[str]]:
    """Journey key → its stage keys in order (seeding them on the first call)."""
    with transaction(container.sessions) as session:
        return {
            journey.key: [stage.key for stage in journey.stages]
            for journey in journey_store.list_journeys(session, workspace_id)
        }


def _journey_ids(container: Container, slug: str) -> list[int]:
    with container.sessions() as session:
        ws = session.scalars(select(Workspace.id).where(Workspace.slug == slug)).one()
        return list(session.scalars(
            select(JourneyRow.id).where(JourneyRow.workspace_id == ws).order_by(JourneyRow.id)
        ))  # fmt: skip


def test_reloading_the_company_seeds_the_journeys_again_over_the_new_stages(
    container: Container, demo_workspace: DemoWorkspace, demo_dir: Path
) -> None:
    before = _journeys(container, demo_workspace.workspace_id)
    assert before and all(before.values())
    with transaction(container.sessions) as session:
        other = session.scalars(select(Workspace.id).where(Workspace.slug == "other")).one()
    _journeys(container, other)
    other_ids = _journey_ids(container, "other")

    load_company(container.sessions, demo_dir, demo_workspace.slug)

    assert _journeys(container, demo_workspace.workspace_id) == before
    assert _journey_ids(container, "other") == other_ids  # the other workspace untouched


def test_the_journey_map_answers_after_a_reload(
    container: Container, demo_workspace: DemoWorkspace, demo_dir: Path
) -> None:
    import_demo_strategy(container.sessions, demo_dir, demo_workspace.slug)
    with TestClient(create_app(container=container), follow_redirects=False) as client:
        browser = Browser(client)
        assert browser.log_in(ADMIN, "demo").status_code == 303
        assert browser.page("/journeys").status_code == 200  # seeds the journeys
        load_company(container.sessions, demo_dir, demo_workspace.slug)
        page = browser.page("/journeys")
        assert page.status_code == 200, page.text[-2000:]
