"""``kano products import|list`` as a user runs them, against a real database (SQLite and
PostgreSQL): all rows or none with the problems by row and column, a dry run that stores
nothing, renames by code, an audit entry, and a list that shows only the workspace's own."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry
from kano.adapters.db.product_catalogue import Product, list_products, upsert_products
from tests.integration.api.seed import seed_workspace
from tests.integration.cli.test_access_commands import kano


def _catalogue(sessions: sessionmaker[Session], workspace_id: int) -> list[tuple[str, ...]]:
    with sessions() as session:
        return [(p.code, p.name, p.category or "") for p in list_products(session, workspace_id)]


def test_a_bad_row_stops_the_import_and_is_named_by_row_and_column(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    workspace_id = seed_workspace(sessions, "acme").workspace_id
    bad = tmp_path / "products.csv"
    bad.write_text("Code,Name,Category\nwidget,Widget,Parts\ngad get,Gadget,\n"
                   "bolt,,Parts\nwidget,Widget again,\n", encoding="utf-8")  # fmt: skip
    refused = kano(db_url, "products", "import", str(bad), "--workspace", "acme")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    for row, column in (("3", "code"), ("4", "name"), ("5", "code")):
        assert re.search(rf"\b{row}\s*│\s*{column}\s*│", refused.stderr), refused.stderr
    assert "nothing was imported" in refused.stderr
    assert "also on row 2" in refused.stderr
    assert _catalogue(sessions, workspace_id) == []


def test_an_xlsx_is_checked_by_a_dry_run_then_imported_renaming_by_code(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    acme = seed_workspace(sessions, "acme").workspace_id
    globex = seed_workspace(sessions, "globex").workspace_id
    with sessions() as session:
        upsert_products(
            session, acme, [Product("widget", "Widget", "Parts"), Product("keep", "Kept as it is")]
        )
        upsert_products(session, globex, [Product("globex-only", "Globex thing")])
        session.commit()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ("code", "name", "category"),
        ("widget", "Widget, zinc-plated", None),
        (1001, "Сварочная проволока", "Расходники"),
        ("tape", "Szigetelőszalag", ""),
    ):
        sheet.append(row)
    path = tmp_path / "products.xlsx"
    book.save(path)

    dry = kano(db_url, "products", "import", str(path), "--workspace", "acme", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "2 would be added, 1 would be renamed" in dry.stdout
    assert _catalogue(sessions, acme) == [
        ("keep", "Kept as it is", ""),
        ("widget", "Widget", "Parts"),
    ]

    done = kano(db_url, "products", "import", str(path), "--workspace", "acme")
    assert done.returncode == 0, done.stderr
    assert "2 were added, 1 were renamed" in done.stdout
    assert _catalogue(sessions, acme) == [
        ("1001", "Сварочная проволока", "Расходники"),
        ("keep", "Kept as it is", ""),
        ("tape", "Szigetelőszalag", ""),
        ("widget", "Widget, zinc-plated", ""),
    ]
    assert _catalogue(sessions, globex) == [("globex-only", "Globex thing", "")]
    with sessions() as session:
        trail = session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
                                .where(AuditEntry.entity == "product")).all()  # fmt: skip
    assert trail == [("cli", "import", {"rows": 3, "added": 2, "changed": 1})]

    listed = kano(db_url, "products", "list", "--workspace", "acme")
    assert listed.returncode == 0, listed.stderr
    assert "Products of acme (4)" in listed.stdout
    assert "Сварочная проволока" in listed.stdout and "globex-only" not in listed.stdout
    found = kano(db_url, "products", "list", "--workspace", "acme", "--search", "zinc")
    assert "Widget, zinc-plated" in found.stdout and "Kept as it is" not in found.stdout


def test_help_says_what_the_file_holds() -> None:
    shown = kano("sqlite://", "products", "import", "--help")
    assert shown.returncode == 0
    assert "code, name and optionally category" in shown.stdout and "--dry-run" in shown.stdout
