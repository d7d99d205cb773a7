"""Journeys in the app database (SQLite and PostgreSQL): seeded per segment, reordered,
pain points linked to an initiative or OKR objective, every workspace on its own."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import journey_store
from kano.adapters.db.engine import transaction
from kano.domain.shared.errors import InvalidInput, NotFound
from tests.integration.api.seed import seed_workspace


def test_each_segment_gets_a_journey_over_the_stages(sessions: sessionmaker[Session]) -> None:
    ws = seed_workspace(sessions, "acme").workspace_id
    with transaction(sessions) as session:
        journeys = journey_store.list_journeys(session, ws)
    assert [(j.key, j.kind, j.segment) for j in journeys] == [
        ("key-accounts", "b2b", "key-accounts"),
        ("smb", "b2b", "smb"),
    ]
    stage = journeys[0].stages[0]
    assert stage.key == "delivery"
    assert [(t.key, t.channel, t.owner_team) for t in stage.touchpoints] == [
        ("delivery-call", "phone", "logistics")
    ]
    with transaction(sessions) as session:  # seeding happens once
        assert len(journey_store.list_journeys(session, ws)) == 2


def test_links_are_checked_and_kept_per_workspace(sessions: sessionmaker[Session]) -> None:
    ws = seed_workspace(sessions, "acme").workspace_id
    other = seed_workspace(sessions, "other").workspace_id
    with transaction(sessions) as session:
        journey_store.list_journeys(session, other)
        with pytest.raises(InvalidInput) as error:
            journey_store.link_pain_point(session, ws, "smb", "delivery-call", initiative="nope")
        assert error.value.field == "initiative"
        with pytest.raises(InvalidInput, match="one initiative or one OKR"):
            journey_store.link_pain_point(session, ws, "smb", "delivery-call")
        with pytest.raises(NotFound):
            journey_store.link_pain_point(session, ws, "ghost", "delivery-call", initiative="x")
    with transaction(sessions) as session:
        journey_store.list_journeys(session, ws)
        assert journey_store.pain_point_links(session, ws, "smb") == []
        assert journey_store.pain_point_links(session, other, "smb") == []


def test_a_pain_point_goes_to_an_initiative_and_stages_reorder(
    sessions: sessionmaker[Session],
) -> None:
    from kano.adapters.db.orm import InitiativeRow, JourneyStage, ScorecardRow

    ws = seed_workspace(sessions, "acme").workspace_id
    with transaction(sessions) as session:
        card = ScorecardRow(workspace_id=ws, key="company", name="Company")
        session.add_all([card, JourneyStage(workspace_id=ws, key="buy", name="Buy", position=1)])
        session.flush()
        session.add(InitiativeRow(workspace_id=ws, scorecard_id=card.id, key="fix", name="Fix"))
        session.flush()
        journey_store.link_pain_point(
            session, ws, "smb", "delivery-call", initiative="fix", note="<b>damaged</b>"
        )
    with transaction(sessions) as session:
        [link] = journey_store.pain_point_links(session, ws, "smb")
        assert (link.touchpoint, link.initiative, link.okr_objective, link.note) == (
            "delivery-call",
            "fix",
            None,
            "<b>damaged</b>",
        )
        assert journey_store.get_journey(session, ws, "smb").stage_keys == ("buy", "delivery")
        journey_store.reorder_stages(session, ws, "smb", ["delivery", "buy"])
    with transaction(sessions) as session:
        assert journey_store.get_journey(session, ws, "smb").stage_keys == ("delivery", "buy")
        assert journey_store.get_journey(session, ws, "key-accounts").stage_keys == (
            "buy",
            "delivery",
        )


def test_two_first_readers_racing_to_seed_both_get_the_journeys(
    sessions: sessionmaker[Session],
) -> None:
    """Both sessions find no journey, then both seed: the second meets the unique key of
    the first's rows, rolls its savepoint back and reads them (no error for either)."""
    ws = seed_workspace(sessions, "acme").workspace_id
    first, second = sessions(), sessions()
    try:
        journey_store._seed_journeys(first, ws)  # the first has seeded, not yet committed
        first.commit()
        # The second had checked before the first committed; it now seeds the same keys.
        with pytest.raises(IntegrityError), second.begin_nested():
            journey_store._seed_journeys(second, ws)
        journey_store.ensure_journeys(second, ws)
        assert [j.key for j in journey_store.list_journeys(second, ws)] == [
            "key-accounts", "smb"]  # fmt: skip
        second.commit()
    finally:
        first.close()
        second.close()
