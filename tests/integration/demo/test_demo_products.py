"""The demo company names its products: after ``kano demo`` loads the company (here: the
files of size S, seed 1, loaded and named as ``kano demo --language …`` does), the
workspace's product catalogue holds a name for every product code its orders carry, in
the demo's language; a re-run in another language renames the same products, and a
product a user added keeps its name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.cli.company import name_demo_structure
from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import ProductRow, Transaction
from kano.adapters.db.product_catalogue import Product, product_names, upsert_products
from kano.adapters.importers.company_parquet import load_company
from kano.bootstrap import Container
from kano.config import Settings, get_settings
from kano.demo.company import PRODUCTS
from kano.demo.product_names import PRODUCT_NAMES, english_product_names

WORKSPACE = "demo"


@pytest.mark.parametrize("language", ["ru", "hu"])
def test_every_demo_product_has_its_name_in_each_language(language: str) -> None:
    names = PRODUCT_NAMES[language]
    assert names.keys() == {product.key for product in PRODUCTS}
    assert all(name.strip() for name in names.values())
    assert names["welding"] != english_product_names()["welding"]


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process-wide settings point at this test's database while the CLI code runs."""
    monkeypatch.setenv("KANO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KANO_SECRET_KEY", settings.secret_key)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _catalogue(sessions: sessionmaker[Session], workspace_id: int) -> dict[str, str]:
    with sessions() as session:
        return product_names(session, workspace_id)


def test_kano_demo_names_every_product_code_and_a_rerun_renames_them(
    demo_data: Path, container: Container, sessions: sessionmaker[Session], cli_settings: None,
) -> None:
    load_company(sessions, demo_data, WORKSPACE, None)
    with sessions() as session:
        workspace_id = accounts.get_workspace(session, WORKSPACE).id
        ordered = set(session.scalars(select(Transaction.product).distinct().where(
            Transaction.workspace_id == workspace_id)))
    assert len(ordered) >= 10

    name_demo_structure(WORKSPACE, "hu")
    hungarian = _catalogue(sessions, workspace_id)
    assert ordered <= hungarian.keys(), "every code on an order has a name"
    assert hungarian["welding"] == "Hegesztéstechnika"
    with transaction(sessions) as session:
        upsert_products(session, workspace_id, [Product("custom-kit", "Saját készlet")])

    name_demo_structure(WORKSPACE, "ru")
    russian = _catalogue(sessions, workspace_id)
    assert russian.keys() == hungarian.keys() | {"custom-kit"}, "renamed, not added again"
    assert russian["welding"] == "Сварочные материалы"
    assert russian["custom-kit"] == "Saját készlet", "a user's product keeps its name"

    name_demo_structure(WORKSPACE, "en")
    assert _catalogue(sessions, workspace_id)["welding"] == "Welding supplies"
    with sessions() as session:
        rows = session.scalars(select(ProductRow).where(ProductRow.workspace_id == workspace_id))
        assert sum(1 for _ in rows) == len(PRODUCTS) + 1
