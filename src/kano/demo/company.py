"""The static structure of the demo company: an industrial distributor.

Segments, the seven-stage journey, touchpoints (stage x channel, each with an owner
team), teams, surveys, product lines, regions and industries. Everything here is fixed
data; ids are positions + 1, so other modules refer to items by the index constants
defined at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kano.demo.schema import Masked, table_from_columns


@dataclass(frozen=True)
class Segment:
    key: str
    name: str


@dataclass(frozen=True)
class Stage:
    key: str
    name: str


@dataclass(frozen=True)
class Team:
    key: str
    name: str
    function: str
    headcount: int
    """Employees at the smallest size; larger sizes scale this."""
    baseline_engagement: float
    """Long-run mean of the team's monthly engagement (1-5); drives its process results."""


@dataclass(frozen=True)
class Touchpoint:
    key: str
    name: str
    stage: str
    channel: str
    owner_team: str


@dataclass(frozen=True)
class Survey:
    key: str
    name: str
    touchpoint: str | None
    """``None`` marks the relationship survey, which is about the whole relationship."""


@dataclass(frozen=True)
class ProductLine:
    key: str
    name: str
    price_level: float
    """Typical order value relative to the segment's median order."""
    margin_rate: float


SEGMENTS = (
    Segment("key_account", "Key accounts"),
    Segment("smb", "Small and medium businesses"),
    Segment("consumer", "Consumers"),
)

STAGES = (
    Stage("awareness", "Awareness"),
    Stage("consideration", "Consideration"),
    Stage("purchase", "Purchase"),
    Stage("onboarding", "Onboarding"),
    Stage("delivery", "Delivery and use"),
    Stage("support", "Support"),
    Stage("renewal", "Renewal and advocacy"),
)

CHANNELS = ("web", "phone", "email", "field", "store", "courier")
REGIONS = ("north", "south", "east", "west", "central")
LANGUAGES = ("en", "ru", "hu")
INDUSTRIES = (
    "construction",
    "manufacturing",
    "automotive",
    "energy",
    "food_processing",
    "agriculture",
    "logistics",
    "public_sector",
)

TEAMS = (
    Team("marketing", "Marketing", "marketing", 4, 3.7),
    Team("key-account-sales", "Key account sales", "sales", 6, 3.8),
    Team("inside-sales", "Inside sales", "sales", 6, 3.5),
    Team("branch-sales", "Branch sales", "sales", 8, 3.4),
    Team("e-commerce", "E-commerce", "digital", 3, 3.9),
    Team("onboarding", "Customer onboarding", "onboarding", 3, 3.6),
    Team("delivery-north", "Delivery North", "delivery", 8, 3.7),
    Team("delivery-south", "Delivery South", "delivery", 8, 3.4),
    Team("delivery-east", "Delivery East", "delivery", 8, 3.0),
    Team("delivery-west", "Delivery West", "delivery", 8, 3.6),
    Team("delivery-central", "Delivery Central", "delivery", 9, 3.8),
    Team("support-north", "Support hub North", "support", 7, 3.6),
    Team("support-south", "Support hub South", "support", 7, 3.2),
    Team("finance", "Finance and credit control", "finance", 4, 3.6),
)

TOUCHPOINTS = (
    Touchpoint("awareness-web", "Website and catalogue", "awareness", "web", "marketing"),
    Touchpoint(
        "consideration-field",
        "Quote and site visit",
        "consideration",
        "field",
        "key-account-sales",
    ),
    Touchpoint("purchase-web", "Web shop order", "purchase", "web", "e-commerce"),
    Touchpoint("purchase-phone", "Phone order", "purchase", "phone", "inside-sales"),
    Touchpoint(
        "purchase-field", "Order through account manager", "purchase", "field", "key-account-sales"
    ),
    Touchpoint("purchase-store", "Branch counter", "purchase", "store", "branch-sales"),
    Touchpoint("onboarding-email", "Account set-up", "onboarding", "email", "onboarding"),
    Touchpoint(
        "delivery-field", "Site delivery by own fleet", "delivery", "field", "delivery-central"
    ),
    Touchpoint("delivery-courier", "Parcel delivery", "delivery", "courier", "delivery-central"),
    Touchpoint("support-phone", "Support hotline", "support", "phone", "support-north"),
    Touchpoint("support-email", "Support e-mail and web form", "support", "email", "support-north"),
    Touchpoint("renewal-field", "Account review", "renewal", "field", "key-account-sales"),
    Touchpoint("renewal-email", "Reorder and loyalty e-mails", "renewal", "email", "marketing"),
)

SURVEYS = (
    Survey("relationship-nps", "Relationship NPS", None),
    Survey("delivery-csat", "Site delivery satisfaction", "delivery-field"),
    Survey("courier-csat", "Parcel delivery satisfaction", "delivery-courier"),
    Survey("support-ces", "Support e-mail effort", "support-email"),
    Survey("support-csat", "Support hotline satisfaction", "support-phone"),
    Survey("web-ces", "Web shop ordering effort", "purchase-web"),
    Survey("onboarding-rating", "Account set-up rating", "onboarding-email"),
    Survey("store-rating", "Branch visit rating", "purchase-store"),
)

PRODUCTS = (
    ProductLine("fasteners", "Fasteners and fixings", 0.55, 0.42),
    ProductLine("power-tools", "Power tools", 1.9, 0.24),
    ProductLine("hand-tools", "Hand tools", 0.75, 0.36),
    ProductLine("abrasives", "Abrasives and cutting", 0.65, 0.38),
    ProductLine("welding", "Welding supplies", 1.4, 0.28),
    ProductLine("safety", "Safety and PPE", 0.8, 0.40),
    ProductLine("hydraulics", "Hydraulics", 1.7, 0.26),
    ProductLine("pneumatics", "Pneumatics", 1.3, 0.30),
    ProductLine("bearings", "Bearings and power transmission", 1.2, 0.31),
    ProductLine("electrical", "Electrical components", 1.0, 0.27),
    ProductLine("lubricants", "Lubricants and chemicals", 0.9, 0.33),
    ProductLine("packaging", "Packaging materials", 0.7, 0.22),
)


def _index(keys: tuple[str, ...], key: str) -> int:
    return keys.index(key)


SEGMENT_KEYS = tuple(s.key for s in SEGMENTS)
TEAM_KEYS = tuple(t.key for t in TEAMS)
TOUCHPOINT_KEYS = tuple(t.key for t in TOUCHPOINTS)
SURVEY_KEYS = tuple(s.key for s in SURVEYS)
STAGE_KEYS = tuple(s.key for s in STAGES)

KEY_ACCOUNT, SMB, CONSUMER = (_index(SEGMENT_KEYS, k) for k in ("key_account", "smb", "consumer"))
WEB, PHONE, EMAIL, FIELD, STORE, COURIER = range(len(CHANNELS))


def team_id(key: str) -> int:
    return _index(TEAM_KEYS, key) + 1


def touchpoint_id(key: str) -> int:
    return _index(TOUCHPOINT_KEYS, key) + 1


def survey_id(key: str) -> int:
    return _index(SURVEY_KEYS, key) + 1


DELIVERY_TEAM_ID_BY_REGION = tuple(team_id(f"delivery-{region}") for region in REGIONS)
SUPPORT_TEAM_ID_BY_REGION = tuple(
    team_id("support-north" if region in ("north", "east", "central") else "support-south")
    for region in REGIONS
)
BRANCH_SALES_TEAM_ID = team_id("branch-sales")
ONBOARDING_TEAM_ID = team_id("onboarding")


def structure_tables() -> dict[str, pa.Table]:
    """The small tables that describe the company rather than its activity."""
    stage_keys = [s.key for s in STAGES]
    return {
        "teams": table_from_columns(
            "teams",
            {
                "team_id": np.arange(1, len(TEAMS) + 1),
                "key": pa.array(TEAM_KEYS),
                "name": pa.array([t.name for t in TEAMS]),
                "function": pa.array([t.function for t in TEAMS]),
            },
        ),
        "stages": table_from_columns(
            "stages",
            {
                "stage_id": np.arange(1, len(STAGES) + 1),
                "key": pa.array(stage_keys),
                "name": pa.array([s.name for s in STAGES]),
                "position": np.arange(1, len(STAGES) + 1),
            },
        ),
        "touchpoints": table_from_columns(
            "touchpoints",
            {
                "touchpoint_id": np.arange(1, len(TOUCHPOINTS) + 1),
                "key": pa.array(TOUCHPOINT_KEYS),
                "name": pa.array([t.name for t in TOUCHPOINTS]),
                "stage_id": np.array([stage_keys.index(t.stage) + 1 for t in TOUCHPOINTS]),
                "channel": pa.array([t.channel for t in TOUCHPOINTS]),
                "owner_team_id": np.array([team_id(t.owner_team) for t in TOUCHPOINTS]),
            },
        ),
        "segments": table_from_columns(
            "segments",
            {
                "segment_id": np.arange(1, len(SEGMENTS) + 1),
                "key": pa.array(SEGMENT_KEYS),
                "name": pa.array([s.name for s in SEGMENTS]),
            },
        ),
        "surveys": table_from_columns(
            "surveys",
            {
                "survey_id": np.arange(1, len(SURVEYS) + 1),
                "key": pa.array(SURVEY_KEYS),
                "name": pa.array([s.name for s in SURVEYS]),
                "touchpoint_id": Masked(
                    np.array([touchpoint_id(s.touchpoint) if s.touchpoint else 0 for s in SURVEYS]),
                    np.array([s.touchpoint is None for s in SURVEYS]),
                ),
            },
        ),
    }
