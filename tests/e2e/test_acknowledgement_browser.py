"""An owner signs the Hungarian acknowledgement e-mail on the settings page (the live
preview shows the signature while typing), then a response in Hungarian comes in through
the API of a real ``kano serve`` with SMTP, and ``kano worker --once`` delivers the e-mail
to an SMTP server (aiosmtpd) carrying the signature."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, expect

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import Survey
from kano.adapters.db.survey_store import save_survey
from kano.demo.survey_definitions import DEMO_SURVEY_DEFINITIONS
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Scope
from tests.e2e.conftest import RunningServer, SeededDatabase, server_env
from tests.e2e.showcase import EMAIL, PASSWORD
from tests.integration.api.test_response_intake import MailBox
from tests.servers import kano_executable

pytestmark = pytest.mark.browser

SIGNATURE = "— A Northwind ügyfélszolgálata"


@pytest.fixture
def mailbox() -> Iterator[MailBox]:
    box = MailBox()
    with socket.socket() as probe:  # aiosmtpd checks its port by connecting: no port 0
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def kano_server_env(mailbox: MailBox) -> dict[str, str]:
    return {"KANO_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
            "KANO_MAIL_FROM": "Northwind <care@northwind.test>"}


@pytest.fixture
def write_token(seeded_database: SeededDatabase) -> str:
    """The relationship NPS survey of the showcase workspace and a write token."""
    engine = make_engine(seeded_database.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = accounts.get_workspace(session, "northwind")
            session.add(Survey(workspace_id=workspace.id, key="relationship-nps",
                               name="Relationship NPS"))
            session.flush()
            save_survey(session, workspace.id, "relationship-nps", name="Relationship NPS",
                        touchpoint=None, actor="test", user_id=None,
                        definition=checked_definition(DEMO_SURVEY_DEFINITIONS["relationship-nps"]))
            token = accounts.create_api_token(session, workspace, Scope.WRITE, "e2e").token
    finally:
        engine.dispose()
    return token


def test_the_hungarian_signature_written_in_settings_reaches_the_customer_by_smtp(
    write_token: str, kano_server: RunningServer, chromium: Browser, mailbox: MailBox,
    seeded_database: SeededDatabase, kano_server_env: dict[str, str], tmp_path: Path,
) -> None:
    context = chromium.new_context(viewport={"width": 1360, "height": 860}, locale="en-GB")
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(kano_server.url("/login?next=/settings"))
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(kano_server.url("/settings"))
        page.locator("#acknowledgement-hu > summary").click()
        signature = page.locator("#ack-hu-signature")
        signature.fill(SIGNATURE)
        # The preview follows the typing (htmx), before anything is saved.
        expect(page.locator("#ack-preview-hu-happy")).to_contain_text(SIGNATURE)
        expect(page.locator("#ack-preview-hu-case")).to_contain_text("4 munkaórán belül")
        page.locator("#ack-form-hu").get_by_role(
            "button", name="Save the acknowledgement e-mail").click()
        expect(page.locator("#ack-saved-hu")).to_be_visible()
        expect(page.locator("#ack-hu-signature")).to_have_value(SIGNATURE)
        assert problems == [], problems
    finally:
        context.close()

    posted = httpx.post(kano_server.url("/api/v1/responses"), json={
        "survey": "relationship-nps", "channel": "api", "language": "hu",
        "answers": {"nps": 10},
        "customer": {"email": "erzsebet@pelda.hu", "name": "Erzsébet"},
    }, headers={"Authorization": f"Bearer {write_token}"}, timeout=10)  # fmt: skip
    assert posted.status_code == 201, posted.text
    assert posted.json()["acknowledgement"] == "queued"

    worker = subprocess.run(
        [kano_executable(), "worker", "--once"], cwd=tmp_path, capture_output=True, text=True,
        env=server_env(seeded_database, tmp_path, kano_server_env), timeout=120,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stdout + worker.stderr
    (mail,) = mailbox.messages
    assert mail["To"] == "erzsebet@pelda.hu"
    assert mail["Subject"] == "Megkaptuk a visszajelzését"
    body = mail.get_content()
    assert "Köszönjük a visszajelzését, Erzsébet!" in body
    assert body.rstrip().endswith(SIGNATURE)
