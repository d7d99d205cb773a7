"""A product list (CSV or XLSX: ``code``, ``name`` and optionally ``category``) into the
workspace's catalogue, all rows or none.

``kano products import`` and the settings page's upload both come here, and both write
through :func:`kano.adapters.db.product_catalogue.upsert_products`, as the API does: a
code already in the catalogue is renamed (or re-categorised), a new one added, a product
not in the file left alone. Every row is checked first (the API's rules, by
``checked_product``); one bad row and nothing is stored, and every problem is reported by
the row number a spreadsheet shows and the column. One audit entry says who imported what.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.product_catalogue import Product, checked_product, upsert_products
from kano.adapters.importers.feedback_file.mapping import FileMapping
from kano.adapters.importers.feedback_file.readers import read_table
from kano.domain.shared.errors import InvalidInput

COLUMNS = ("code", "name", "category")
MAX_ROWS = 100_000
BATCH = 1000  # codes per query: PostgreSQL takes at most 65,535 parameters a statement


@dataclass(frozen=True)
class RowProblem:
    """``kind`` says what is wrong for a page to say in its language: ``missing`` (no such
    column), ``duplicate`` (the code is also on ``other_row``) or ``invalid`` (the value
    breaks the column's rule); ``reason`` says it in English, for the CLI."""

    row: int
    column: str
    reason: str
    kind: str = "invalid"
    other_row: int | None = None


@dataclass
class ProductImport:
    rows: int = 0
    added: int = 0
    changed: int = 0
    dry_run: bool = False
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.rows - self.added - self.changed


def read_products(path: Path) -> tuple[list[Product], list[RowProblem]]:
    """The file's products, or every problem (a missing column is a problem of row 1)."""
    try:
        table = read_table(path, FileMapping())
    except zipfile.BadZipFile as error:  # an .xlsx that is not a workbook at all
        raise InvalidInput("FILE", f"is not a readable XLSX workbook: {error}") from None
    header = [cell.strip().lower() for cell in table.headers[0]] if table.headers else []
    missing = [name for name in COLUMNS[:2] if name not in header]
    if missing:
        known = ", ".join(name for name in header if name) or "nothing"
        return [], [RowProblem(1, name, f"no such column (the header has: {known})", "missing")
                    for name in missing]  # fmt: skip
    where = {name: header.index(name) for name in COLUMNS if name in header}
    products: list[Product] = []
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        if len(products) + len(problems) >= MAX_ROWS:
            raise InvalidInput("FILE", f"at most {MAX_ROWS:,} rows per file")
        values = {name: cells[at] if at < len(cells) else None for name, at in where.items()}
        if all(value in (None, "") for value in values.values()):
            continue  # an empty line at the end of a spreadsheet
        try:
            product = checked_product(values["code"], values["name"], values.get("category"))
        except InvalidInput as problem:
            problems.append(RowProblem(number, problem.field, problem.message))
            continue
        if product.code in first_row:
            other = first_row[product.code]
            problems.append(RowProblem(number, "code", f"{product.code!r} is also on row {other}",
                                       "duplicate", other))  # fmt: skip
            continue
        first_row[product.code] = number
        products.append(product)
    return products, problems


def import_products(
    session: Session,
    workspace_id: int,
    path: Path,
    *,
    actor: str,
    user_id: int | None = None,
    dry_run: bool = False,
    source: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ProductImport:
    """Check the whole file, then add and rename its products in the caller's transaction
    (the caller commits; nothing is written on a problem, and a dry run is rolled back
    here). ``on_progress`` hears how many products each batch stored."""
    products, problems = read_products(path)
    report = ProductImport(rows=len(products) + len(problems), dry_run=dry_run)
    if problems:
        report.problems = problems
        return report
    rehearsal = session.begin_nested() if dry_run else None
    for start in range(0, len(products), BATCH):
        batch = products[start : start + BATCH]
        added, changed = upsert_products(session, workspace_id, batch)
        report.added, report.changed = report.added + added, report.changed + changed
        if on_progress is not None:
            on_progress(len(batch))
    if rehearsal is not None:
        rehearsal.rollback()
        return report
    if report.added or report.changed:
        audit(session, workspace_id, actor, "import", "product", source or path.name,
              {"rows": report.rows, "added": report.added, "changed": report.changed},
              user_id=user_id)  # fmt: skip
    return report
