"""The special-requirements register through the API and `kano requirements import`
(issue 6 item 5): CRUD with an audit trail, 422s naming the field, filters, workspace
isolation, and a file imported all or nothing with its problems listed by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from typer.testing import CliRunner

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, SpecialRequirementRow
from kano.config import get_settings
from kano.domain.workspaces import Role, Scope
from tests.integration.api.seed import SeededWorkspace

OWNER = "olga@acme.test"
SOLVENT_FREE = {
    "customer": "C0001", "kind": "chemical",
    "text": "Coatings free of toluene and xylene (REACH annex XVII)", "status": "agreed",
    "owner": OWNER, "product": "PRIMER-20L", "process": "order-entry",
    "review_on": "2026-01-31",
}


def _member(sessions: sessionmaker[Session], slug: str, email: str) -> None:
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, slug)
        accounts.grant_role(session, workspace, accounts.ensure_user(session, email, "pw-123456"),
                            Role.MANAGER)


def _post(api: TestClient, ws: SeededWorkspace, body: dict[str, Any]) -> Any:
    return api.post("requirements", json=body, headers=ws.auth(Scope.WRITE))


def test_requirement_crud_is_audited_and_errors_name_the_field(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    _member(sessions, "acme", OWNER)
    created = _post(api, acme, SOLVENT_FREE)
    assert created.status_code == 201, created.text
    requirement = created.json()
    assert {k: requirement[k] for k in SOLVENT_FREE} == SOLVENT_FREE
    assert requirement["customer_name"] == "acme Customer 1"
    assert requirement["overdue"] is True, "2026-01-31 is past and the status is live"

    changed = api.patch(f"requirements/{requirement['id']}",
                        json={"status": "retired", "review_on": None},
                        headers=acme.auth(Scope.WRITE))
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["review_on"],
            changed.json()["overdue"]) == ("retired", None, False)
    assert changed.json()["text"] == SOLVENT_FREE["text"], "fields not sent keep their value"
    got = api.get(f"requirements/{requirement['id']}", headers=acme.auth())
    assert got.status_code == 200 and got.json()["status"] == "retired"

    problems = [
        ({**SOLVENT_FREE, "kind": "colour"}, "kind"),
        ({**SOLVENT_FREE, "customer": "C9999"}, "customer"),
        ({**SOLVENT_FREE, "owner": "stranger@example.com"}, "owner"),
        ({**SOLVENT_FREE, "review_on": "31.01.2026"}, "review_on"),
        ({**SOLVENT_FREE, "text": ""}, "text"),
        ({**SOLVENT_FREE, "colour": "red"}, "colour"),
    ]
    for body, field in problems:
        refused = _post(api, acme, body)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field, refused.json()
    refused = api.patch(f"requirements/{requirement['id']}", json={"kind": None},
                        headers=acme.auth(Scope.WRITE))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "kind"
    assert _post(api, acme, SOLVENT_FREE | {"owner": None}).status_code == 201
    assert api.post("requirements", json=SOLVENT_FREE, headers=acme.auth()).status_code == 403

    deleted = api.delete(f"requirements/{requirement['id']}", headers=acme.auth(Scope.WRITE))
    assert deleted.status_code == 204
    assert api.get(f"requirements/{requirement['id']}", headers=acme.auth()).status_code == 404
    with sessions() as session:
        trail = session.execute(
            select(AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.entity == "requirement",
                   AuditEntry.entity_id == str(requirement["id"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [action for action, _ in trail] == ["create", "update", "delete"]
    assert trail[1][1]["before"]["status"] == "agreed"
    assert trail[1][1]["after"]["status"] == "retired"


def test_filters_by_kind_status_customer_and_overdue_review(
    api: TestClient, acme: SeededWorkspace,
) -> None:
    bodies = [
        {"customer": "C0001", "kind": "delivery", "text": "Deliver before 7:00",
         "review_on": "2020-01-01"},
        {"customer": "C0001", "kind": "packaging", "text": "Pallets of at most 800 kg",
         "status": "in_effect", "review_on": "2999-01-01"},
        {"customer": "C0002", "kind": "delivery", "text": "Call before delivery",
         "status": "retired", "review_on": "2020-01-01"},
    ]
    for body in bodies:
        assert _post(api, acme, body).status_code == 201

    def texts(**query: Any) -> list[str]:
        listed = api.get("requirements", params=query, headers=acme.auth())
        assert listed.status_code == 200, listed.text
        return sorted(item["text"] for item in listed.json()["items"])

    assert texts(kind="delivery") == ["Call before delivery", "Deliver before 7:00"]
    assert texts(status="in_effect") == ["Pallets of at most 800 kg"]
    assert texts(customer="C0001") == ["Deliver before 7:00", "Pallets of at most 800 kg"]
    assert texts(customer="Customer 2") == ["Call before delivery"]
    assert texts(overdue="true") == ["Deliver before 7:00"], "the retired one is not overdue"
    assert api.get("requirements", params={"kind": "colour"},
                   headers=acme.auth()).json()["errors"][0]["field"] == "kind"


def test_requirements_are_workspace_isolated(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
) -> None:
    mine = _post(api, acme, {"customer": "C0001", "kind": "other", "text": "acme only"}).json()
    assert api.get("requirements", headers=globex.auth()).json()["items"] == []
    for method in ("get", "patch", "delete"):
        kwargs: dict[str, Any] = {"json": {"text": "taken over"}} if method == "patch" else {}
        answer = getattr(api, method)(f"requirements/{mine['id']}",
                                      headers=globex.auth(Scope.WRITE), **kwargs)
        assert answer.status_code == 404, method
    # Globex has a customer C0001 of its own: a requirement names Globex's, not Acme's.
    theirs = _post(api, globex, {"customer": "C0001", "kind": "other", "text": "globex"})
    assert theirs.json()["customer_name"] == "globex Customer 1"
    assert [i["text"] for i in api.get("requirements", headers=acme.auth()).json()["items"]] == [
        "acme only"]


def _kano(db_url: str, *args: str | Path) -> Any:
    """``kano requirements import …`` in-process against this test's database (the cached
    process-wide settings are cleared before and after)."""
    from kano.adapters.cli.main import app

    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["requirements", "import", *map(str, args)],
                                  env={"KANO_DATABASE_URL": db_url, "COLUMNS": "200"})
    finally:
        get_settings.cache_clear()


def test_import_stores_all_rows_or_none_and_names_the_bad_rows(
    db_url: str, acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path,
) -> None:
    _member(sessions, "acme", OWNER)
    lines = ["customer,kind,text,status,owner,product,process,review_on"]
    for i in range(40):
        lines.append(f"C000{i % 6},{'delivery' if i % 2 else 'technical'},"
                     f"\"Requirement {i}, with a comma\",agreed,{OWNER},P-{i},dispatch,2027-01-{1 + i % 28:02d}")  # noqa: E501
    good = "\n".join(lines) + "\n"
    broken_lines = list(lines)
    broken_lines[5] = broken_lines[5].replace("C0004", "C9999")  # row 6
    broken_lines[13] = broken_lines[13].replace(",technical,", ",colour,")  # row 14
    broken_lines[30] = broken_lines[30].replace("2027-01-", "2027-13-")  # row 31
    broken, fixed = tmp_path / "broken.csv", tmp_path / "fixed.csv"
    broken.write_text("\n".join(broken_lines) + "\n", encoding="utf-8")
    fixed.write_text(good, encoding="utf-8")

    def stored() -> int:
        with sessions() as session:
            return int(session.scalar(select(func.count()).select_from(SpecialRequirementRow))
                       or 0)

    refused = _kano(db_url, broken, "--workspace", "acme")
    assert refused.exit_code == 1, refused.output
    assert stored() == 0, "nothing of a file with errors is stored"
    for row, field in ((6, "customer"), (14, "kind"), (31, "review_on")):
        assert f"│ {row}  " in refused.stderr and field in refused.stderr, refused.stderr
    assert "3 problems" in refused.stderr

    dry = _kano(db_url, fixed, "--workspace", "acme", "--dry-run")
    assert dry.exit_code == 0 and "40 requirements would be imported" in dry.stdout
    assert stored() == 0
    done = _kano(db_url, fixed, "--workspace", "acme")
    assert done.exit_code == 0, done.output
    assert "40 requirements imported" in done.stdout
    assert stored() == 40
    with sessions() as session:
        row = session.scalars(select(SpecialRequirementRow).where(
            SpecialRequirementRow.text == "Requirement 7, with a comma")).one()
        assert (row.kind, row.status, row.product_key, row.process_key,
                row.review_on.isoformat() if row.review_on else None) == (
            "delivery", "agreed", "P-7", "dispatch", "2027-01-08")


def test_hostile_parameters_get_a_4xx_not_a_5xx(api: TestClient, acme: SeededWorkspace) -> None:
    """NUL bytes and ids beyond 64 bits would make PostgreSQL raise; they are refused first."""
    write = acme.auth(Scope.WRITE)
    assert api.get("requirements", params={"customer": "a\x00b"},
                   headers=acme.auth()).status_code == 422
    assert api.get(f"requirements/{2**70}", headers=acme.auth()).status_code == 422
    assert api.get("invitations", params={"survey": "a\x00"},
                   headers=acme.auth()).status_code == 422
    for body in ({"customer": "C0001", "kind": "other", "text": "a\x00b"},
                 {"customer": "C\x000001", "kind": "other", "text": "x"}):
        assert _post(api, acme, body).status_code == 422, body
    for body in ({"survey": "after-delivery", "customers": ["C\x0001"]},
                 {"survey": "after\x00"}):
        assert api.post("invitations", json=body, headers=write).status_code == 422, body
