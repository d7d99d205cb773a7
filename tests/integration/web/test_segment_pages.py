"""Segments on the web (SPEC §2.2): define a rule segment by condition rows with a preview
count, errors next to the row they name, CSRF; the list with source, members now and the
change at the last refresh; a segment's page in words with its members and their download;
computed segments from a list; delete after a confirmation; "Refresh now"; the customer
list filtered by membership; the customer 360's segment history — each workspace apart,
names escaped."""

from __future__ import annotations

import re
from datetime import datetime

from babel.dates import format_datetime
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.customer_facts import facts_status
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, Customer, Segment, Transaction
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.exported_files import downloaded_rows
from tests.integration.web.seed import PASSWORD, SeededCompanies

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def add_buyers(sessions: sessionmaker[Session], workspace_id: int, prefix: str = "N") -> None:
    """Ten buyers: N0–N5 in the north, the rest in the south; N<i> spent 1,000 × (i + 1)
    in the last year."""
    with transaction(sessions) as session:
        for n in range(10):
            customer = Customer(workspace_id=workspace_id, external_id=f"{prefix}{n}",
                                kind="account", name=f"North buyer {n}" if n < 6
                                else f"South buyer {n}", region="north" if n < 6 else "south")
            session.add(customer)
            session.flush()
            session.add(Transaction(workspace_id=workspace_id, customer_id=customer.id,
                                    occurred_at=datetime.now().replace(microsecond=0)
                                    .replace(day=1), amount=1000.0 * (n + 1), margin=1.0,
                                    product="widget", channel="web"))


def rule_form(token: str, name: str = "Big northern accounts", key: str = "big-north",
              **rows: str) -> dict[str, str]:
    return {"csrf_token": token, "name": name, "key": key, "description": "",
            "source": "rule", "match": "all",
            "field_0": "region", "op_0": "eq", "value_0": "north",
            "field_1": "revenue_12m", "op_1": "gte", "value_1": "3,000", **rows}


def test_a_rule_segment_is_built_previewed_saved_and_listed(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_buyers(sessions, companies.acme_id)
    browser.log_in(companies.alice, PASSWORD)  # an analyst: may define segments
    form_page = browser.page("/segments/_new")
    token = csrf_token_in(form_page.text)
    assert 'hx-get="/segments/_preview"' in form_page.text

    refused = browser.client.post("/segments/_new", data={**rule_form(token), "csrf_token": ""})
    assert refused.status_code == 403

    live = browser.page("/segments/_preview", params={
        "match": "all", "field_0": "region", "op_0": "eq", "value_0": "Север", "lang": "ru"})
    assert text_of(live.text, "rule-preview-count") == "6"  # typed by its Russian label
    browser.page("/segments/_preview", params={"lang": "en"})  # back to English
    narrower = browser.page("/segments/_preview", params={
        "match": "all", "field_0": "region", "op_0": "eq", "value_0": "north",
        "field_1": "revenue_12m", "op_1": "gte", "value_1": "3,000"})
    assert text_of(narrower.text, "rule-preview-count") == "4"  # N2–N5

    preview = browser.client.post("/segments/_new", data={**rule_form(token), "action": "preview"})
    assert preview.status_code == 200 and text_of(preview.text, "rule-preview-count") == "4"
    with sessions() as session:
        assert session.scalar(select(Segment).where(Segment.key == "big-north")) is None

    bad = browser.client.post("/segments/_new", data=rule_form(token, value_1="lots"))
    assert bad.status_code == 422
    assert text_of(bad.text, "segment-row-1-value-error") == "Enter a number."
    assert 'id="row-1-value" value="lots"' in bad.text  # what was typed stays

    saved = browser.client.post("/segments/_new", data=rule_form(token))
    assert saved.status_code == 303 and saved.headers["location"] == "/segments/big-north"
    page = browser.page("/segments/big-north")
    assert text_of(page.text, "segment-definition") == \
        "Rule · Region is North and revenue in the last 12 months ≥ €3,000"
    assert text_of(page.text, "members-heading") == "Members: 4"
    assert re.findall(r'<td class="one-line">(N\d)</td>', page.text) == ["N2", "N3", "N4", "N5"]

    listing = browser.page("/segments")
    row = re.search(r'<tr data-segment="big-north">.*?</tr>', listing.text, re.DOTALL)
    assert row and "Rule" in row.group(0) and ">4</td>" in row.group(0)
    assert "+4 / −0" in row.group(0)

    again = browser.client.post("/segments/_new", data=rule_form(token, name="Other"))
    assert again.status_code == 422
    assert text_of(again.text, "segment-key-error") == \
        "Another segment of this workspace has this key."
    with sessions() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "segment", AuditEntry.workspace_id == companies.acme_id)))
    assert actions[:1] == ["create"]


def test_members_download_refresh_and_the_customer_list_filter(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_buyers(sessions, companies.acme_id)
    browser.log_in(companies.bob, PASSWORD)  # the owner
    token = csrf_token_in(browser.page("/segments/_new").text)
    assert browser.client.post("/segments/_new", data=rule_form(token)).status_code == 303

    rows = downloaded_rows(browser, "/segments/big-north/members.csv",
                           "segment-big-north-members.csv")
    assert rows[0][:4] == ["Name", "External id", "Kind", "Region"]
    assert [r[1] for r in rows[1:]] == ["N2", "N3", "N4", "N5"]
    found = downloaded_rows(browser, "/segments/big-north/members.xlsx?q=buyer 5")
    assert [r[1] for r in found[1:]] == ["N5"]
    listed = browser.page("/customers?member_of=big-north")
    assert text_of(listed.text, "customers-heading") == "Customers found: 4"

    with transaction(sessions) as session:  # N1 moves north-er: it now spends enough
        n1 = session.scalars(select(Customer).where(Customer.external_id == "N1",
                             Customer.workspace_id == companies.acme_id)).one()
        session.add(Transaction(workspace_id=companies.acme_id, customer_id=n1.id,
                                occurred_at=datetime.now().replace(microsecond=0, day=1),
                                amount=5000.0, margin=1.0, product="widget", channel="web"))
    refreshed = browser.client.post("/segments/_refresh", data={"csrf_token": token})
    assert refreshed.status_code == 303
    page = browser.page("/segments/big-north")
    assert text_of(page.text, "segment-last-change").startswith(
        "Last refresh: entered / left +1 / −0")
    assert text_of(page.text, "members-heading") == "Members: 5"

    history = browser.page(f"/customers/{n1.id}")
    assert "Big northern accounts" in text_of(history.text, "segment-history")


def test_computed_segment_from_the_list_and_delete_after_confirmation(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_buyers(sessions, companies.acme_id)
    browser.log_in(companies.bob, PASSWORD)
    form_page = browser.page("/segments/_new?source=value_tier")
    token = csrf_token_in(form_page.text)
    assert 'id="source-value_tier" checked' in form_page.text
    assert "Value tier A: the top 20% of customers by revenue in the last 12 months" \
        in form_page.text
    missing = browser.client.post("/segments/_new", data={
        "csrf_token": token, "name": "Tier A", "key": "tier-a", "source": "value_tier"})
    assert missing.status_code == 422
    assert text_of(missing.text, "segment-parameter-error") == "Choose one from the list."
    saved = browser.client.post("/segments/_new", data={
        "csrf_token": token, "name": "Tier A", "key": "tier-a", "source": "value_tier",
        "parameter_value_tier": "A", "parameter_rfm": "Champions"})
    assert saved.status_code == 303
    page = browser.page("/segments/tier-a")
    # ten buyers ordered in the last year (the seed's orders are older): the top 20 %
    assert re.findall(r'<td class="one-line">(N\d)</td>', page.text) == ["N8", "N9"]
    assert text_of(page.text, "segment-definition").startswith("Value tier · Value tier A")

    confirm = browser.page("/segments/tier-a/delete")
    assert "Delete the segment “Tier A”?" in confirm.text
    assert browser.client.post("/segments/tier-a/delete", data={}).status_code == 403
    assert browser.page("/segments/tier-a").status_code == 200
    gone = browser.client.post("/segments/tier-a/delete", data={"csrf_token": token})
    assert gone.status_code == 303
    assert browser.client.get("/segments/tier-a").status_code == 404


def test_names_are_escaped_viewers_read_and_workspaces_stay_apart(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_buyers(sessions, companies.acme_id)
    add_buyers(sessions, companies.globex_id, prefix="G")
    browser.log_in(companies.bob, PASSWORD)
    token = csrf_token_in(browser.page("/segments/_new").text)
    assert browser.client.post("/segments/_new", data=rule_form(
        token, name=XSS, value_0=XSS, op_1="gte", value_1="0")).status_code == 303
    for path in ("/segments", "/segments/big-north", "/segments/big-north/edit",
                 "/segments/big-north/delete", "/customers"):
        html = browser.page(path).text
        assert XSS not in html and "&lt;script&gt;" in html, path

    # Bob is a viewer of Globex: he reads its segments, changes none, sees no Acme one
    with transaction(sessions) as session:
        session.add(Segment(workspace_id=companies.globex_id, key="globex-only",
                            name="Globex only", source="manual", kind="manual"))
    switch = browser.client.post("/workspace", data={"workspace_id": str(companies.globex_id),
                                                     "csrf_token": token})
    assert switch.status_code in (302, 303), switch.status_code
    listing = browser.page("/segments")
    assert "Globex only" in listing.text and "big-north" not in listing.text
    assert 'id="segment-new"' not in listing.text
    assert browser.client.get("/segments/big-north").status_code == 404
    assert browser.client.get("/segments/big-north/members.csv").status_code == 404
    assert browser.client.get("/segments/_new").status_code == 403
    token = browser.session_token()
    assert browser.client.post("/segments/_refresh", data={"csrf_token": token}
                               ).status_code == 403


def test_a_viewer_of_acme_cannot_define(browser: Browser, companies: SeededCompanies,
                                        sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, "acme")
        accounts.grant_role(session, workspace,
                            accounts.ensure_user(session, "vic@acme.test", PASSWORD), Role.VIEWER)
    browser.log_in("vic@acme.test", PASSWORD)
    token = browser.session_token()
    refused = browser.client.post("/segments/_new", data=rule_form(token))
    assert refused.status_code == 403
    with sessions() as session:
        assert session.scalar(select(Segment).where(Segment.key == "big-north")) is None


def test_the_preview_counts_on_the_stored_facts_a_saved_segment_is_computed_from(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_buyers(sessions, companies.acme_id)
    browser.log_in(companies.bob, PASSWORD)  # the owner
    token = csrf_token_in(browser.page("/segments/_new").text)
    assert browser.client.post("/segments/_refresh", data={"csrf_token": token}).status_code == 303
    with sessions() as session:
        status = facts_status(session, companies.acme_id)
        assert status is not None
        n1 = session.scalars(select(Customer).where(Customer.external_id == "N1",
                             Customer.workspace_id == companies.acme_id)).one()
    with transaction(sessions) as session:  # after the facts were stored: not in them yet
        session.add(Transaction(workspace_id=companies.acme_id, customer_id=n1.id,
                                occurred_at=datetime.now().replace(microsecond=0, day=1),
                                amount=5000.0, margin=1.0, product="widget", channel="web"))
    asked = {"match": "all", "field_0": "region", "op_0": "eq", "value_0": "north",
             "field_1": "revenue_12m", "op_1": "gte", "value_1": "3,000"}
    preview = browser.page("/segments/_preview", params=asked)
    assert text_of(preview.text, "rule-preview-count") == "4"  # N2–N5, as the list shows
    moment = " ".join(format_datetime(status.as_of, format="medium", locale="en").split())
    assert text_of(preview.text, "rule-preview-as-of") == (
        f"12-month figures as of {moment} UTC: those the customer list shows and a saved "
        "segment is computed from.")
    in_russian = browser.page("/segments/_preview", params={**asked, "lang": "ru"})
    assert text_of(in_russian.text, "rule-preview-as-of").startswith("Показатели за 12 месяцев")
    browser.page("/segments/_preview", params={"lang": "en"})
    by_region = browser.page("/segments/_preview", params={
        "match": "all", "field_0": "region", "op_0": "eq", "value_0": "north"})
    assert 'id="rule-preview-as-of"' not in by_region.text  # reads no 12-month figure

    assert browser.client.post("/segments/_new", data=rule_form(token)).status_code == 303
    page = browser.page("/segments/big-north")
    assert text_of(page.text, "members-heading") == "Members: 4"  # what the preview said
    with sessions() as session:  # the other segments and the list stay on that moment
        after = facts_status(session, companies.acme_id)
        assert after is not None and after.as_of == status.as_of and after.new_orders == 1

    assert browser.client.post("/segments/_refresh", data={"csrf_token": token}).status_code == 303
    preview = browser.page("/segments/_preview", params=asked)
    assert text_of(preview.text, "rule-preview-count") == "5"  # N1 now counts
    assert text_of(browser.page("/segments/big-north").text, "members-heading") == "Members: 5"
