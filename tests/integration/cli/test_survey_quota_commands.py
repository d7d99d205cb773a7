"""``kano survey quota-add`` and ``kano survey quotas`` as a user runs them."""

from __future__ import annotations

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import FeedbackResponse, Survey, utcnow
from tests.integration.cli.test_access_commands import kano


def _seed(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            space = accounts.ensure_workspace(session, "acme", "Acme")
            survey = Survey(workspace_id=space.id, key="relationship-nps", name="NPS")
            session.add(survey)
            session.flush()
            session.add_all([FeedbackResponse(workspace_id=space.id, survey_id=survey.id,
                                              channel=channel, submitted_at=utcnow(), nps=9)
                             for channel in ("link", "link", "api")])
    finally:
        engine.dispose()


def test_a_quota_added_from_the_cli_is_listed_with_its_fill(db_url: str) -> None:
    _seed(db_url)
    empty = kano(db_url, "survey", "quotas", "relationship-nps", "--workspace", "acme")
    added = kano(db_url, "survey", "quota-add", "relationship-nps", "--workspace", "acme",
                 "--limit", "2", "--channel", "link")
    listed = kano(db_url, "survey", "quotas", "relationship-nps", "--workspace", "acme")
    assert empty.returncode == 0 and "has no quota" in empty.stdout
    assert added.returncode == 0, added.stderr
    assert "'link' on relationship-nps: 2 of 2 (full)" in " ".join(added.stdout.split())
    row = next(line for line in listed.stdout.splitlines() if "link" in line)
    assert row.split("│")[1:-1] and "full" in row and " 2 " in row


def test_bad_quota_input_names_the_field(db_url: str) -> None:
    _seed(db_url)
    zero = kano(db_url, "survey", "quota-add", "relationship-nps", "--workspace", "acme",
                "--limit", "0")
    fax = kano(db_url, "survey", "quota-add", "relationship-nps", "--workspace", "acme",
               "--limit", "5", "--channel", "fax")
    missing = kano(db_url, "survey", "quotas", "nope", "--workspace", "acme")
    assert zero.returncode == 2 and "limit:" in zero.stderr
    assert fax.returncode == 2 and "channel:" in fax.stderr
    assert missing.returncode == 2 and "survey 'nope' does not exist" in missing.stderr


def test_an_answer_quota_from_the_cli_names_a_choice_of_the_survey(db_url: str) -> None:
    from kano.adapters.db.survey_store import save_survey
    from kano.domain.feedback.surveys import checked_definition

    _seed(db_url)
    engine = make_engine(db_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            space = accounts.get_workspace(session, "acme")
            save_survey(session, space.id, "relationship-nps", name="NPS", touchpoint=None,
                        actor="test", user_id=None, definition=checked_definition({
                            "questions": [{"key": "plan", "type": "single",
                                           "text": {"en": "Plan?"}, "choices": [
                                               {"key": "basic", "label": {"en": "Basic"}},
                                               {"key": "pro", "label": {"en": "Pro"}}]}]}))
    finally:
        engine.dispose()
    args = ("survey", "quota-add", "relationship-nps", "--workspace", "acme", "--limit", "5")
    unknown = kano(db_url, *args, "--question", "colour", "--option", "red")
    gold = kano(db_url, *args, "--question", "plan", "--option", "gold")
    added = kano(db_url, *args, "--question", "plan", "--option", "pro")
    listed = kano(db_url, "survey", "quotas", "relationship-nps", "--workspace", "acme")
    assert unknown.returncode == 2 and "question:" in unknown.stderr
    assert gold.returncode == 2 and "option:" in gold.stderr
    assert added.returncode == 0, added.stderr
    assert "'plan = pro' on relationship-nps: 0 of 5" in " ".join(added.stdout.split())
    assert "plan = pro" in listed.stdout
