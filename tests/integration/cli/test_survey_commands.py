"""``kano survey link`` and ``kano survey list`` as a user runs them, against a real
database."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import Survey
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.survey_links import SurveyLinks
from kano.demo.survey_definitions import DEMO_SURVEY_DEFINITIONS
from kano.domain.feedback.surveys import checked_definition
from tests.integration.cli.test_access_commands import kano

SECRET = "cli-test-secret-key-0123456789"


def _seed(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            space = accounts.ensure_workspace(session, "acme", "Acme")
            session.add_all([Survey(workspace_id=space.id, key="relationship-nps", name="NPS"),
                             Survey(workspace_id=space.id, key="empty", name="Not built",
                                    status="closed")])
            session.flush()
            save_survey(session, space.id, "relationship-nps", name="Relationship NPS",
                        touchpoint=None, actor="test", user_id=None,
                        definition=checked_definition(DEMO_SURVEY_DEFINITIONS["relationship-nps"]))
            return space.id
    finally:
        engine.dispose()


def test_survey_link_prints_a_signed_link_and_the_widget_snippet(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace_id = _seed(db_url)
    monkeypatch.setenv("KANO_SECRET_KEY", SECRET)
    printed = kano(db_url, "survey", "link", "relationship-nps", "--workspace", "acme",
                   "--base-url", "https://feedback.example.com/", "--lang", "hu")
    refused = kano(db_url, "survey", "link", "empty", "--workspace", "acme")
    assert printed.returncode == 0, printed.stderr
    link, _, snippet = printed.stdout.partition("Widget:")
    url = urlsplit(link.strip())
    assert (url.scheme, url.netloc, url.path) == ("https", "feedback.example.com",
                                                   "/s/relationship-nps")
    query = parse_qs(url.query)
    assert query["lang"] == ["hu"]
    assert SurveyLinks(SECRET).workspace_of(query["t"][0], "relationship-nps") == workspace_id
    assert 'data-kano-target="kano-survey"' in snippet
    assert "https://feedback.example.com/s/relationship-nps/widget.js?t=" in snippet
    assert refused.returncode != 0 and "no questions yet" in refused.stdout + refused.stderr


def test_survey_list_shows_each_surveys_state(db_url: str) -> None:
    _seed(db_url)
    listed = kano(db_url, "survey", "list", "--workspace", "acme")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[1]: line for line in listed.stdout.splitlines()
            if line.startswith("│") and ("empty" in line or "relationship-nps" in line)}
    assert "closed" in rows["empty"] and "open" in rows["relationship-nps"]
