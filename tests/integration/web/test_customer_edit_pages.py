"""Changing a customer on the customer 360 page (issue 6, SPEC 2.2): the Edit form with
CSRF, errors next to the field, text escaped, only owners, admins and managers, another
workspace's customer not found; the "address bounced" badge and its button that lifts
the mark."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, CaseRow, Customer, Segment, utcnow
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
MANAGER = "mia@acme.test"
BOUNCED = "ann@customer.example"


def customer(sessions: sessionmaker[Session], workspace_id: int, external_id: str = "C1"
             ) -> Customer:
    with sessions() as session:
        return session.scalars(select(Customer).where(
            Customer.workspace_id == workspace_id, Customer.external_id == external_id)).one()


def audit_of(sessions: sessionmaker[Session], workspace_id: int) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.workspace_id == workspace_id, AuditEntry.entity == "customer")
            .order_by(AuditEntry.id)))


def form(**fields: str) -> dict[str, str]:
    return {"name": "Customer 1", "external_id": "C1", "email": "", "segment_key": "",
            "region": "", "industry": "", "attributes": "", "consent_contact": "1", **fields}


def add_member(sessions: sessionmaker[Session], email: str, role: Role) -> None:
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, "acme")
        accounts.grant_role(session, workspace, accounts.ensure_user(session, email, PASSWORD),
                            role)


def test_an_owner_edits_the_customer_and_errors_show_next_to_the_field(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        session.add(Segment(workspace_id=companies.acme_id, key="key-accounts",
                            name="Key accounts"))
        row = session.scalars(select(Customer).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "C1")).one()
        row.attributes = {"employees": 250, "note": "pays early", "crm:id": "X-7"}
    target = customer(sessions, companies.acme_id)
    browser.log_in(companies.bob, PASSWORD)  # the owner
    page = browser.page(f"/customers/{target.id}")
    assert 'id="customer-edit-form"' in page.text
    ids = re.findall(r'\sid="([^"]+)"', page.text)
    assert len(ids) == len(set(ids)), "labels point at their fields: no id twice"
    assert ">Key accounts</option>" in page.text
    assert text_of(page.text, "edit-attributes") == "employees: 250 note: pays early"
    assert text_of(page.text, "customer-attributes-apart").endswith("the API): crm:id")
    token = csrf_token_in(page.text)
    url = f"/customers/{target.id}"

    without_csrf = browser.client.post(url, data=form(name="No token"))
    assert without_csrf.status_code == 403
    assert customer(sessions, companies.acme_id).name == "Customer 1"

    bad = browser.client.post(url, data=form(csrf_token=token, name=XSS, email="not-an-address"))
    assert bad.status_code == 422
    assert text_of(bad.text, "customer-email-error") == \
        "Enter an e-mail address such as name@example.com."
    assert 'name="email" type="email" value="not-an-address" maxlength="320" ' \
        'aria-invalid="true" aria-describedby="customer-email-error"' in bad.text
    assert XSS not in bad.text and "&lt;script&gt;" in bad.text, "the form keeps it, escaped"
    assert customer(sessions, companies.acme_id).name == "Customer 1", "nothing stored"

    saved = browser.client.post(url, data=form(
        csrf_token=token, name=XSS, email=" ann.lee@customer.example ",
        segment_key="key-accounts", region="North", consent_contact="",
        attributes="employees: 250\nnote: pays late\ntier: gold"))
    assert saved.status_code == 303, saved.text
    stored = customer(sessions, companies.acme_id)
    assert (stored.name, stored.email, stored.region, stored.consent_contact) == (
        XSS, "ann.lee@customer.example", "North", False)
    assert stored.attributes == {"employees": 250, "note": "pays late", "tier": "gold",
                                 "crm:id": "X-7"}, "an unchanged number stays a number"
    shown = browser.page(url).text
    assert XSS not in shown
    assert text_of(shown, "customer-name") == XSS, "shown as text, not as markup"
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in shown
    (entry,) = audit_of(sessions, companies.acme_id)
    assert (entry.action, entry.actor, entry.entity_id) == ("update", companies.bob, "C1")
    assert entry.detail is not None and entry.detail["changes"]["attributes"] == {
        "from": {"employees": 250, "note": "pays early", "crm:id": "X-7"},
        "to": {"employees": 250, "note": "pays late", "crm:id": "X-7", "tier": "gold"}}

    removed = browser.client.post(url, data=form(
        csrf_token=token, name="Customer One", email="ann.lee@customer.example",
        segment_key="key-accounts", region="North", consent_contact="",
        attributes="tier: gold"))
    assert removed.status_code == 303
    assert customer(sessions, companies.acme_id).attributes == {"tier": "gold",
                                                                "crm:id": "X-7"}

    taken = browser.client.post(url, data=form(csrf_token=token, external_id="C2"))
    assert taken.status_code == 422
    assert text_of(taken.text, "customer-external_id-error") == \
        "Another customer of this workspace has this external id."
    unknown = browser.client.post(url, data=form(csrf_token=token, segment_key="nope"))
    assert unknown.status_code == 422 and 'id="customer-segment_key-error"' in unknown.text
    lines = browser.client.post(url, data=form(csrf_token=token, attributes="no colon here"))
    assert lines.status_code == 422 and 'id="customer-attributes-error"' in lines.text
    assert customer(sessions, companies.acme_id).external_id == "C1"

    hu = browser.client.post(f"{url}?lang=hu", data=form(csrf_token=token, email="x@"))
    assert hu.status_code == 422
    assert text_of(hu.text, "customer-email-error") == \
        "Adjon meg egy e-mail-címet, például name@example.com."


def test_a_manager_edits_an_analyst_and_a_viewer_only_read(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_member(sessions, MANAGER, Role.MANAGER)
    add_member(sessions, "vera@acme.test", Role.VIEWER)
    target = customer(sessions, companies.acme_id)
    url = f"/customers/{target.id}"
    for reader in (companies.alice, "vera@acme.test"):  # analyst, viewer
        browser.log_in(reader, PASSWORD)
        page = browser.page(url)
        assert 'id="customer-edit"' not in page.text
        refused = browser.client.post(url, data=form(csrf_token=browser.session_token(),
                                                     name="Not allowed"))
        assert refused.status_code == 403
        browser.client.post("/logout", data={"csrf_token": browser.session_token()})
    assert customer(sessions, companies.acme_id).name == "Customer 1"

    browser.log_in(MANAGER, PASSWORD)
    page = browser.page(url)
    changed = browser.client.post(url, data=form(csrf_token=csrf_token_in(page.text),
                                                 name="Changed by Mia"))
    assert changed.status_code == 303
    assert customer(sessions, companies.acme_id).name == "Changed by Mia"


def test_another_workspaces_customer_is_not_found(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    theirs = customer(sessions, companies.globex_id, "C0")
    browser.log_in(companies.bob, PASSWORD)  # owner of acme, viewer of globex
    token = browser.session_token()
    assert browser.client.get(f"/customers/{theirs.id}").status_code == 404
    assert browser.client.post(f"/customers/{theirs.id}", data=form(
        csrf_token=token, name="Hijacked", external_id="C0")).status_code == 404
    assert browser.client.post(f"/customers/{theirs.id}/email-deliverable",
                               data={"csrf_token": token}).status_code == 404
    assert customer(sessions, companies.globex_id, "C0").name == "Customer 0"
    assert audit_of(sessions, companies.globex_id) == []


def test_the_bounce_badge_and_its_button_lift_the_mark(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        row = session.scalars(select(Customer).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "C1")).one()
        row.email = row.undeliverable_email = BOUNCED
        row.email_bounced_at = datetime(2026, 11, 30, 8, 15)
        target_id = row.id
    url = f"/customers/{target_id}"
    add_member(sessions, "vera@acme.test", Role.VIEWER)
    browser.log_in("vera@acme.test", PASSWORD)
    seen = browser.page(url).text
    assert text_of(seen, "email-paused") == "Address bounced — e-mails paused"
    assert 'id="email-deliverable"' not in seen, "a viewer gets no button"
    assert browser.client.post(f"{url}/email-deliverable", data={
        "csrf_token": browser.session_token()}).status_code == 403
    browser.client.post("/logout", data={"csrf_token": browser.session_token()})

    browser.log_in(companies.bob, PASSWORD)
    page = browser.page(f"{url}?lang=ru").text
    assert text_of(page, "email-paused") == "Адрес недоступен — письма приостановлены"
    assert text_of(page, "email-deliverable") == "Адрес снова работает: возобновить письма"
    assert browser.client.post(f"{url}/email-deliverable").status_code == 403, "no CSRF token"
    assert customer(sessions, companies.acme_id).undeliverable_email == BOUNCED

    lifted = browser.client.post(f"{url}/email-deliverable",
                                 data={"csrf_token": csrf_token_in(page)})
    assert lifted.status_code == 303
    after = browser.page(url).text
    assert 'id="email-paused"' not in after and 'id="email-bounced"' not in after
    stored = customer(sessions, companies.acme_id)
    assert (stored.email, stored.undeliverable_email, stored.email_bounced_at) == (
        BOUNCED, None, None)
    (entry,) = audit_of(sessions, companies.acme_id)
    assert (entry.action, entry.actor) == ("email-deliverable", companies.bob)


def test_the_profile_names_channels_and_case_states_in_the_readers_language(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    first, second = (customer(sessions, companies.acme_id, key) for key in ("C0", "C1"))
    now = utcnow()
    with transaction(sessions) as session:
        session.add(CaseRow(workspace_id=companies.acme_id, customer_id=first.id,
                            title="Late parcel", rule="detractor", priority=2,
                            status="in_progress", opened_at=now,
                            first_response_due_at=now + timedelta(hours=4),
                            resolution_due_at=now + timedelta(days=3)))
    browser.log_in(companies.bob, PASSWORD)

    russian = browser.page(f"/customers/{first.id}?lang=ru").text
    feedback, orders = text_of(russian, "customer-feedback"), text_of(russian, "customer-orders")
    assert "Эл. почта" in feedback and "email" not in feedback
    assert "Сайт" in orders and "web" not in orders
    cases = text_of(russian, "customer-cases")
    assert "В работе" in cases and "in_progress" not in cases
    hungarian = text_of(browser.page(f"/customers/{second.id}?lang=hu").text, "customer-feedback")
    assert "Weboldal" in hungarian and "web" not in hungarian
    english = text_of(browser.page(f"/customers/{first.id}?lang=en").text, "customer-orders")
    assert "Website" in english
