"""Settings → "Webhooks": an owner adds an endpoint (a private address is refused next to
the field, a public one is listed and its secret shown once), disables and enables it,
rotates its secret — the next delivery, queued before, is signed with the new one and,
for a day, with the old one too — and deletes it; CSRF, audit, roles and workspace
isolation; EN/RU/HU."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry, OutboxMessageRow, WebhookEndpointRow, utcnow
from kano.adapters.jobs.outbox import deliver_due_messages
from kano.adapters.messaging.webhooks import new_secret
from kano.adapters.web.formatting import NumberFormats
from kano.bootstrap import Container
from tests.integration.api.test_response_intake import Receiver, standard_webhooks_signature
from tests.integration.api.webhook_signatures import accepted_by, signature_count
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

PUBLIC_URL = "https://93.184.216.34/hooks/kano"  # a global address: no DNS needed


def _endpoints(sessions: sessionmaker[Session]) -> list[tuple[int, str, bool]]:
    with sessions() as session:
        return [(row.workspace_id, row.url, row.active) for row in session.scalars(
            select(WebhookEndpointRow).order_by(WebhookEndpointRow.id))]


def _secret_on(html: str) -> str:
    return html.split('id="new-secret"')[1].split('value="')[1].split('"')[0]


def _audit(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(AuditEntry.action, AuditEntry.actor)
            .where(AuditEntry.entity == "webhook_endpoint").order_by(AuditEntry.id))]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


def test_a_private_url_is_refused_next_to_the_field_and_a_public_one_is_listed(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    page = browser.page("/settings")
    assert "No webhook endpoints yet." in text_of(page.text, "webhooks")
    token = csrf_token_in(page.text)

    for url, says in (("http://127.0.0.1:9000/hook", "loopback, private"),
                      ("https://10.0.0.8/hook", "loopback, private"),
                      ("ftp://93.184.216.34/x", "Give an http or https address"),
                      ("", "Give the address")):
        refused = browser.client.post("/settings/webhooks", data={"url": url,
                                                                  "csrf_token": token})
        assert refused.status_code == 422, url
        error = text_of(refused.text, "webhook-url-error")
        assert error.startswith("Check this field: URL.") and says in error, error
        assert 'aria-invalid="true"' in refused.text.split('id="webhook-url"')[1][:600]
        assert f'value="{url}"' in refused.text
    assert _endpoints(sessions) == []

    added = browser.client.post("/settings/webhooks", data={"url": PUBLIC_URL,
                                                            "csrf_token": token})
    assert added.status_code == 200, added.text
    assert added.headers["cache-control"] == "no-store"
    secret = _secret_on(added.text)
    assert secret.startswith("whsec_")
    assert "only time the secret is shown" in text_of(added.text, "secret-once")
    assert _endpoints(sessions) == [(companies.acme_id, PUBLIC_URL, True)]

    page = browser.page("/settings")
    assert secret not in page.text
    with sessions() as session:
        endpoint_id = session.scalars(select(WebhookEndpointRow.id)).one()
    row = text_of(page.text, f"webhook-{endpoint_id}")
    assert PUBLIC_URL in row and "enabled" in row and "0 0 0" in row
    assert _audit(sessions) == [("create", companies.bob)]


def test_disable_enable_and_delete_after_confirming(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    token = browser.session_token()
    browser.client.post("/settings/webhooks", data={"url": PUBLIC_URL, "csrf_token": token})
    with sessions() as session:
        endpoint_id = session.scalars(select(WebhookEndpointRow.id)).one()

    without_csrf = browser.client.post(f"/settings/webhooks/{endpoint_id}/enabled",
                                       data={"enabled": "false"})
    assert without_csrf.status_code == 403
    off = browser.client.post(f"/settings/webhooks/{endpoint_id}/enabled",
                              data={"enabled": "false", "csrf_token": token})
    assert off.status_code == 303
    page = browser.page(off.headers["location"])
    assert "nothing more is sent" in text_of(page.text, "webhook-notice")
    assert "disabled" in text_of(page.text, f"webhook-{endpoint_id}")
    assert _endpoints(sessions) == [(companies.acme_id, PUBLIC_URL, False)]
    browser.client.post(f"/settings/webhooks/{endpoint_id}/enabled",
                        data={"enabled": "true", "csrf_token": token})
    assert _endpoints(sessions) == [(companies.acme_id, PUBLIC_URL, True)]

    confirm = browser.page(f"/settings/webhooks/{endpoint_id}/delete")
    assert "Delete this webhook endpoint?" in confirm.text and PUBLIC_URL in confirm.text
    assert browser.client.post(f"/settings/webhooks/{endpoint_id}/delete").status_code == 403
    assert len(_endpoints(sessions)) == 1
    deleted = browser.client.post(f"/settings/webhooks/{endpoint_id}/delete",
                                  data={"csrf_token": csrf_token_in(confirm.text)})
    assert deleted.status_code == 303
    assert "The endpoint is deleted." in browser.page(deleted.headers["location"]).text
    assert _endpoints(sessions) == []
    assert _audit(sessions) == [("create", companies.bob), ("disable", companies.bob),
                                ("enable", companies.bob), ("delete", companies.bob)]


def _queue(sessions: sessionmaker[Session], workspace_id: int, endpoint_id: int, url: str,
           key: str) -> None:
    with sessions.begin() as session:
        session.add(OutboxMessageRow(
            workspace_id=workspace_id, kind="webhook", purpose="acknowledgement",
            dedupe_key=key, recipient=url,
            payload={"type": "response.created", "data": {"id": 1}},
            webhook_endpoint_id=endpoint_id))


def test_a_rotated_secret_signs_the_next_delivery_and_the_old_one_too_for_a_day(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
    container: Container, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(container.settings, "webhook_allow_private", True)  # the receiver
    browser.log_in(companies.bob, PASSWORD)
    token = browser.session_token()
    added = browser.client.post("/settings/webhooks", data={"url": receiver.url,
                                                            "csrf_token": token})
    old_secret = _secret_on(added.text)
    with sessions() as session:
        endpoint_id = session.scalars(select(WebhookEndpointRow.id)).one()
    _queue(sessions, companies.acme_id, endpoint_id, receiver.url,  # queued before
           "ack-webhook-rotation-test")
    assert 'id="webhook-' + str(endpoint_id) + '-old-secret"' not in browser.page(
        "/settings").text

    confirm = browser.page(f"/settings/webhooks/{endpoint_id}/rotate")
    assert "Rotate the signing secret?" in confirm.text
    assert "For 24 hours the old secret signs them too" in text_of(confirm.text,
                                                                   "rotate-overlap")
    before = utcnow()
    rotated = browser.client.post(f"/settings/webhooks/{endpoint_id}/rotate",
                                  data={"csrf_token": csrf_token_in(confirm.text)})
    assert rotated.status_code == 200, rotated.text
    new = _secret_on(rotated.text)
    assert new.startswith("whsec_") and new != old_secret
    assert "Webhook secret rotated" in rotated.text
    assert "the old secret signs them too until" in text_of(rotated.text, "secret-once")
    settings_page = browser.page("/settings").text
    assert new not in settings_page and old_secret not in settings_page
    note = text_of(settings_page, f"webhook-{endpoint_id}-old-secret")
    assert note.startswith("The old secret also signs until")
    with sessions() as session:
        ends = session.get_one(WebhookEndpointRow, endpoint_id).previous_secret_until
    assert ends is not None
    assert before + timedelta(hours=24) <= ends <= utcnow() + timedelta(hours=24)
    until = NumberFormats("en").moment(ends)
    assert " ".join(until.split()) in note  # (text_of makes every space a plain one)

    # During the overlap: one delivery, accepted by a receiver on either secret.
    assert deliver_due_messages(container) == "outbox: 1 sent, 0 to retry, 0 failed"
    ((headers, body),) = receiver.deliveries
    assert json.loads(body)["type"] == "response.created"
    assert signature_count(headers) == 2
    assert headers["webhook-signature"].startswith(
        standard_webhooks_signature(new, headers, body) + " ")  # the new one first
    assert accepted_by(new, headers, body) and accepted_by(old_secret, headers, body)
    assert not accepted_by(new_secret(), headers, body)
    row = text_of(browser.page("/settings").text, f"webhook-{endpoint_id}")
    assert "1 0 0" in row  # delivered 1, failed 0, pending 0

    # A day later (the overlap's end moved back to just past): only the new one signs.
    with sessions.begin() as session:
        session.get_one(WebhookEndpointRow, endpoint_id).previous_secret_until = (
            utcnow() - timedelta(seconds=1))
    _queue(sessions, companies.acme_id, endpoint_id, receiver.url, "ack-after-the-overlap")
    assert deliver_due_messages(container) == "outbox: 1 sent, 0 to retry, 0 failed"
    headers, body = receiver.deliveries[1]
    assert signature_count(headers) == 1
    assert accepted_by(new, headers, body) and not accepted_by(old_secret, headers, body)
    assert f'id="webhook-{endpoint_id}-old-secret"' not in browser.page("/settings").text

    assert _audit(sessions) == [("create", companies.bob), ("rotate_secret", companies.bob)]
    with sessions() as session:
        details = session.scalars(select(AuditEntry.detail)
                                  .where(AuditEntry.entity == "webhook_endpoint")).all()
    assert all(new not in str(detail) and old_secret not in str(detail) for detail in details)


def test_analysts_viewers_and_other_workspaces_are_refused(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        theirs = WebhookEndpointRow(workspace_id=companies.globex_id, url=PUBLIC_URL,
                                    secret=new_secret())
        session.add(theirs)
        session.flush()
        their_id = theirs.id

    browser.log_in(companies.alice, PASSWORD)  # analyst of Acme
    token = browser.session_token()
    assert 'id="webhooks"' not in browser.page("/settings").text
    assert browser.client.post("/settings/webhooks", data={
        "url": PUBLIC_URL, "csrf_token": token}).status_code == 403
    browser.client.post("/logout", data={"csrf_token": token})

    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    token = browser.session_token()
    assert PUBLIC_URL not in browser.page("/settings").text
    for path in (f"/settings/webhooks/{their_id}/rotate", f"/settings/webhooks/{their_id}/delete"):
        assert browser.client.get(path).status_code == 404
        assert browser.client.post(path, data={"csrf_token": token}).status_code == 404
    assert browser.client.post(f"/settings/webhooks/{their_id}/enabled", data={
        "enabled": "false", "csrf_token": token}).status_code == 404

    browser.client.post("/workspace", data={"workspace_id": str(companies.globex_id),
                                            "csrf_token": token})  # a viewer of Globex
    page = browser.page("/settings")
    assert 'id="webhooks"' not in page.text and PUBLIC_URL not in page.text
    assert browser.client.post(f"/settings/webhooks/{their_id}/delete", data={
        "csrf_token": token}).status_code == 403
    assert browser.client.get(f"/settings/webhooks/{their_id}/rotate").status_code == 403
    assert _endpoints(sessions) == [(companies.globex_id, PUBLIC_URL, True)]
    assert _audit(sessions) == []


def test_the_section_speaks_russian_and_hungarian(
    browser: Browser, companies: SeededCompanies,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    token = browser.session_token()
    ru = browser.client.post("/settings/webhooks?lang=ru", data={
        "url": "http://127.0.0.1/x", "csrf_token": token})
    assert "Проверьте поле: URL." in text_of(ru.text, "webhook-url-error")
    assert "Вебхуки" in text_of(ru.text, "webhooks-heading")
    hu = browser.page("/settings?lang=hu").text
    assert "Webhookok" in text_of(hu, "webhooks-heading")


def test_the_confirm_page_says_the_servers_overlap_and_the_rotation_stores_its_end(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
    container: Container, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with sessions.begin() as session:
        endpoint = WebhookEndpointRow(workspace_id=companies.acme_id, url=PUBLIC_URL,
                                      secret=new_secret())
        session.add(endpoint)
        session.flush()
        endpoint_id = endpoint.id
    browser.log_in(companies.bob, PASSWORD)
    path = f"/settings/webhooks/{endpoint_id}/rotate"

    def said(hours: float, lang: str = "en") -> str:
        monkeypatch.setattr(container.settings, "webhook_secret_overlap_hours", hours)
        return text_of(browser.page(f"{path}?lang={lang}").text, "rotate-overlap")

    assert "For 2 hours the old secret signs them too" in said(2)
    assert "For 1 hour the old secret signs them too" in said(1)
    assert "For 90 minutes the old secret signs them too" in said(1.5)
    assert "the old secret" not in said(0)
    assert "The receiver must be given the new secret" in said(0)
    assert "В течение 21 часа их подписывает и старый секрет" in said(21, "ru")
    assert "В течение 48 часов их подписывает и старый секрет" in said(48, "ru")
    assert "48 óráig a régi titok is aláírja őket" in said(48, "hu")

    # The rotation uses this server's setting (2 h), not a default, and stores the end.
    confirm = browser.page(f"{path}?lang=en")
    monkeypatch.setattr(container.settings, "webhook_secret_overlap_hours", 2)
    before = utcnow()
    rotated = browser.client.post(path, data={"csrf_token": csrf_token_in(confirm.text)})
    assert rotated.status_code == 200, rotated.text
    with sessions() as session:
        ends = session.get_one(WebhookEndpointRow, endpoint_id).previous_secret_until
    assert ends is not None
    assert before + timedelta(hours=2) <= ends <= utcnow() + timedelta(hours=2)
    monkeypatch.setattr(container.settings, "webhook_secret_overlap_hours", 0)
    note = text_of(browser.page("/settings?lang=en").text, f"webhook-{endpoint_id}-old-secret")
    assert " ".join(NumberFormats("en").moment(ends).split()) in note  # still shown
