"""Writing MBO review sheets on the MBO page, through the store the API uses (mbo_store).

Ana's agreed 2026 sheet (example strategy): coaching 40 % × 75 % (serves Ana's OKR),
first-contact resolution 35 % not assessed (serves a scorecard objective nobody owns),
academy 25 % × 100 % (serves nothing) → 55. Who may is the API's rule: admins and owners
everything, a manager the objectives serving what they own, viewers nothing. SQLite and
PostgreSQL through the app's own fixtures.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, Employee, MboObjectiveRow, MboSheetRow, User
from kano.domain.workspaces import Scope
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import (
    SECRET,
    SeededStrategy,
    grant_manager,
    seed_strategy,
)

SHEET = "ana-2026"
ANA = "ana@acme.example"


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def _post(browser: Browser, path: str, data: dict[str, str], lang: str = "en") -> Any:
    return browser.client.post(f"{path}?lang={lang}",
                               data={**data, "csrf_token": browser.session_token()})


def _lines(sessions: sessionmaker[Session], workspace_id: int,
           sheet: str = SHEET) -> list[tuple[str, float, float | None]]:
    with sessions() as session:
        rows = session.execute(
            select(MboObjectiveRow.key, MboObjectiveRow.weight_percent,
                   MboObjectiveRow.achievement_percent)
            .join(MboSheetRow, MboSheetRow.id == MboObjectiveRow.sheet_id)
            .where(MboSheetRow.workspace_id == workspace_id, MboSheetRow.key == sheet)
            .order_by(MboObjectiveRow.position, MboObjectiveRow.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _sheet(sessions: sessionmaker[Session], workspace_id: int, key: str) -> MboSheetRow | None:
    with sessions() as session:
        return session.scalar(select(MboSheetRow).where(
            MboSheetRow.workspace_id == workspace_id, MboSheetRow.key == key))


def _audit(sessions: sessionmaker[Session], workspace_id: int, entity: str) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.workspace_id == workspace_id, AuditEntry.entity == entity)
            .order_by(AuditEntry.id)))


def _edit(line: str, weight: str, achievement: str = "", title: str = "Objective",
          link: str = "", comment: str = "") -> dict[str, str]:
    return {"title": title, "weight": weight, "achievement": achievement, "link": link,
            "comment": comment}


ORIGINAL = [("coaching", 40.0, 75.0), ("fcr", 35.0, None), ("skills", 25.0, 100.0)]


def test_a_new_sheet_is_drafted_weighted_and_agreed_with_who_and_when_audited(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    with sessions() as session:
        employee = session.scalar(select(Employee.id).where(
            Employee.workspace_id == acme, Employee.external_id == "E-1001"))
    browser.log_in(strategy.editor, strategy.password)
    assert 'id="new-sheet-form"' in browser.page("/mbo").text

    made = _post(browser, "/mbo/sheets", {"employee": str(employee), "period": " 2027 "})

    assert made.status_code == 303, made.text
    sheet = _sheet(sessions, acme, "e-1001-2027")
    assert sheet is not None and (sheet.period_label, sheet.status) == ("2027", "draft")
    for title, weight, achievement in (("Open the Debrecen office", "60", "80"),
                                       ("Hire two team leads", "30", "")):
        added = _post(browser, "/mbo/sheets/e-1001-2027/objectives",
                      {"title": title, "weight": weight, "achievement": achievement})
        assert added.status_code == 303, added.text
    # A draft may not add up yet; agreeing it is refused until it does.
    draft = browser.page("/mbo?sheet=e-1001-2027").text
    assert text_of(draft, "weights-problem") == (
        "The weights add up to 90%; they must add up to 100%.")
    refused = _post(browser, "/mbo/sheets/e-1001-2027/status", {"status": "agreed"})
    assert refused.status_code == 422
    assert text_of(refused.text, "status-error") == (
        "The weights must add up to 100% before the sheet is agreed or reviewed.")
    assert _sheet(sessions, acme, "e-1001-2027").status == "draft"  # type: ignore[union-attr]

    _post(browser, "/mbo/sheets/e-1001-2027/objectives",
          {"title": "Mentor a new agent", "weight": "10", "achievement": "100"})
    agreed = _post(browser, "/mbo/sheets/e-1001-2027/status", {"status": "agreed"})

    assert agreed.status_code == 303
    assert _sheet(sessions, acme, "e-1001-2027").status == "agreed"  # type: ignore[union-attr]
    page = browser.page("/mbo?sheet=e-1001-2027").text
    assert text_of(page, "mbo-score") == "58%"  # 60 × 80 % + 30 × 0 + 10 × 100 % = 58
    assert text_of(page, "mbo-status-change").startswith(f"Set to Agreed by {strategy.editor}, ")
    entry = _audit(sessions, acme, "mbo_sheet")[-1]
    assert entry.actor == strategy.editor and entry.at is not None
    assert entry.detail == {"key": "e-1001-2027", "status": {"from": "draft", "to": "agreed"}}
    created = [e.detail["title"] for e in _audit(sessions, acme, "mbo_objective")
               if e.action == "create" and e.detail and e.detail["sheet"] == "e-1001-2027"]
    assert created == ["Open the Debrecen office", "Hire two team leads", "Mentor a new agent"]


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Once a sheet is agreed its weights must add up to 100%. Move it back to draft "
           "to change the weights one by one."),
    ("ru", "Веса согласованного листа должны давать в сумме 100 %. Верните лист в черновик, "
           "чтобы менять веса по одному."),
])
def test_a_weight_that_breaks_an_agreed_sheet_is_refused_next_to_it_as_the_api_refuses(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str, message: str,
) -> None:
    acme = strategy.companies.acme_id
    browser.log_in(strategy.editor, strategy.password)

    refused = _post(browser, f"/mbo/sheets/{SHEET}/objectives/coaching",
                    _edit("coaching", "50", "75", "Coach every new agent",
                          link=""), lang=language)

    assert refused.status_code == 422
    assert text_of(refused.text, "mbo-coaching-error") == message
    assert 'id="mbo-form-coaching-weight"' in refused.text
    assert 'value="50"' in refused.text  # what was typed stays, to be fixed
    assert _lines(sessions, acme) == ORIGINAL
    # The API (the same store) refuses the same change with the same rule.
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, "acme")
        bob = session.scalar(select(User).where(User.email == strategy.editor))
        token = accounts.create_api_token(session, workspace, Scope.WRITE, "bob",
                                          user=bob).token
    api = browser.client.patch(f"/api/v1/mbo/sheets/{SHEET}/objectives/coaching",
                               json={"weight": 50},
                               headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 422 and "weights" in api.text
    assert _lines(sessions, acme) == ORIGINAL


def test_a_bad_number_is_named_next_to_its_field(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    for weight, achievement, field in (("abc", "75", "weight"), ("0", "75", "weight"),
                                       ("40", "2000", "achievement")):
        refused = _post(browser, f"/mbo/sheets/{SHEET}/objectives/coaching",
                        _edit("coaching", weight, achievement, "Coach every new agent"))
        assert refused.status_code == 422, (weight, achievement)
        assert f'id="mbo-form-coaching-{field}"' in refused.text
        assert text_of(refused.text, "mbo-coaching-error")
    assert _lines(sessions, strategy.companies.acme_id) == ORIGINAL


def test_the_owner_of_the_served_okr_records_the_achievement_with_a_comment(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    grant_manager(sessions, ANA)
    browser.log_in(ANA, strategy.password)
    page = browser.page("/mbo").text
    assert 'id="mbo-form-coaching"' in page  # serves her OKR: hers to record
    assert 'id="mbo-form-fcr"' not in page and 'id="mbo-form-skills"' not in page
    with sessions() as session:
        okr_id = session.scalar(select(MboObjectiveRow.okr_objective_id).where(
            MboObjectiveRow.workspace_id == acme, MboObjectiveRow.key == "coaching"))

    saved = _post(browser, f"/mbo/sheets/{SHEET}/objectives/coaching", _edit(
        "coaching", "40", "87,5", "Coach every new agent", link=f"okr:{okr_id}",
        comment="Seven of eight new agents passed their first review"), lang="ru")

    assert saved.status_code == 303, saved.text
    assert _lines(sessions, acme)[0] == ("coaching", 40.0, 87.5)
    entry = _audit(sessions, acme, "mbo_objective")[-1]
    assert entry.actor == ANA
    assert entry.detail == {"sheet": SHEET, "key": "coaching",
                            "achievement_percent": {"from": 75.0, "to": 87.5},
                            "review_comment": {
                                "from": None,
                                "to": "Seven of eight new agents passed their first review"}}
    after = browser.page("/mbo?lang=en").text
    assert text_of(after, "mbo-score") == "60%"  # 40 × 87.5 % + 25 × 100 % = 60
    comment = text_of(after, "mbo-coaching-comment")
    assert comment.startswith("Review comment: Seven of eight new agents passed their first "
                              f"review — {ANA}, ")
    # What serves a scorecard objective she does not own is not hers.
    refused = _post(browser, f"/mbo/sheets/{SHEET}/objectives/fcr",
                    _edit("fcr", "35", "90", "Raise first-contact resolution in my team"))
    assert refused.status_code == 403
    assert _post(browser, f"/mbo/sheets/{SHEET}/status", {"status": "reviewed"}
                 ).status_code == 403
    assert _lines(sessions, acme)[1] == ("fcr", 35.0, None)


def test_a_viewer_sees_no_forms_and_cannot_edit(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(strategy.viewer, strategy.password)
    page = browser.page("/mbo").text
    assert "mbo-form-" not in page and 'id="new-sheet-form"' not in page
    assert 'id="new-mbo-objective-form"' not in page and 'id="sheet-status"' not in page

    for path, data in ((f"/mbo/sheets/{SHEET}/objectives/coaching",
                        _edit("coaching", "40", "100", "Coach every new agent")),
                       (f"/mbo/sheets/{SHEET}/objectives/skills/delete", {}),
                       (f"/mbo/sheets/{SHEET}/status", {"status": "draft"}),
                       ("/mbo/sheets", {"employee": "1", "period": "2030"})):
        assert _post(browser, path, data).status_code == 403, path
    assert _lines(sessions, strategy.companies.acme_id) == ORIGINAL
    assert _sheet(sessions, strategy.companies.acme_id, SHEET).status == "agreed"  # type: ignore[union-attr]


def test_a_form_without_the_csrf_token_is_refused(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    response = browser.client.post(f"/mbo/sheets/{SHEET}/objectives/coaching",
                                   data=_edit("coaching", "40", "100", "Coach every new agent"))
    moved = browser.client.post(f"/mbo/sheets/{SHEET}/objectives/skills/move",
                                data={"step": "up", "csrf_token": "forged"})

    assert response.status_code == 403 and moved.status_code == 403
    assert _lines(sessions, strategy.companies.acme_id) == ORIGINAL


def test_another_workspaces_sheet_is_never_changed(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    """Both workspaces have a sheet ana-2026; Globex's has an objective "secret"."""
    globex = strategy.companies.globex_id
    browser.log_in(strategy.editor, strategy.password)  # Bob: owner in Acme

    edited = _post(browser, f"/mbo/sheets/{SHEET}/objectives/secret",
                   _edit("secret", "100", "100", "Taken over"))
    removed = _post(browser, f"/mbo/sheets/{SHEET}/objectives/secret/delete", {})

    assert edited.status_code == 404 and removed.status_code == 404
    assert _lines(sessions, globex) == [("secret", 100.0, None)]
    assert SECRET not in browser.page("/mbo").text


def test_objectives_move_and_are_removed_in_a_draft(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    browser.log_in(strategy.editor, strategy.password)

    assert _post(browser, f"/mbo/sheets/{SHEET}/objectives/skills/move",
                 {"step": "up"}).status_code == 303
    assert [key for key, *_ in _lines(sessions, acme)] == ["coaching", "skills", "fcr"]
    # Removing from an agreed sheet would break its 100 %: refused; as a draft, it goes.
    assert _post(browser, f"/mbo/sheets/{SHEET}/objectives/fcr/delete", {}).status_code == 422
    assert _post(browser, f"/mbo/sheets/{SHEET}/status", {"status": "draft"}).status_code == 303
    assert _post(browser, f"/mbo/sheets/{SHEET}/objectives/fcr/delete", {}).status_code == 303

    assert _lines(sessions, acme) == [("coaching", 40.0, 75.0), ("skills", 25.0, 100.0)]
    page = browser.page("/mbo").text
    assert page.index("Coach every new agent") < page.index("Finish the service academy")
    assert [e.action for e in _audit(sessions, acme, "mbo_objective")][-1] == "delete"


def test_the_period_csv_holds_every_sheet_of_the_period_as_the_page_shows_it(
    browser: Browser, strategy: SeededStrategy,
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    page = browser.page("/mbo").text
    assert 'href="/mbo/periods/2026.csv"' in page

    response = browser.client.get("/mbo/periods/2026.csv")

    assert response.status_code == 200
    assert 'filename="mbo-2026.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Employee", "Employee id", "Sheet", "Status", "Objective", "Weight, %",
                       "Achievement, %", "Weighted score", "Sheet's weighted score",
                       "Review comment", "Reviewer's comment on the sheet"]
    assert [row[1:] for row in rows[1:]] == [
        ["E-1001", SHEET, "agreed", "Coach every new agent", "40.0", "75.0", "30.0", "55.0",
         "", ""],
        ["E-1001", SHEET, "agreed", "Raise first-contact resolution in my team", "35.0", "",
         "", "55.0", "", ""],
        ["E-1001", SHEET, "agreed", "Finish the service academy", "25.0", "100.0", "25.0",
         "55.0", "", ""],
    ]
    assert text_of(page, "mbo-score") == "55%"  # the figure the CSV's last column carries
    assert SECRET not in response.text
    assert browser.client.get("/mbo/periods/1999.csv").status_code == 404


def test_an_admin_deletes_a_sheet_after_a_confirmation_and_the_audit_keeps_it(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    browser.log_in(strategy.editor, strategy.password)
    page = browser.page(f"/mbo?sheet={SHEET}").text
    assert f'href="/mbo/sheets/{SHEET}/delete"' in page

    confirm = browser.page(f"/mbo/sheets/{SHEET}/delete?lang=ru").text
    assert text_of(confirm, "mbo-delete-what").startswith("Вместе с ним удаляются его цели (3)")
    assert text_of(confirm, "mbo-delete-agreed")  # an agreed sheet: download it first
    assert _sheet(sessions, acme, SHEET) is not None  # the page alone deletes nothing
    forged = browser.client.post(f"/mbo/sheets/{SHEET}/delete", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and _sheet(sessions, acme, SHEET) is not None

    deleted = _post(browser, f"/mbo/sheets/{SHEET}/delete", {})

    assert deleted.status_code == 303 and deleted.headers["location"].endswith("/mbo")
    assert _sheet(sessions, acme, SHEET) is None and _lines(sessions, acme) == []
    entry = _audit(sessions, acme, "mbo_sheet")[-1]
    assert (entry.action, entry.actor) == ("delete", strategy.editor)
    assert entry.detail is not None
    assert (entry.detail["key"], entry.detail["employee"], entry.detail["period"]) == (
        SHEET, "E-1001", "2026")
    assert [o["key"] for o in entry.detail["objectives"]] == ["coaching", "fcr", "skills"]
    assert _lines(sessions, strategy.companies.globex_id) == [("secret", 100.0, None)]
    assert _post(browser, f"/mbo/sheets/{SHEET}/delete", {}).status_code == 404


def test_only_admins_delete_sheets(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    grant_manager(sessions, ANA)
    for who in (ANA, strategy.viewer):  # a manager records achievements; a viewer reads
        browser.client.cookies.clear()  # signed out
        browser.log_in(who, strategy.password)
        page = browser.page("/mbo").text
        assert 'id="sheet-delete"' not in page
        posted = browser.client.post(f"/mbo/sheets/{SHEET}/delete",
                                     data={"csrf_token": csrf_token_in(page)})
        assert posted.status_code == 403, who
        assert browser.client.get(f"/mbo/sheets/{SHEET}/delete").status_code == 403, who
    assert _sheet(sessions, strategy.companies.acme_id, SHEET) is not None


def test_a_second_sheet_for_the_period_and_a_skipped_status_are_refused_on_the_page(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    with sessions() as session:
        ana = session.scalar(select(Employee.id).where(
            Employee.workspace_id == acme, Employee.external_id == "E-1001"))
    browser.log_in(strategy.editor, strategy.password)

    taken = _post(browser, "/mbo/sheets", {"employee": str(ana), "period": "2026"}, lang="hu")

    assert taken.status_code == 422
    assert text_of(taken.text, "new-sheet-error") == (
        "Ennek a munkatársnak már van lapja erre az időszakra: válasszon másik időszakot, "
        "vagy nyissa meg azt a lapot, és módosítsa.")
    assert 'id="new-sheet-period"' in taken.text and 'aria-invalid="true"' in taken.text
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(MboSheetRow).where(
            MboSheetRow.workspace_id == acme)) == 1
    # An agreed sheet is reviewed; a reviewed one goes back to agreed, not straight to draft.
    assert _post(browser, f"/mbo/sheets/{SHEET}/status", {"status": "reviewed"}
                 ).status_code == 303
    skipped = _post(browser, f"/mbo/sheets/{SHEET}/status", {"status": "draft"})
    assert skipped.status_code == 422
    assert text_of(skipped.text, "status-error") == (
        "A sheet moves one step at a time: a draft is agreed before it is reviewed, and a "
        "reviewed sheet is reopened as agreed.")
    assert _sheet(sessions, acme, SHEET).status == "reviewed"  # type: ignore[union-attr]
