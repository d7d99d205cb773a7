"""A loyalty export that names its products fills the workspace's product catalogue: codes
the catalogue lacks get the file's name, a name someone already gave is kept, a dry run
writes none, and another workspace's catalogue is untouched. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry
from kano.adapters.db.product_catalogue import Product, list_products, upsert_products
from kano.adapters.importers.loyalty import LoyaltyColumns, import_loyalty
from tests.integration.api.seed import seed_workspace

COLUMNS = LoyaltyColumns(product="sku", product_name="product")
EXPORT = """member_id,date,type,amount,points,sku,product
C0000,2026-06-01 10:00,purchase,20.50,10,COF-1,Coffee beans 1 kg
C0001,2026-06-02 10:00,purchase,12.00,5,TEA-7,Green tea
C0002,2026-06-03 10:00,purchase,9.90,4,COF-1,COFFEE BNS 1KG
C0000,2026-06-04 10:00,earn,,10,,
C0001,2026-06-05 10:00,purchase,3.00,1,MUG,
C0002,2026-06-06 10:00,purchase,5.00,2,gift card,Gift card
"""


def _catalogue(sessions: sessionmaker[Session], workspace_id: int) -> dict[str, str]:
    with sessions() as session:
        return {p.code: p.name for p in list_products(session, workspace_id)}


def test_a_loyalty_export_names_the_products_the_catalogue_lacks(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    acme = seed_workspace(sessions, "acme").workspace_id
    globex = seed_workspace(sessions, "globex").workspace_id
    with sessions() as session:
        upsert_products(session, acme, [Product("TEA-7", "Sencha green tea (our name)")])
        session.commit()
    path = tmp_path / "loyalty.csv"
    path.write_text(EXPORT, encoding="utf-8")

    with sessions() as session:
        dry = import_loyalty(session, acme, path, COLUMNS, margin_share=0.3, dry_run=True)
        session.rollback()
    assert (dry.problems, dry.products_named) == ([], 1)
    assert _catalogue(sessions, acme) == {"TEA-7": "Sencha green tea (our name)"}

    with sessions() as session:
        report = import_loyalty(session, acme, path, COLUMNS, margin_share=0.3)
        session.commit()
    assert (report.problems, report.purchases, report.products_named) == ([], 5, 1)
    # COF-1 takes the file's first name; TEA-7 keeps the name a user gave; MUG has none in
    # the file; 'gift card' is no code the catalogue can hold (a space), so stays unnamed.
    assert _catalogue(sessions, acme) == {"COF-1": "Coffee beans 1 kg",
                                          "TEA-7": "Sencha green tea (our name)"}  # fmt: skip
    assert _catalogue(sessions, globex) == {}
    with sessions() as session:
        detail = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "loyalty")).one()  # fmt: skip
    assert detail is not None and detail["products_named"] == 1

    with sessions() as session:  # the same export again: nothing new to name
        again = import_loyalty(session, acme, path, COLUMNS, margin_share=0.3)
        session.commit()
    assert (again.skipped, again.products_named) == (6, 0)


def test_a_name_column_without_a_product_column_is_a_problem_of_the_header(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    acme = seed_workspace(sessions, "acme").workspace_id
    path = tmp_path / "loyalty.csv"
    path.write_text(EXPORT, encoding="utf-8")
    with sessions() as session:
        report = import_loyalty(session, acme, path, LoyaltyColumns(product_name="product"),
                                margin_share=0.3)  # fmt: skip
    assert [(p.row, p.column) for p in report.problems] == [(1, "product")]
