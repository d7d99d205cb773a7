"""Every ``kano … import`` refuses a file with bad rows the same way: a headline with the
count, a table (row, column, reason: the CSV's headings) of the first 200 by row, "… and K
more" with the way to see all of them, ``--errors-csv FILE`` holding every problem, exit
code 1 and nothing stored. Run in-process with Typer's CliRunner on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from kano.adapters.db.orm import Customer, FeedbackResponse, Transaction
from kano.adapters.db.product_catalogue import list_products
from kano.adapters.db.requirements_store import SpecialRequirementRow
from kano.config import Settings, get_settings
from tests.integration.api.seed import seed_workspace

BAD_ROWS = 203  # three past the 200 the terminal shows
FIRST_ROW = 2  # the header is row 1

MAPPING = """\
survey: after-delivery
columns:
  customer_external_id: Customer
  submitted_at: Submitted
questions:
  nps: Score
"""


def _products(path: Path) -> tuple[list[str], str]:
    lines = ["code,name", *(f"bad code {i},Product {i}" for i in range(BAD_ROWS))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["products", "import", str(path)], "code"


def _requirements(path: Path) -> tuple[list[str], str]:
    lines = ["customer,kind,text", *(f"C0000,colour,Requirement {i}" for i in range(BAD_ROWS))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["requirements", "import", str(path)], "kind"


def _loyalty(path: Path) -> tuple[list[str], str]:
    lines = ["member_id,date,type,amount,points",
             *(f"L-UNKNOWN-{i},2026-05-01,visit,,5" for i in range(BAD_ROWS))]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["value", "import-loyalty", str(path)], "member_id"


def _feedback(path: Path) -> tuple[list[str], str]:
    mapping = path.with_name("mapping.yaml")
    mapping.write_text(MAPPING, encoding="utf-8")
    lines = ["Customer,Submitted,Score",
             *(f"C000{i % 6},2026-02-01 10:00,11" for i in range(BAD_ROWS))]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["feedback", "import", str(path), "--mapping", str(mapping)], "Score"


IMPORTERS: dict[str, Callable[[Path], tuple[list[str], str]]] = {
    "products": _products,
    "requirements": _requirements,
    "loyalty": _loyalty,
    "feedback": _feedback,
}


def _stored(sessions: sessionmaker[Session], workspace_id: int) -> dict[str, int]:
    with sessions() as session:
        counted = {
            name: int(session.scalar(select(func.count(column))) or 0)
            for name, column in (
                ("requirements", SpecialRequirementRow.id),
                ("responses", FeedbackResponse.id),
                ("orders", Transaction.id),
                ("customers", Customer.id),
            )
        }
        counted["products"] = len(list_products(session, workspace_id))
    return counted


def _kano(settings: Settings, arguments: list[str]) -> Any:
    from kano.adapters.cli.main import app

    env = {"KANO_DATABASE_URL": settings.database_url,
           "KANO_WAREHOUSE_URL": settings.resolved_warehouse_url(),
           "KANO_SECRET_KEY": settings.secret_key, "COLUMNS": "200"}  # fmt: skip
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, [*arguments, "--workspace", "acme"], env=env)
    finally:
        get_settings.cache_clear()


def _listed(stderr: str, row: int) -> bool:
    return re.search(rf"^│ {row}\s+│", stderr, re.MULTILINE) is not None


@pytest.mark.parametrize("importer", list(IMPORTERS))
def test_a_file_of_bad_rows_is_refused_the_same_way_by_every_importer(
    importer: str, settings: Settings, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    workspace_id = seed_workspace(sessions, "acme").workspace_id
    before = _stored(sessions, workspace_id)
    arguments, field = IMPORTERS[importer](tmp_path / "bad.csv")

    refused = _kano(settings, arguments)

    assert refused.exit_code == 1, refused.output
    err = refused.stderr
    assert f"{BAD_ROWS} problems in bad.csv; nothing was imported" in err, err
    assert re.search(r"┃ row\s+┃ column\s+┃ reason\s+┃", err), err  # the CSV's headings
    last_shown = FIRST_ROW + 199
    assert _listed(err, FIRST_ROW) and _listed(err, last_shown), err
    assert re.search(rf"^│ {FIRST_ROW}\s+│ {re.escape(field)}\s+│ \S", err, re.MULTILINE), err
    assert not any(_listed(err, row) for row in range(last_shown + 1, FIRST_ROW + BAD_ROWS))
    assert "… and 3 more: add --errors-csv FILE to get every problem in a CSV." in err, err
    assert _stored(sessions, workspace_id) == before, "nothing of a file with errors is stored"

    report = tmp_path / "problems.csv"
    again = _kano(settings, [*arguments, "--errors-csv", str(report)])

    assert again.exit_code == 1, again.output
    assert f"… and 3 more: all {BAD_ROWS} are in {report}." in again.stderr
    with report.open(encoding="utf-8", newline="") as handle:
        problems = list(csv.DictReader(handle))
    assert [int(p["row"]) for p in problems] == list(range(FIRST_ROW, FIRST_ROW + BAD_ROWS))
    assert {p["column"] for p in problems} == {field}
    assert all(p["reason"] for p in problems)
    assert _stored(sessions, workspace_id) == before


def test_a_file_with_few_problems_lists_them_all_and_a_clean_file_gets_an_empty_csv(
    settings: Settings, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    seed_workspace(sessions, "acme")
    bad = tmp_path / "few.csv"
    bad.write_text("code,name\nwidget,Widget\nbad code,Bad\n", encoding="utf-8")
    report = tmp_path / "problems.csv"

    refused = _kano(settings, ["products", "import", str(bad), "--errors-csv", str(report)])

    assert refused.exit_code == 1, refused.output
    assert "1 problem in few.csv; nothing was imported" in refused.stderr, refused.stderr
    assert _listed(refused.stderr, 3) and "… and" not in refused.stderr
    assert f"The same list is in {report}." in refused.stderr
    assert report.read_text(encoding="utf-8").splitlines()[0] == "row,column,reason"

    good = tmp_path / "good.csv"
    good.write_text("code,name\nwidget,Widget\n", encoding="utf-8")
    done = _kano(settings, ["products", "import", str(good), "--errors-csv", str(report)])

    assert done.exit_code == 0, done.output
    assert report.read_text(encoding="utf-8").splitlines() == ["row,column,reason"]
