"""``ground_truth.yaml``: the planted effects, in the units a regression reports them.

Each effect names its cause and effect by metric or process-measure id, the size per one
unit of the cause, the lag (``0``, ``1M``, ``90D`` ...), the grain at which to regress,
``decoy`` for planted nulls, and ``where`` -- the slice of the data the effect lives in
(team function, stage, touchpoint, survey, segment). ``pilot`` is the demo's pilot with a
control group and its planted effect on the treated (:mod:`kano.demo.pilot`); it is not a
link, so ``kano analyze links --links ground_truth.yaml`` does not read it. The file holds
no timestamps, so the same seed and size give the same bytes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kano.demo.chain import CHAIN
from kano.demo.fulfilment import BAD_TOUCHPOINT
from kano.demo.money import consumer_mean_order_value
from kano.demo.pilot import OUTSIDE_PILOT, PilotTally, pilot_truth


@dataclass(frozen=True)
class Effect:
    cause: str
    effect: str
    size: float
    lag: str
    grain: str
    decoy: bool
    where: dict[str, Any] = field(default_factory=dict)
    description: str = ""


def _size(value: float) -> float:
    return round(value, 10)


def planted_effects() -> list[Effect]:
    c = CHAIN
    return [
        Effect(
            "engagement",
            "delivery_delay_days",
            _size(c.delay_days_per_engagement_point),
            "1M",
            "team-month",
            False,
            {"team_function": "delivery", "segment": list(OUTSIDE_PILOT)},
            "Mean delay of a delivery team's deliveries (by promised date) to key accounts and "
            "consumers against the team's mean pulse engagement in the month before. (SMB "
            "deliveries from March 2026 are the demo's pilot, which halves their late share.)",
        ),
        Effect(
            "engagement",
            "first_response_minutes",
            _size(c.first_response_minutes_per_engagement_point),
            "1M",
            "team-month",
            False,
            {"team_function": "support", "touchpoint": "support-email"},
            "Mean first response to support e-mails opened in a month against the support "
            "hub's mean pulse engagement in the month before.",
        ),
        Effect(
            "delivery_delay_days",
            "csat",
            _size(c.csat_per_delay_day),
            "0",
            "response",
            False,
            {"stage": "delivery"},
            "CSAT of a delivery response against the delay days of the order it rates.",
        ),
        Effect(
            "delivery_delay_days",
            "nps",
            _size(c.nps_per_delay_day),
            "90D",
            "response",
            False,
            {"survey": "relationship-nps"},
            "Relationship NPS against the delay of the customer's last delivery promised in "
            "the 90 days before the response (responses with such a delivery).",
        ),
        Effect(
            "first_response_minutes",
            "ces",
            _size(c.ces_per_minute),
            "0",
            "response",
            False,
            {"touchpoint": "support-email"},
            "Support e-mail CES against the first response minutes of the ticket's order.",
        ),
        Effect(
            "nps",
            "repurchase_rate",
            _size(c.repurchase_per_nps_point),
            "90D",
            "response",
            False,
            {"survey": "relationship-nps"},
            "Whether the customer orders within 90 days after a relationship response, "
            "against its NPS (linear probability).",
        ),
        Effect(
            "nps",
            "churn_rate",
            _size(c.churn_per_nps_point),
            "180D",
            "response",
            False,
            {"survey": "relationship-nps"},
            "Whether the customer places no order within 180 days after a relationship "
            "response, against its NPS (linear probability).",
        ),
        Effect(
            "nps",
            "spend",
            _size(c.spend_log_per_nps_point),
            "90D",
            "response",
            False,
            {"survey": "relationship-nps", "segment": ["key_account", "smb"]},
            "Natural log of the amount of an account's first order within 90 days after a "
            "relationship response, against its NPS (log points per NPS point).",
        ),
        Effect(
            "orders",
            "revenue",
            _size(consumer_mean_order_value()),
            "0",
            "customer-quarter",
            False,
            {"segment": ["consumer"]},
            "Consumer revenue per customer and three-month period (from the window start) "
            "against the number of orders in it: the mean consumer order value.",
        ),
        Effect(
            "training_hours",
            "delivery_delay_days",
            0.0,
            "1M",
            "team-month",
            True,
            {"team_function": "delivery", "segment": list(OUTSIDE_PILOT)},
            "Decoy: mean training hours of a delivery team's pulses do not move next month's "
            "delays (of deliveries outside the pilot, as above).",
        ),
        Effect(
            "competency",
            "delivery_delay_days",
            0.0,
            "1M",
            "team-month",
            True,
            {"team_function": "delivery", "segment": list(OUTSIDE_PILOT)},
            "Decoy: a delivery team's mean pulse competency does not move next month's delays "
            "(outside the pilot, as above). Team means of the two can line up by chance (at "
            "size S, seed 1 they correlate at 0.8: Delivery East has the most competent "
            "people and, through its low engagement, the longest delays), so a regression "
            "pooled over the teams can find a link; within teams, net of month effects, there "
            "is none.",
        ),
        Effect(
            "call_wait_seconds",
            "csat",
            0.0,
            "0",
            "response",
            True,
            {"touchpoint": "support-phone"},
            "Decoy: hotline CSAT does not depend on the call wait of the ticket's call.",
        ),
        Effect(
            "ces",
            "repurchase_rate",
            0.0,
            "90D",
            "response",
            True,
            {"touchpoint": "purchase-web"},
            "Decoy: web shop CES does not change whether the customer orders again within 90 days.",
        ),
    ]


def ground_truth(seed: int, size: str, version: str, pilot: PilotTally) -> dict[str, Any]:
    return {
        "seed": seed,
        "size": size,
        "generated_with": f"kano {version}",
        "bad_touchpoint": BAD_TOUCHPOINT,
        "effects": [asdict(effect) for effect in planted_effects()],
        "pilot": pilot_truth(pilot),
    }


def write_ground_truth(path: Path, seed: int, size: str, version: str, pilot: PilotTally) -> None:
    text = yaml.safe_dump(
        ground_truth(seed, size, version, pilot), sort_keys=False, allow_unicode=True, width=100
    )
    path.write_text(text, encoding="utf-8")
