"""The set-based path stores exactly what one-by-one intake stores: the same customers
(found by external id, else e-mail, created once when new, e-mail filled in when
missing), responses, acknowledgements in the outbox and cases. The same submissions go
into two identically seeded workspaces, one through each path, and the rows are
compared with the ids that must differ replaced by what they point at."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import feedback_bulk
from kano.adapters.db.acknowledgement_texts import change_acknowledgement_texts
from kano.adapters.db.case_rules import replace_policy
from kano.adapters.db.feedback_bulk import accept_responses
from kano.adapters.db.feedback_intake import Submission, accept_response
from kano.adapters.db.orm import (
    CaseEventRow,
    CaseRow,
    Customer,
    FeedbackResponse,
    OutboxMessageRow,
    Survey,
    Team,
    Touchpoint,
    WebhookEndpointRow,
    Workspace,
)
from kano.domain.feedback.answers import Answers
from kano.domain.feedback.cases import CaseRoute, CaseRule
from kano.domain.shared.errors import InvalidInput
from tests.integration.api.seed import seed_workspace

START = datetime(2026, 3, 2, 9, 0)


def submissions(slug: str) -> list[Submission]:
    def sub(i: int, answers: Answers, **customer: Any) -> Submission:
        return Submission(
            survey="after-delivery", channel="import", answers=answers,
            submitted_at=START + timedelta(minutes=i), language=("en", "hu", "ru")[i % 3],
            **customer,
        )  # fmt: skip

    return [
        sub(0, Answers(nps=9), customer_external_id="C0001"),
        sub(1, Answers(nps=3, comment="late"), customer_email=f"customer2@{slug}.example"),
        sub(2, Answers(csat=1), customer_external_id="N-1", customer_email="new1@example.com",
            customer_name="New One"),
        sub(3, Answers(ces=2), customer_email="new2@example.com"),
        sub(4, Answers(rating=5), customer_email="new2@example.com"),
        sub(5, Answers(nps=10), customer_external_id="N-1", customer_email="other@example.com"),
        sub(6, Answers(nps=10, comment="great")),
        sub(7, Answers(nps=6), customer_external_id="NOMAIL", customer_email="added@example.com"),
        sub(8, Answers(nps=8), customer_external_id="N-2",
            customer_email=f"customer4@{slug}.example"),
        Submission(survey="after-delivery", channel="api", answers=Answers(nps=2),
                   touchpoint="pickup", customer_external_id="N-3", language=None,
                   submitted_at=START),
    ]  # fmt: skip


def seeded(sessions: sessionmaker[Session], slug: str) -> int:
    workspace_id = seed_workspace(sessions, slug).workspace_id
    with sessions.begin() as session:
        stage_id = session.scalar(
            select(Touchpoint.stage_id).where(
                Touchpoint.key == "delivery-call", Touchpoint.workspace_id == workspace_id
            )
        )
        team = Team(workspace_id=workspace_id, key="counter", name="Counter")
        session.add(team)
        session.flush()
        session.add_all(
            [
                Touchpoint(workspace_id=workspace_id, key="pickup", name="Pickup",
                           stage_id=stage_id, channel="store", owner_team_id=team.id),
                Customer(workspace_id=workspace_id, external_id="NOMAIL", kind="person",
                         name="No Mail", email=None),
                WebhookEndpointRow(workspace_id=workspace_id, url="https://hooks.example/a",
                                   secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            ]
        )  # fmt: skip
    return workspace_id


def snapshot(session: Session, workspace_id: int, slug: str) -> dict[str, Any]:
    """The workspace's rows with ids replaced by what they mean."""
    in_workspace = Customer.workspace_id == workspace_id
    customers = {c.id: c for c in session.scalars(select(Customer).where(in_workspace))}

    def who(customer_id: int | None) -> str | None:
        if customer_id is None:
            return None
        external_id = customers[customer_id].external_id
        return "respondent-*" if external_id.startswith("respondent-") else external_id

    keys = {t.id: t.key for t in session.scalars(select(Touchpoint))}
    keys |= {-s.id: s.key for s in session.scalars(select(Survey))}
    teams = {t.id: t.key for t in session.scalars(select(Team))}
    responses = session.scalars(
        select(FeedbackResponse)
        .where(FeedbackResponse.workspace_id == workspace_id)
        .where(FeedbackResponse.submitted_at >= START)
        .order_by(FeedbackResponse.id)
    ).all()
    position = {r.id: n for n, r in enumerate(responses)}

    def plain(value: Any) -> Any:
        text = re.sub(
            r"'customer': \{'id': (\d+)",
            lambda match: f"'customer': {{'id': {who(int(match.group(1)))!r}",
            repr(value),
        )
        for response_id, n in position.items():
            text = re.sub(
                rf"(R-|response-|email-|'data': \{{'id': |'response_id': ){response_id}\b",
                rf"\g<1>#{n}",
                text,
            )
        text = text.replace(f"@{slug}.example", "@ws.example").replace(f"{slug} Cust", "Cust")
        text = re.sub(r"endpoint-\d+", "endpoint-*", text)
        return re.sub(r"respondent-[0-9a-f]{16}", "respondent-*", text)

    outbox = session.scalars(
        select(OutboxMessageRow)
        .where(OutboxMessageRow.workspace_id == workspace_id)
        .order_by(OutboxMessageRow.response_id, OutboxMessageRow.kind)
    ).all()
    cases = session.scalars(
        select(CaseRow).where(CaseRow.workspace_id == workspace_id).order_by(CaseRow.response_id)
    ).all()
    events = session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.workspace_id == workspace_id)
        .order_by(CaseEventRow.id)
    ).all()
    return {
        "customers": sorted(
            (who(c.id), plain(c.name), plain(c.email), c.kind, c.consent_contact)
            for c in customers.values()
        ),
        "responses": [
            (keys[-r.survey_id] if r.survey_id else None, who(r.customer_id),
             keys.get(r.touchpoint_id or 0), r.channel, r.submitted_at, r.nps, r.csat, r.ces,
             r.rating, r.comment, r.language)
            for r in responses
        ],
        "outbox": [
            (position[m.response_id or 0], m.kind, m.purpose, plain(m.dedupe_key),
             plain(m.recipient), plain(m.payload), m.status, m.webhook_endpoint_id is not None)
            for m in outbox
        ],
        "cases": [
            (position[c.response_id or 0], who(c.customer_id), keys.get(c.touchpoint_id or 0),
             c.rule, c.title, c.priority, c.status, teams.get(c.owner_team_id or 0),
             (c.resolution_due_at - c.opened_at) > timedelta(0))
            for c in cases
        ],
        "events": [(e.kind, e.actor, plain(e.detail)) for e in events],
    }  # fmt: skip


@pytest.fixture(params=["keys per row", "keys per batch"])
def key_checks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Either way of checking foreign keys on PostgreSQL (kano.adapters.db.batch_keys):
    per batch from the first response, or (these batches are small) per row."""
    if request.param == "keys per batch":
        monkeypatch.setattr(feedback_bulk, "KEYS_PER_BATCH_FROM", 1)


def stored_both_ways(
    sessions: sessionmaker[Session],
    given: Callable[[str], list[Submission]],
    set_up: Callable[[sessionmaker[Session], int], None],
) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """Two workspaces set up alike; ``given`` stored one by one in the first and set-based
    in the second: the second's id and both snapshots."""
    one, two = seeded(sessions, "one"), seeded(sessions, "two")
    set_up(sessions, one)
    set_up(sessions, two)
    with sessions.begin() as session:
        for submission in given("one"):
            accept_response(session, one, submission, email_enabled=True)
    with sessions.begin() as session:
        accept_responses(session, two, given("two"), email_enabled=True)
    with sessions() as session:
        return two, snapshot(session, one, "one"), snapshot(session, two, "two")


@pytest.mark.usefixtures("key_checks")
def test_bulk_path_stores_what_one_by_one_intake_stores(
    sessions: sessionmaker[Session],
) -> None:
    one, two = seeded(sessions, "one"), seeded(sessions, "two")
    with sessions.begin() as session:
        for submission in submissions("one"):
            accept_response(session, one, submission, email_enabled=True)
    with sessions.begin() as session:
        stored = accept_responses(session, two, submissions("two"), email_enabled=True)
    assert stored.customers_created == 3  # N-1, new2@…, N-3; N-2's e-mail is customer 4's
    with sessions() as session:
        single, bulk = snapshot(session, one, "one"), snapshot(session, two, "two")
    assert bulk == single
    assert len(bulk["responses"]) == 10 and len(bulk["cases"]) == 5
    assert ("NOMAIL", "'No Mail'", "'added@example.com'", "person", True) in bulk["customers"]
    assert stored.messages == len(bulk["outbox"]) == 10 + 8, "a webhook each, 8 e-mails"


def test_bulk_path_names_the_first_bad_submission_and_stores_nothing(
    sessions: sessionmaker[Session],
) -> None:
    workspace_id = seeded(sessions, "one")
    batch = submissions("one")
    batch[6] = Submission(survey="after-delivery", channel="api", answers=Answers(nps=1),
                          touchpoint="nowhere")  # fmt: skip
    with sessions() as session, pytest.raises(InvalidInput, match=r"responses\.6\.touchpoint"):
        accept_responses(session, workspace_id, batch, email_enabled=False)
    batch[6] = Submission(survey="after-delivery", channel="api", answers=Answers(nps=1),
                          language="de")  # fmt: skip
    with sessions() as session, pytest.raises(InvalidInput, match=r"responses\.6\.language"):
        accept_responses(session, workspace_id, batch, email_enabled=False)


def with_custom_rules(sessions: sessionmaker[Session], workspace_id: int) -> None:
    """Keyword, VIP (attribute and listed account), segment and score rules, a rule with
    its own team and a routing table, the same in every workspace that calls this."""
    with sessions.begin() as session:
        session.add(Team(workspace_id=workspace_id, key="desk", name="Desk"))
        session.execute(
            update(Customer)
            .where(Customer.workspace_id == workspace_id, Customer.external_id == "C0001")
            .values(attributes={"vip": True})
        )
        session.flush()
        replace_policy(
            session,
            workspace_id,
            [
                CaseRule("late", kind="keyword", keywords=("LATE",), priority=1),
                CaseRule("vip", kind="vip", vip_attribute=True, vip_accounts=("N-1",),
                         question="nps", threshold=10, team="desk", priority=1),
                CaseRule("smb", kind="segment", segment="smb", question="nps", threshold=8),
                CaseRule("detractor", "nps", "<=", 6, priority=3, resolution_hours=40),
                CaseRule("off", kind="keyword", keywords=("great",), enabled=False),
            ],
            [CaseRoute("desk", touchpoint="pickup"), CaseRoute("counter", segment="smb")],
        )  # fmt: skip


@pytest.mark.usefixtures("key_checks")
def test_bulk_path_opens_and_routes_the_same_cases_as_one_by_one_with_custom_rules(
    sessions: sessionmaker[Session],
) -> None:
    _, single, bulk = stored_both_ways(sessions, submissions, with_custom_rules)
    assert bulk["cases"] == single["cases"]
    assert bulk == single
    opened = [(n, rule, team) for n, _, _, rule, _, _, _, team, _ in bulk["cases"]]
    assert opened == [
        (0, "vip", "desk"),  # C0001 has vip: true: a passive NPS 9 opens a case
        (1, "late", "logistics"),  # the keyword, any case; customer 2 has no segment
        (5, "vip", "desk"),  # N-1 is a listed VIP account (its CSAT-only answer is not)
        (7, "detractor", "logistics"),
        (8, "smb", "counter"),  # customer 4 is in smb: the segment route beats the owner
        (9, "detractor", "desk"),  # at pickup: the touchpoint route beats its owner
    ]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(comment='late\tagain\nsee "C:\\orders\\7" \\N \r ünnep 🎉', name="Tab\tName \\ x")
@given(comment=st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=80),
       name=st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=30))  # fmt: skip
def test_any_text_comes_back_from_the_acknowledgement_json_as_written(
    sessions: sessionmaker[Session], comment: str, name: str
) -> None:
    """Whatever a customer writes (control characters, quotes, backslashes, ``\\N``, any
    script; PostgreSQL text cannot hold NUL) is read back unchanged from the response, the
    customer and the JSON of its acknowledgements: ``COPY``'s text escapes (and orjson's
    JSON inside them) are written right, whatever the engine."""
    workspace_id = _property_workspace(sessions)
    external_id = f"ANY-{uuid.uuid4()}"
    batch = [
        Submission(survey="after-delivery", channel="api", answers=Answers(nps=3, comment=comment),
                   customer_external_id=external_id, customer_email=f"{external_id}@example.com",
                   customer_name=name, submitted_at=START),
    ]  # fmt: skip
    with sessions.begin() as session:
        stored = accept_responses(session, workspace_id, batch, email_enabled=True)
    with sessions() as session:
        response = session.get(FeedbackResponse, stored.ids[0])
        assert response is not None and response.comment == comment
        customer = session.get(Customer, response.customer_id)
        assert customer is not None and customer.name == name
        payloads = {
            m.kind: m.payload
            for m in session.scalars(
                select(OutboxMessageRow).where(OutboxMessageRow.response_id == stored.ids[0])
            )
        }
    assert payloads["webhook"]["data"]["answers"]["comment"] == comment
    assert payloads["email"]["body"].count(name) >= 1


_WORKSPACES: dict[str, int] = {}


def _property_workspace(sessions: sessionmaker[Session]) -> int:
    """One workspace per database for all of the property's examples."""
    key = str(sessions.kw["bind"].url)
    if key not in _WORKSPACES:
        _WORKSPACES[key] = seeded(sessions, f"any-{len(_WORKSPACES)}-{uuid.uuid4().hex[:6]}")
    return _WORKSPACES[key]


@pytest.mark.parametrize("path", ["one by one", "bulk"])
def test_the_acknowledgement_promises_contact_only_where_a_rule_opened_a_case(
    sessions: sessionmaker[Session], path: str
) -> None:
    """A workspace whose rules open cases only for NPS ≤ 3 (within 4 working hours) and
    for "call me" (16 hours): an NPS 5 is apologised to but promised nothing, an NPS 2 is
    promised contact within 4 working hours, a promoter asking for a call within 2 days."""
    workspace_id = seeded(sessions, f"ack-{path.replace(' ', '-')}")
    with sessions.begin() as session:
        replace_policy(
            session,
            workspace_id,
            [
                CaseRule("call-me", kind="keyword", keywords=("call me",),
                         first_response_hours=16),
                CaseRule("angry", "nps", "<=", 3, first_response_hours=4),
            ],
            [],
        )  # fmt: skip
    given = [
        Submission(survey="after-delivery", channel="api", answers=answers, language=language,
                   customer_email=email)
        for answers, language, email in [
            (Answers(nps=5), "en", "five@example.com"),
            (Answers(nps=2), "hu", "two@example.com"),
            (Answers(nps=10, comment="Great, please call me"), "ru", "ten@example.com"),
        ]
    ]  # fmt: skip
    with sessions.begin() as session:
        if path == "bulk":
            accept_responses(session, workspace_id, given, email_enabled=True)
        else:
            for submission in given:
                accept_response(session, workspace_id, submission, email_enabled=True)
    with sessions() as session:
        bodies = {
            m.recipient: m.payload["body"]
            for m in session.scalars(
                select(OutboxMessageRow).where(
                    OutboxMessageRow.workspace_id == workspace_id,
                    OutboxMessageRow.kind == "email",
                )
            )
        }
        cases = session.scalar(
            select(func.count()).select_from(CaseRow).where(CaseRow.workspace_id == workspace_id)
        )
    assert cases == 2
    assert "We are sorry it fell short." in bodies["five@example.com"]
    assert "contact you" not in bodies["five@example.com"]
    assert "Sajnáljuk" in bodies["two@example.com"]
    assert "4 munkaórán belül jelentkezik" in bodies["two@example.com"]
    assert "Нам жаль" not in bodies["ten@example.com"]
    assert "в течение 2 рабочих дней сообщит вам" in bodies["ten@example.com"]


CUSTOM_TEXTS = {
    "en": {"subject": "{workspace}: got it", "greeting": "Dear {name},",
           "contact": "{workspace} calls you within {within}.", "signature": "— {workspace} care"},
    "hu": {"sorry": "Elnézést!", "fine": "Köszönjük.", "closing": "Ügyszám: {reference}",
           "signature": "— Az Acme ügyfélszolgálata"},
    "ru": {"signature": "— Команда Acme"},
}  # fmt: skip


@pytest.mark.usefixtures("key_checks")
def test_bulk_path_writes_the_workspace_s_own_acknowledgement_texts_as_one_by_one_does(
    sessions: sessionmaker[Session],
) -> None:
    """Both paths read the workspace's own texts (and its name for ``{workspace}``) and
    compose the same e-mails from them, in the response's language."""

    def with_custom_texts(sessions: sessionmaker[Session], workspace_id: int) -> None:
        with sessions.begin() as session:
            session.execute(update(Workspace).where(Workspace.id == workspace_id)
                            .values(name="Acme {Care}"))  # fmt: skip
            change_acknowledgement_texts(session, workspace_id, CUSTOM_TEXTS, actor="test")

    two, single, bulk = stored_both_ways(sessions, submissions, with_custom_texts)
    with sessions() as session:
        emails = {
            m.payload["language"]: m.payload
            for m in session.scalars(select(OutboxMessageRow).where(
                OutboxMessageRow.workspace_id == two, OutboxMessageRow.kind == "email"))
        }  # fmt: skip
    assert bulk == single
    assert emails["en"]["subject"] == "Acme {Care}: got it"
    assert emails["en"]["body"].startswith("Dear ")
    assert emails["en"]["body"].endswith("\n\n— Acme {Care} care\n")
    assert "Ügyszám: R-" in emails["hu"]["body"]
    assert emails["hu"]["body"].endswith("\n\n— Az Acme ügyfélszolgálata\n")
    assert emails["hu"]["subject"] == "Megkaptuk a visszajelzését"  # not overridden
    assert emails["ru"]["body"].endswith("\n\n— Команда Acme\n")


def with_sentiment_rule(sessions: sessionmaker[Session], workspace_id: int) -> None:
    """A trained sentiment model and a sentiment rule (with its own team) between a keyword
    and a score rule."""
    from kano.adapters.db.sentiment_models import save_model
    from tests.integration.sentiment_training import trained_model

    with sessions.begin() as session:
        save_model(session, workspace_id, trained_model())
        replace_policy(
            session,
            workspace_id,
            [
                CaseRule("late", kind="keyword", keywords=("LATE",), priority=1),
                CaseRule("negative", kind="sentiment", threshold_probability=0.8, priority=2,
                         team="counter"),
                CaseRule("detractor", "nps", "<=", 6, priority=3),
            ],
            [],
        )  # fmt: skip


def with_comments(slug: str) -> list[Submission]:
    def sub(i: int, nps: int, comment: str) -> Submission:
        return Submission(survey="after-delivery", channel="import",
                          answers=Answers(nps=nps, comment=comment),
                          submitted_at=START + timedelta(hours=1, minutes=i))  # fmt: skip

    return [
        *submissions(slug),
        sub(0, 8, "Terrible, never again"),
        sub(1, 8, "Great service"),
        sub(2, 2, "Terrible, never again"),
        sub(3, 2, "Great service"),
        sub(4, 9, "   "),
    ]


@pytest.mark.usefixtures("key_checks")
def test_bulk_path_opens_the_same_sentiment_cases_as_one_by_one(
    sessions: sessionmaker[Session],
) -> None:
    _, single, bulk = stored_both_ways(sessions, with_comments, with_sentiment_rule)
    assert bulk["cases"] == single["cases"]
    assert bulk == single
    opened = [(n, rule, team) for n, _, _, rule, _, _, _, team, _ in bulk["cases"]]
    assert opened == [
        (1, "late", "logistics"),  # "late" reads negative too; the keyword is more urgent
        (7, "detractor", "logistics"),
        (9, "detractor", "counter"),  # at pickup, owned by counter
        (10, "negative", "counter"),  # NPS 8, "Terrible, never again"
        (12, "negative", "counter"),  # NPS 2 as well: the sentiment rule is more urgent
        (13, "detractor", "logistics"),  # NPS 2 with praise: the score rule still holds
    ]
