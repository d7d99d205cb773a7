"""Rule segments on a real database (SQLite and PostgreSQL): each field and operator picks
exactly the customers a user expects, and a preview writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import SegmentMembership
from tests.integration.db.segment_seed import DAY_ONE, SegmentWorld, add_order, seed_segment_world

AS_OF = DAY_ONE + timedelta(days=400)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> SegmentWorld:
    built = seed_segment_world(sessions, "acme")
    seed_segment_world(sessions, "globex")  # same names and facts, never in acme's answers
    with transaction(sessions) as session:
        add_order(session, built, "ACME", AS_OF - timedelta(days=10), 500.0)
        add_order(session, built, "ACME", AS_OF - timedelta(days=100), 250.0)
        add_order(session, built, "BOLT", AS_OF - timedelta(days=200), 80.0)
        add_order(session, built, "BOLT", AS_OF - timedelta(days=380), 9000.0)  # > 12 months
        add_order(session, built, "CORA", AS_OF - timedelta(hours=36), 20.0)  # 1 whole day
    return built


def matched(sessions: sessionmaker[Session], world: SegmentWorld, rule: dict[str, Any]) -> set[str]:
    by_id = {v: k for k, v in world.ids.items()}
    with sessions() as session:
        preview = segments.preview_rule(session, world.workspace_id, rule, 100, as_of=AS_OF)
    names = {by_id[c.customer_id] for c in preview.sample}
    assert preview.count == len(names)
    return names


def cond(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"all": [{"field": field, "op": op, "value": value}]}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (cond("kind", "eq", "account"), {"ACME", "BOLT", "EMBER_1%"}),
        (cond("region", "ne", "north"), {"BOLT", "DUNE", "EMBER_1%"}),  # unknown region too
        (cond("region", "in", ["north", "east"]), {"ACME", "CORA", "EMBER_1%"}),
        (cond("industry", "not_in", ["retail"]), {"BOLT", "CORA", "DUNE"}),
        (cond("industry", "exists", False), {"CORA", "DUNE"}),
        (cond("segment", "eq", "key"), {"ACME", "DUNE"}),
        (cond("attributes.tier", "eq", "gold"), {"ACME", "CORA"}),
        (cond("attributes.seats", "gte", 100), {"ACME"}),
        (cond("attributes.seats", "between", [10, 20]), {"BOLT"}),
        (cond("attributes.vip", "eq", True), {"ACME"}),
        (cond("attributes.vip", "exists", True), {"ACME", "CORA"}),
        (cond("attributes.note", "contains", "R_SC"), {"EMBER_1%"}),  # _ is no wildcard
        (cond("attributes.tier", "contains", "%"), set()),  # % is no wildcard either
        (cond("revenue_12m", "gte", 700), {"ACME"}),  # 750; BOLT's 9000 is older
        (cond("revenue_12m", "lte", 0), {"DUNE", "EMBER_1%"}),  # no orders: 0
        (cond("orders_12m", "eq", 1), {"BOLT", "CORA"}),
        (cond("margin_12m", "between", [20, 200]), {"BOLT", "ACME"}),  # 20, 187.5
        (cond("days_since_last_order", "gte", 10), {"ACME", "BOLT"}),
        (cond("days_since_last_order", "eq", 1), {"CORA"}),
        (cond("days_since_last_order", "lte", 9), {"CORA"}),
        (cond("days_since_last_order", "ne", 10), {"BOLT", "CORA", "DUNE", "EMBER_1%"}),
        (cond("days_since_last_order", "exists", False), {"DUNE", "EMBER_1%"}),
        (
            {
                "any": [
                    {"field": "region", "op": "eq", "value": "south"},
                    {
                        "all": [
                            {"field": "kind", "op": "eq", "value": "person"},
                            {"field": "attributes.tier", "op": "eq", "value": "gold"},
                        ]
                    },
                ]
            },
            {"BOLT", "CORA"},
        ),
    ],
)
def test_rule_matches_exactly_the_customers_a_user_expects(
    sessions: sessionmaker[Session], world: SegmentWorld, rule: dict[str, Any], expected: set[str]
) -> None:
    assert matched(sessions, world, rule) == expected


def test_preview_counts_all_but_samples_up_to_the_limit_and_writes_nothing(
    sessions: sessionmaker[Session], world: SegmentWorld
) -> None:
    with transaction(sessions) as session:
        segments.save_segment(session, world.workspace_id, {
            "key": "accounts", "name": "Accounts", "source": "rule",
            "rule": cond("kind", "eq", "account")})  # fmt: skip
    with sessions() as session:
        preview = segments.preview_rule(
            session, world.workspace_id, cond("kind", "eq", "account"), 2, as_of=AS_OF
        )
        assert preview.count == 3
        assert [c.name for c in preview.sample] == ["acme ACME", "acme BOLT"]
        assert session.scalar(select(func.count()).select_from(SegmentMembership)) == 0
        overview = segments.segment_overview(session, world.workspace_id)
        assert [(s.key, s.members_now, s.refreshed_at) for s in overview] == [
            ("accounts", 0, None), ("key", 0, None)]  # fmt: skip
