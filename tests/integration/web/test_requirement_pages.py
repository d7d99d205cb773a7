"""The special-requirements register on the web (issue 6 item 5): add with CSRF, errors
naming the field, filters, editing, a viewer reads only, text escaped, the other
workspace's requirements invisible, the customer 360 page lists the customer's, a
requirement and the survey response it was stated in link to each other."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts, requirements_store
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    Customer,
    FeedbackResponse,
    JourneyStage,
    SpecialRequirementRow,
    Touchpoint,
    utcnow,
)
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
VIEWER = "vera@acme.test"


def _form(**fields: str) -> dict[str, str]:
    return {"customer": "C1", "kind": "delivery", "text": "Deliver before 7:00",
            "status": "agreed", "owner": "", "product": "", "process": "", "review_on": "",
            **fields}


def test_add_filter_and_edit_requirements(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    page = browser.page("/requirements")
    assert text_of(page.text, "requirements-empty").startswith(
        "No special requirement is recorded yet.")
    token = csrf_token_in(page.text)

    without_csrf = browser.client.post("/requirements", data=_form())
    assert without_csrf.status_code == 403
    bad = browser.client.post("/requirements", data=_form(
        csrf_token=token, review_on="31.12.2026", text=XSS))
    assert bad.status_code == 422
    assert "Check this field: Review date." in text_of(bad.text, "requirement-error")
    assert "'31.12.2026' is not a date: write it as YYYY-MM-DD." in text_of(
        bad.text, "requirement-error"), "the reason in the form's words (problem_texts)"
    assert 'id="req-review" name="review_on" type="date" value="31.12.2026" aria-invalid="true"' \
        in bad.text
    assert XSS not in bad.text and "&lt;script&gt;" in bad.text, "the form keeps the text, escaped"
    unknown = browser.client.post("/requirements", data=_form(csrf_token=token, customer="C99"))
    assert unknown.status_code == 422 and "Customer" in text_of(unknown.text, "requirement-error")

    for fields in (_form(text=XSS, owner=companies.alice, review_on="2020-01-01"),
                   _form(customer="C2", kind="chemical", text="No toluene", status="in_effect",
                         product="PRIMER-20L", process="order-entry")):
        added = browser.client.post("/requirements", data={**fields, "csrf_token": token})
        assert added.status_code == 303, added.text
    listed = browser.page("/requirements")
    assert XSS not in listed.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in listed.text
    assert len(re.findall(r'<tr id="requirement-\d+"', listed.text)) == 2
    assert "Jan 1, 2020" in text_of(listed.text, "requirements")  # the review day, not ISO

    def shown(query: str) -> list[str]:
        html = browser.page(f"/requirements?{query}").text
        return re.findall(r'<tr id="requirement-\d+"[^>]*>.*?<a href="/requirements/\d+">'
                          r"([^<]*)</a>", html, re.DOTALL)

    assert shown("kind=chemical") == ["No toluene"]
    assert shown("status=in_effect") == ["No toluene"]
    assert shown("customer=C2") == ["No toluene"]
    assert shown("overdue=1") == ["&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img "
                                  "src=x onerror=alert(1)&gt;"]
    assert "Overdue" in text_of(browser.page("/requirements?overdue=1").text, "requirements")

    with sessions() as session:
        chemical = session.scalars(select(SpecialRequirementRow).where(
            SpecialRequirementRow.kind == "chemical")).one()
    edit = browser.page(f"/requirements/{chemical.id}")
    assert 'value="PRIMER-20L"' in edit.text
    changed = browser.client.post(f"/requirements/{chemical.id}", data=_form(
        customer="C2", kind="chemical", text="No toluene, no xylene", status="retired",
        csrf_token=csrf_token_in(edit.text)))
    assert changed.status_code == 303
    assert shown("status=retired") == ["No toluene, no xylene"]
    refused = browser.client.post(f"/requirements/{chemical.id}", data=_form(
        kind="colour", csrf_token=token))
    assert refused.status_code == 422 and "Kind" in text_of(refused.text, "requirement-error")
    # the kinds it may be, named as the form names them (not product_purpose, chemical, …)
    assert "Product purpose, Delivery, Packaging, Technical properties, Chemical properties" \
        in text_of(refused.text, "requirement-error")
    assert "product_purpose" not in text_of(refused.text, "requirement-error")

    ru = browser.page("/requirements?lang=ru")
    assert "Особые требования" in ru.text and "Химические свойства" in ru.text
    hu = browser.page("/requirements?lang=hu")
    assert "Különleges követelmények" in hu.text and "Visszavont" in hu.text


def test_an_empty_register_says_it_is_empty_not_that_filters_hide_everything(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    """The QA pass read "No requirement matches these filters." on a register nobody had
    filled and no filter narrowed: the empty state says how requirements get in instead,
    in the reader's language and for what the reader's role may do."""
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        accounts.grant_role(session, acme, accounts.ensure_user(session, VIEWER, PASSWORD),
                            Role.VIEWER)
    browser.log_in(companies.alice, PASSWORD)
    empty = {lang: text_of(browser.page(f"/requirements?lang={lang}").text,
                           "requirements-empty") for lang in ("en", "ru", "hu")}
    assert empty["en"] == (
        "No special requirement is recorded yet. Add one with the form below, or load a "
        "whole register from a CSV file with kano requirements import.")
    assert empty["ru"].startswith("Особых требований пока нет. Добавьте требование формой")
    assert empty["hu"].startswith("Még nincs rögzített különleges követelmény. Vegyen fel")
    filtered = browser.page("/requirements?kind=chemical&lang=en")
    assert text_of(filtered.text, "requirements-empty") == "No requirement matches these filters."

    browser.client.cookies.clear()
    browser.log_in(VIEWER, PASSWORD)
    assert text_of(browser.page("/requirements?lang=en").text, "requirements-empty") == (
        "No special requirement is recorded yet. Your role reads the register; members with "
        "the manager role or above add to it.")


def test_the_register_downloads_as_the_csv_the_import_reads(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    """The register had no download although ``kano requirements import`` reads a CSV: the
    page's CSV holds the rows it shows, in the import's columns, and goes back in."""
    with transaction(sessions) as session:
        for fields in ({"customer": "C1", "kind": "delivery", "text": "Deliver before 7:00"},
                       {"customer": "C2", "kind": "chemical", "text": "=No toluene, ever",
                        "status": "in_effect", "product": "PRIMER-20L",
                        "review_on": "2026-03-31"}):
            requirements_store.create_requirement(session, companies.acme_id, fields,
                                                  actor="test", user_id=None)
        requirements_store.create_requirement(session, companies.globex_id, {
            "customer": "C0", "kind": "other", "text": "GLOBEX SECRET"}, actor="test",
            user_id=None)
    browser.log_in(companies.alice, PASSWORD)
    page = browser.page("/requirements?kind=chemical").text
    assert 'id="requirements-csv" href="/requirements.csv?kind=chemical"' in page

    def rows(query: str) -> list[dict[str, str]]:
        got = browser.page(f"/requirements.csv{query}")
        assert got.headers["content-type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))

    assert rows("?kind=chemical") == [{
        "customer": "C2", "kind": "chemical", "text": "'=No toluene, ever",
        "status": "in_effect", "owner": "", "product": "PRIMER-20L", "process": "",
        "review_on": "2026-03-31"}]
    everything = rows("")
    assert sorted(r["text"] for r in everything) == ["'=No toluene, ever", "Deliver before 7:00"]
    with sessions() as session:  # the file goes back in as it is
        assert requirements_store.import_requirements(
            session, companies.acme_id, everything, actor="test", dry_run=True).ok


def test_viewers_read_only_and_other_workspaces_stay_invisible(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        accounts.grant_role(session, acme, accounts.ensure_user(session, VIEWER, PASSWORD),
                            Role.VIEWER)
        mine = requirements_store.create_requirement(
            session, companies.acme_id, {"customer": "C0", "kind": "packaging",
                                         "text": "Pallets of 800 kg at most"},
            actor="test", user_id=None)
        theirs = requirements_store.create_requirement(
            session, companies.globex_id, {"customer": "C0", "kind": "other",
                                           "text": "GLOBEX SECRET"}, actor="test", user_id=None)
    browser.log_in(VIEWER, PASSWORD)
    listed = browser.page("/requirements")
    assert "Pallets of 800 kg at most" in listed.text and "GLOBEX SECRET" not in listed.text
    assert "Add a requirement" not in listed.text
    token = browser.session_token()
    assert browser.client.post("/requirements", data=_form(csrf_token=token)).status_code == 403
    assert browser.client.post(f"/requirements/{mine.id}",
                               data=_form(csrf_token=token)).status_code == 403
    assert browser.client.get(f"/requirements/{theirs.id}").status_code == 404

    # Bob (owner of Acme, viewer of Globex) cannot reach Globex's row from Acme either.
    browser.client.cookies.clear()
    browser.log_in(companies.bob, PASSWORD)
    assert browser.client.get(f"/requirements/{theirs.id}").status_code == 404
    edit = browser.page(f"/requirements/{mine.id}")
    assert browser.client.post(f"/requirements/{theirs.id}", data=_form(
        customer="C0", csrf_token=csrf_token_in(edit.text))).status_code == 404
    with sessions() as session:
        assert session.get(SpecialRequirementRow, theirs.id).text == "GLOBEX SECRET"  # type: ignore[union-attr]


def test_customer_360_lists_the_customers_requirements(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        customer_id = session.scalar(select(Customer.id).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "C1"))
        requirements_store.create_requirement(
            session, companies.acme_id, {"customer": "C1", "kind": "documentation",
                                         "text": f"Certificate of analysis {XSS}"},
            actor="test", user_id=None)
        requirements_store.create_requirement(
            session, companies.acme_id, {"customer": "C2", "kind": "other",
                                         "text": "Somebody else's"}, actor="test", user_id=None)
    browser.log_in(companies.alice, PASSWORD)
    profile = browser.page(f"/customers/{customer_id}")
    section = text_of(profile.text, "customer-requirements")
    assert "Certificate of analysis" in section and "Somebody else" not in section
    assert XSS not in profile.text


def test_a_requirement_links_to_the_response_it_was_stated_in_and_back(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        customer_id = session.scalar(select(Customer.id).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "C1"))
        ours = FeedbackResponse(workspace_id=companies.acme_id, customer_id=customer_id,
                                channel="link", submitted_at=utcnow(), nps=9)
        theirs = FeedbackResponse(workspace_id=companies.globex_id, channel="phone",
                                  submitted_at=utcnow(), nps=2)
        session.add_all([ours, theirs])
        session.flush()
        stated = SpecialRequirementRow(
            workspace_id=companies.acme_id, customer_id=customer_id, response_id=ours.id,
            kind="delivery", text="Deliver before 7:00")
        # A row pointing at another workspace's response (a bad import, a bug): the id
        # must not show up, not even as a dead link.
        forged = SpecialRequirementRow(
            workspace_id=companies.acme_id, customer_id=customer_id, response_id=theirs.id,
            kind="other", text="Points elsewhere")
        by_staff = SpecialRequirementRow(
            workspace_id=companies.acme_id, customer_id=customer_id, kind="packaging",
            text="Pallets of 800 kg at most")
        session.add_all([stated, forged, by_staff])
        session.flush()
        ours_id, theirs_id = ours.id, theirs.id
        stated_id, forged_id, by_staff_id = stated.id, forged.id, by_staff.id
    browser.log_in(companies.alice, PASSWORD)

    listed = browser.page("/requirements").text
    row = re.search(rf'<tr id="requirement-{stated_id}".*?</tr>', listed, re.DOTALL)
    assert row and f'<a href="/responses/{ours_id}"' in row.group(0)
    assert f">R-{ours_id}</a>" in row.group(0)
    for other in (forged_id, by_staff_id):
        other_row = re.search(rf'<tr id="requirement-{other}".*?</tr>', listed, re.DOTALL)
        assert other_row and "/responses/" not in other_row.group(0)
    assert f"/responses/{theirs_id}" not in listed and f"R-{theirs_id}<" not in listed

    page = browser.page(f"/requirements/{stated_id}").text
    assert text_of(page, "requirement-response") == f"Stated in response R-{ours_id}"
    assert f'<a href="/responses/{ours_id}">R-{ours_id}</a>' in page
    assert "Указано в ответе" in browser.page(f"/requirements/{stated_id}?lang=ru").text
    for other in (forged_id, by_staff_id):
        other_page = browser.page(f"/requirements/{other}").text
        assert 'id="requirement-response"' not in other_page
        assert f"/responses/{theirs_id}" not in other_page

    # Editing keeps the link; the response page links back to the requirement.
    changed = browser.client.post(f"/requirements/{stated_id}", data=_form(
        text="Deliver before 6:30", csrf_token=csrf_token_in(page)))
    assert changed.status_code == 303
    assert f'<a href="/responses/{ours_id}">R-{ours_id}</a>' in \
        browser.page(f"/requirements/{stated_id}").text
    response_page = browser.page(f"/responses/{ours_id}").text
    assert f'<a href="/requirements/{stated_id}">Deliver before 6:30</a>' in response_page
    assert "Points elsewhere" not in browser.page(f"/responses/{ours_id}").text


def test_the_list_names_a_requirements_process_as_the_journey_map_does(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    """A requirement stated in a survey carries its touchpoint's key as the process: the
    list shows the touchpoint's name; a process that is no touchpoint reads as typed."""
    with transaction(sessions) as session:
        stage = JourneyStage(workspace_id=companies.acme_id, key="delivery", name="Delivery",
                             position=1)
        session.add(stage)
        session.flush()
        session.add(Touchpoint(workspace_id=companies.acme_id, key="delivery-courier",
                               name="Parcel delivery", stage_id=stage.id, channel="courier"))
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page("/requirements").text)
    for process in ("delivery-courier", "order-entry"):
        added = browser.client.post("/requirements", data=_form(
            csrf_token=token, process=process, text=f"Rule for {process}"))
        assert added.status_code == 303, added.text
    rows = {re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r'<tr id="requirement-\d+">(.*?)</tr>',
                                  browser.page("/requirements").text, re.DOTALL)}
    assert any("Rule for delivery-courier" in row and "Parcel delivery" in row
               and "delivery-courier Parcel" not in row for row in rows), rows
    assert any("Rule for order-entry" in row and " order-entry " in f" {row} " for row in rows)
