"""``kano webhook add|list|remove`` go through the same functions as the web page and the
API: one URL rule (a private address is refused by name), audited changes, counts."""

from __future__ import annotations

from sqlalchemy import select

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import AuditEntry, WebhookEndpointRow
from tests.integration.cli.test_access_commands import kano

PUBLIC_URL = "https://93.184.216.34/hooks/kano"


def test_add_list_and_remove_a_webhook_from_the_command_line(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    try:
        with transaction(sessions) as session:
            accounts.ensure_workspace(session, "acme")

        refused = kano(db_url, "webhook", "add", "http://10.0.0.7/hook", "--workspace", "acme")
        assert refused.returncode == 2
        assert "url: 10.0.0.7 resolves to the non-public address" in refused.stderr
        assert "Traceback" not in refused.stderr

        added = kano(db_url, "webhook", "add", PUBLIC_URL, "--workspace", "acme")
        assert added.returncode == 0, added.stderr
        assert "Signing secret: whsec_" in added.stdout
        listed = kano(db_url, "webhook", "list", "--workspace", "acme")
        assert PUBLIC_URL in listed.stdout and "whsec_" not in listed.stdout
        assert "delivered" in listed.stdout

        with sessions() as session:
            row = session.scalars(select(WebhookEndpointRow)).one()
        removed = kano(db_url, "webhook", "remove", str(row.id), "--workspace", "acme")
        assert removed.returncode == 0, removed.stderr
        with sessions() as session:
            assert session.scalars(select(WebhookEndpointRow.active)).one() is False
            actions = session.execute(
                select(AuditEntry.action, AuditEntry.actor)
                .where(AuditEntry.entity == "webhook_endpoint").order_by(AuditEntry.id)).all()
        assert [tuple(action) for action in actions] == [("create", "cli"), ("disable", "cli")]
        missing = kano(db_url, "webhook", "remove", "99999", "--workspace", "acme")
        assert missing.returncode == 2 and "webhook 99999 does not exist" in missing.stderr
    finally:
        engine.dispose()
