"""The history of a case names who did each step in the reader's language: Kano's own
actions (a rule opening the case, an escalation) read "Kano (automatic)" / "Kano
(автоматически)" / "Kano (automatikusan)", an API token's "API token abcd…", never the
audit log's raw "kano" or "api-token:abcd", which stay stored as they were."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import CaseEventRow, utcnow
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.test_case_pages import VIEWER, SeededCases, _events, _log_in, cases

__all__ = ["cases"]

AUTOMATIC = {"en": "Kano (automatic)", "ru": "Kano (автоматически)",
             "hu": "Kano (automatikusan)"}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_kanos_own_steps_and_an_api_tokens_are_named_for_the_reader(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session], language: str
) -> None:
    with transaction(sessions) as session:
        session.add(CaseEventRow(workspace_id=_events(sessions, cases.due, "opened")[0]
                                 .workspace_id, case_id=cases.due, at=utcnow(),
                                 kind="note", actor="api-token:k7x2", note="From the CRM"))
    _log_in(browser, VIEWER)
    html = browser.page(f"/cases/{cases.due}?lang={language}").text

    history = text_of(html, "case-events")
    actors = [unescape(a).strip() for a in
              re.findall(r'<td class="case-event-actor">([^<]*)</td>', html)]  # fmt: skip
    assert AUTOMATIC[language] in actors, actors
    assert "kano" not in actors and "api-token:k7x2" not in history
    assert any(a.endswith("k7x2…") and "API" in a for a in actors), actors
    # the audit log keeps what it recorded
    assert [e.actor for e in _events(sessions, cases.due, "opened")] == ["kano"]
    assert [e.actor for e in _events(sessions, cases.due, "note")] == ["api-token:k7x2"]
