"""Refreshing segments (SQLite and PostgreSQL): spans open and close on the refresh's day,
a second refresh writes nothing, manual segments follow the customer's edits, value tiers
are the top 20 % / next 30 % / rest by 12-month revenue, and one workspace never sees
another's customers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.customer_edits import edit_customer
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Segment, SegmentMembership
from kano.adapters.db.segment_refresh import value_tiers
from kano.domain.shared.errors import InvalidInput, NotFound
from tests.integration.db.segment_seed import DAY_ONE, SegmentWorld, add_order, seed_segment_world

FIRST = DAY_ONE + timedelta(days=60)
SECOND = FIRST + timedelta(days=20)
LAPSED = {"all": [{"field": "kind", "op": "eq", "value": "account"},
                  {"field": "days_since_last_order", "op": "gte", "value": 30}]}  # fmt: skip


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> SegmentWorld:
    built = seed_segment_world(sessions, "acme")
    with transaction(sessions) as session:
        add_order(session, built, "ACME", FIRST - timedelta(days=40), 100.0)
        add_order(session, built, "BOLT", FIRST - timedelta(days=10), 100.0)
        segments.save_segment(session, built.workspace_id,
                              {"key": "lapsed", "name": "Lapsed accounts", "source": "rule",
                               "rule": LAPSED})  # fmt: skip
    return built


def spans(sessions: sessionmaker[Session], world: SegmentWorld, key: str) -> set[tuple]:
    by_id = {v: k for k, v in world.ids.items()}
    with sessions() as session:
        rows = session.execute(
            select(SegmentMembership.customer_id, SegmentMembership.valid_from,
                   SegmentMembership.valid_to)
            .join(Segment, Segment.id == SegmentMembership.segment_id)
            .where(Segment.key == key, Segment.workspace_id == world.workspace_id)
        ).all()  # fmt: skip
    return {(by_id[c], f, t) for c, f, t in rows}


def refresh(sessions: sessionmaker[Session], world: SegmentWorld, when: datetime) -> dict:
    with transaction(sessions) as session:
        report = segments.refresh_segments(session, world.workspace_id, when)
    return {s.key: (s.entered, s.left, s.members) for s in report.segments}


def test_refresh_opens_and_closes_spans_over_two_dates_and_repeats_as_a_no_op(
    sessions: sessionmaker[Session], world: SegmentWorld
) -> None:
    assert refresh(sessions, world, FIRST)["lapsed"] == (1, 0, 1)
    assert spans(sessions, world, "lapsed") == {("ACME", FIRST, None)}
    with transaction(sessions) as session:  # ACME orders again, BOLT stays away
        add_order(session, world, "ACME", FIRST + timedelta(days=5), 60.0)
    assert refresh(sessions, world, SECOND)["lapsed"] == (1, 1, 1)
    assert spans(sessions, world, "lapsed") == {("ACME", FIRST, SECOND), ("BOLT", SECOND, None)}

    with sessions() as session:
        before = session.scalar(select(func.max(SegmentMembership.id)))
    assert refresh(sessions, world, SECOND) == {"key": (0, 0, 2), "lapsed": (0, 0, 1)}
    with sessions() as session:
        assert session.scalar(select(func.max(SegmentMembership.id))) == before
        summary = {s.key: s for s in segments.segment_overview(session, world.workspace_id)}
    assert summary["lapsed"].refreshed_at == SECOND
    assert summary["lapsed"].rule == LAPSED and summary["lapsed"].parameter is None
    assert spans(sessions, world, "lapsed") == {("ACME", FIRST, SECOND), ("BOLT", SECOND, None)}


def test_manual_segment_follows_customer_edits_into_the_history(
    sessions: sessionmaker[Session], world: SegmentWorld
) -> None:
    refresh(sessions, world, FIRST)  # files ACME and DUNE under "key" as of FIRST
    with transaction(sessions) as session:
        session.add(Segment(workspace_id=world.workspace_id, key="smb", name="Small firms"))
        session.flush()
        edit_customer(session, world.workspace_id, world.ids["ACME"], {"segment_key": "smb"},
                      actor="test", user_id=None)  # fmt: skip
    with sessions() as session:
        history = [
            h
            for h in segments.segment_history(session, world.workspace_id, world.ids["ACME"])
            if h.source == "manual"
        ]
        total, members = segments.members_now(session, world.workspace_id, "key", limit=10)
    assert [(h.segment_key, h.valid_to is None) for h in history] == [("smb", True), ("key", False)]
    assert history[1].valid_from == FIRST and history[1].valid_to == history[0].valid_from
    assert (total, [m.name for m in members]) == (1, ["acme DUNE"])
    # a refresh agrees with the edit: nothing to change
    assert refresh(sessions, world, datetime.now())["key"] == (0, 0, 1)


def test_a_computed_segment_cannot_be_given_to_a_customer_by_hand(
    sessions: sessionmaker[Session], world: SegmentWorld
) -> None:
    with transaction(sessions) as session, pytest.raises(InvalidInput) as error:
        edit_customer(session, world.workspace_id, world.ids["BOLT"], {"segment_key": "lapsed"},
                      actor="test", user_id=None)  # fmt: skip
    assert error.value.field == "segment_key"


def test_members_now_searches_pages_and_stays_in_the_workspace(
    sessions: sessionmaker[Session], world: SegmentWorld
) -> None:
    other = seed_segment_world(sessions, "globex")
    refresh(sessions, other, FIRST)
    refresh(sessions, world, FIRST)
    with sessions() as session:
        assert segments.members_now(session, world.workspace_id, "key", search="dun",
                                    limit=5)[0] == 1  # fmt: skip
        total, page = segments.members_now(session, world.workspace_id, "key", limit=1, offset=1)
        assert (total, [m.name for m in page]) == (2, ["acme DUNE"])
        ids = set(session.scalars(segments.customers_in_segment(world.workspace_id, "key")))
        assert ids == {world.ids["ACME"], world.ids["DUNE"]}
        with pytest.raises(NotFound):
            segments.members_now(session, world.workspace_id, "nope", limit=5)
        assert segments.segment_history(session, world.workspace_id, other.ids["ACME"]) == []


def test_deleting_a_segment_removes_its_spans_and_unfiles_its_customers(
    sessions: sessionmaker[Session], world: SegmentWorld
) -> None:
    refresh(sessions, world, FIRST)
    with transaction(sessions) as session:
        segments.delete_segment(session, world.workspace_id, "key")
    with sessions() as session:
        assert [s.key for s in segments.segment_overview(session, world.workspace_id)] == [
            "lapsed"]  # fmt: skip
        assert segments.segment_history(session, world.workspace_id, world.ids["DUNE"]) == []


def test_value_tiers_match_an_independent_pandas_ranking(
    sessions: sessionmaker[Session], world: SegmentWorld
) -> None:
    with transaction(sessions) as session:
        for i, external_id in enumerate(("CORA", "DUNE", "EMBER_1%")):
            add_order(session, world, external_id, FIRST - timedelta(days=3), 100.0 * (i + 2))
        for tier in "ABC":
            segments.save_segment(session, world.workspace_id, {
                "key": f"tier-{tier.lower()}", "name": f"Tier {tier}", "source": "value_tier",
                "parameter": tier})  # fmt: skip
    refresh(sessions, world, FIRST)
    revenue = pd.Series({"ACME": 100.0, "BOLT": 100.0, "CORA": 200.0, "DUNE": 300.0,
                         "EMBER_1%": 400.0})  # fmt: skip
    above = revenue.apply(lambda v: int((revenue > v).sum())) / len(revenue)
    expected = {"A": set(above[above < 0.2].index), "B": set(above[(above >= 0.2) &
                (above < 0.5)].index), "C": set(above[above >= 0.5].index)}  # fmt: skip
    assert expected == {"A": {"EMBER_1%"}, "B": {"DUNE", "CORA"}, "C": {"ACME", "BOLT"}}
    for tier in "ABC":
        got = {name for name, *_ in spans(sessions, world, f"tier-{tier.lower()}")}
        assert got == expected[tier]


def test_value_tiers_keep_ties_together_in_the_higher_tier() -> None:
    tiers = value_tiers({1: 10.0, 2: 10.0, 3: 10.0, 4: 1.0, 5: 1.0})
    assert tiers == {"A": {1, 2, 3}, "B": set(), "C": {4, 5}}


def test_rfm_segment_without_a_warehouse_is_reported_skipped(
    sessions: sessionmaker[Session], world: SegmentWorld
) -> None:
    with transaction(sessions) as session:
        segments.save_segment(session, world.workspace_id, {
            "key": "champions", "name": "Champions", "source": "rfm",
            "parameter": "Champions"})  # fmt: skip
        report = segments.refresh_segments(session, world.workspace_id, FIRST)
    skipped = {s.key: s.skipped for s in report.segments}
    assert skipped["champions"] is not None and "warehouse" in skipped["champions"]
    assert skipped["lapsed"] is None
